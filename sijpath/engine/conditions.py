"""Conditions of a decision table's rows: a criterion's status, a fact in words, and their combinations."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sijpath.engine.results import Status
from sijpath.engine.rule import Criterion, Outcomes

__all__ = ["All", "AnyOf", "Condition", "Fact", "Is", "Not", "Test", "compiled"]

U = TypeVar("U")

Test = Callable[[U, Outcomes], bool]


class Condition(Generic[U]):
    """A test on one unit's facts and outcomes, with the words the generated docs print for it."""

    def holds(self, facts: U, outcomes: Outcomes) -> bool:
        return self.test()(facts, outcomes)

    def test(self) -> Test[U]:
        """The condition as one function (the table runs it for every unit; no tree walk per row)."""
        raise NotImplementedError

    def expression(self, names: dict[str, object]) -> str:
        """The condition as a Python expression over `facts` and `get` (the outcomes' `get`), for a decision table
        compiled into one function (`compiled`); what it refers to is added to `names`. Same result as `test`."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Is(Condition[Any]):
    """A criterion has one of the given statuses (a criterion that did not apply has none)."""

    criterion: Criterion[Any]
    statuses: tuple[Status, ...]

    def test(self) -> Test[Any]:
        criterion, statuses = self.criterion, frozenset(self.statuses)

        def test(facts: Any, outcomes: Outcomes) -> bool:
            outcome = outcomes.get(criterion)
            return outcome is not None and outcome.status in statuses

        return test

    def expression(self, names: dict[str, object]) -> str:
        criterion = _name(names, "criterion", self.criterion)
        if len(self.statuses) == 1:
            return f"((o := get({criterion})) is not None and o.status == {self.statuses[0]!r})"
        statuses = _name(names, "statuses", frozenset(self.statuses))
        return f"((o := get({criterion})) is not None and o.status in {statuses})"

    def describe(self) -> str:
        return f"`{self.criterion.id}` is {' or '.join(s.replace('-', ' ') for s in self.statuses)}"


@dataclass(frozen=True, eq=False)
class Fact(Condition[U]):
    """A fact about the unit, in words."""

    words: str
    check: Callable[[U], bool]

    def test(self) -> Test[U]:
        check = self.check
        return lambda facts, outcomes: check(facts)

    def expression(self, names: dict[str, object]) -> str:
        return f"{_name(names, 'fact', self.check)}(facts)"

    def describe(self) -> str:
        return self.words


@dataclass(frozen=True, eq=False)
class Not(Condition[U]):
    condition: Condition[U]

    def test(self) -> Test[U]:
        inner = self.condition.test()
        return lambda facts, outcomes: not inner(facts, outcomes)

    def expression(self, names: dict[str, object]) -> str:
        return f"(not {self.condition.expression(names)})"

    def describe(self) -> str:
        return f"not ({self.condition.describe()})"


@dataclass(frozen=True, eq=False)
class All(Condition[U]):
    conditions: tuple[Condition[U], ...]

    def test(self) -> Test[U]:
        tests = [c.test() for c in self.conditions]
        return functools.reduce(_both, tests) if tests else _always

    def expression(self, names: dict[str, object]) -> str:
        return "(" + " and ".join(c.expression(names) for c in self.conditions) + ")" if self.conditions else "True"

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions)


@dataclass(frozen=True, eq=False)
class AnyOf(Condition[U]):
    conditions: tuple[Condition[U], ...]

    def test(self) -> Test[U]:
        tests = [c.test() for c in self.conditions]
        return functools.reduce(_either, tests) if tests else _never

    def expression(self, names: dict[str, object]) -> str:
        return "(" + " or ".join(c.expression(names) for c in self.conditions) + ")" if self.conditions else "False"

    def describe(self) -> str:
        return "(" + " or ".join(c.describe() for c in self.conditions) + ")"


def compiled(conditions: Sequence[Condition[U]]) -> Callable[[U, Outcomes], int]:
    """The number (from 1) of the first condition that holds for a unit, 0 when none does: the conditions compiled
    into one function of `if` statements, so walking a decision table costs no call per condition (rows are tested
    for every unit of every assessment). It answers as `test` does, condition by condition (a property test holds
    it to that); criteria are still asked for only when a condition reaches them."""
    names: dict[str, object] = {}
    lines = ["def first(facts, outcomes):", "    get = outcomes.get"]
    for number, condition in enumerate(conditions, start=1):
        lines += [f"    if {condition.expression(names)}:", f"        return {number}"]
    lines.append("    return 0")
    scope: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<decision table>", "exec"), dict(names), scope)  # noqa: S102 - our own text
    first: Callable[[U, Outcomes], int] = scope["first"]
    return first


def _name(names: dict[str, object], kind: str, value: object) -> str:
    """The name a compiled expression uses for `value`: one per object, whatever refers to it."""
    for name, known in names.items():
        if known is value:
            return name
    name = f"{kind}_{len(names)}"
    names[name] = value
    return name


def _both(first: Test[U], second: Test[U]) -> Test[U]:
    return lambda facts, outcomes: first(facts, outcomes) and second(facts, outcomes)


def _either(first: Test[U], second: Test[U]) -> Test[U]:
    return lambda facts, outcomes: first(facts, outcomes) or second(facts, outcomes)


def _always(facts: object, outcomes: Outcomes) -> bool:
    return True


def _never(facts: object, outcomes: Outcomes) -> bool:
    return False
