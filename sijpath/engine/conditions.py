"""Conditions of a decision table's rows: a criterion's status, a fact in words, and their combinations."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sijpath.engine.results import Status
from sijpath.engine.rule import Criterion, Outcomes

__all__ = ["All", "AnyOf", "Condition", "Fact", "Is", "Not", "Test"]

U = TypeVar("U")

Test = Callable[[U, Outcomes], bool]


class Condition(Generic[U]):
    """A test on one unit's facts and outcomes, with the words the generated docs print for it."""

    def holds(self, facts: U, outcomes: Outcomes) -> bool:
        return self.test()(facts, outcomes)

    def test(self) -> Test[U]:
        """The condition as one function (the table runs it for every unit; no tree walk per row)."""
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

    def describe(self) -> str:
        return self.words


@dataclass(frozen=True, eq=False)
class Not(Condition[U]):
    condition: Condition[U]

    def test(self) -> Test[U]:
        inner = self.condition.test()
        return lambda facts, outcomes: not inner(facts, outcomes)

    def describe(self) -> str:
        return f"not ({self.condition.describe()})"


@dataclass(frozen=True, eq=False)
class All(Condition[U]):
    conditions: tuple[Condition[U], ...]

    def test(self) -> Test[U]:
        tests = [c.test() for c in self.conditions]
        return functools.reduce(_both, tests) if tests else _always

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions)


@dataclass(frozen=True, eq=False)
class AnyOf(Condition[U]):
    conditions: tuple[Condition[U], ...]

    def test(self) -> Test[U]:
        tests = [c.test() for c in self.conditions]
        return functools.reduce(_either, tests) if tests else _never

    def describe(self) -> str:
        return "(" + " or ".join(c.describe() for c in self.conditions) + ")"


def _both(first: Test[U], second: Test[U]) -> Test[U]:
    return lambda facts, outcomes: first(facts, outcomes) and second(facts, outcomes)


def _either(first: Test[U], second: Test[U]) -> Test[U]:
    return lambda facts, outcomes: first(facts, outcomes) or second(facts, outcomes)


def _always(facts: object, outcomes: Outcomes) -> bool:
    return True


def _never(facts: object, outcomes: Outcomes) -> bool:
    return False
