"""One unit's criterion outcomes, each checked the first time something asks for it, then kept."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sijpath.engine.results import Outcome
from sijpath.engine.rule import Criterion
from sijpath.engine.ruleset import RuleSet

__all__ = ["UnitOutcomes"]

_NOT_YET = object()


def _unless_disputed(outcome: Outcome, disputed: frozenset[str]) -> Outcome:
    """An outcome resting on a fact two sources record differently is unknown, whichever value it read: a disputed
    value never counts as met (nor as not met) until someone chooses one source."""
    refs = tuple(dict.fromkeys(e.ref for e in outcome.evidence if e.ref in disputed))
    if not refs:
        return outcome
    named = ", ".join(str(r) for r in refs)
    return Outcome(
        "unknown",
        lambda: f"rests on a disputed value ({named}): {outcome.summary}",
        outcome.evidence,
        (f"one source chosen for the disputed {named}",),
        outcome.cites,
    )


class UnitOutcomes(Mapping[Criterion[Any], Outcome]):
    """The outcomes of the rule set's enabled criteria for one unit at its stages, checked on demand.

    The decision asks only for the criteria on its path; what it does not ask for is checked when the explanation
    is read (iterating the mapping checks every criterion, in the rule set's order). A criterion that does not apply
    (another stage, not enabled, or its check returns None) is absent. A `shared` criterion's outcome comes from
    `shared`, computed once for every unit of the record; the criteria a check `uses` are asked for through this
    same mapping, so dependency order needs no bookkeeping.
    """

    __slots__ = ("_disputed", "_enabled", "_facts", "_kept", "_ruleset", "_shared", "_stages")

    def __init__(
        self,
        facts: object,
        stages: frozenset[str],
        ruleset: RuleSet,
        shared: dict[object, Any],
        disputed: frozenset[str] = frozenset(),
    ) -> None:
        self._facts = facts
        self._disputed = disputed
        self._stages = stages
        self._ruleset = ruleset
        self._shared = shared
        self._enabled = ruleset.enabled
        self._kept: dict[Criterion[Any], Outcome | None] = {}

    def get(self, rule: Criterion[Any], default: Any = None) -> Any:
        outcome = self._kept.get(rule, _NOT_YET)
        if outcome is _NOT_YET:
            outcome = self._check(rule)
        return default if outcome is None else outcome

    def _check(self, rule: Criterion[Any]) -> Outcome | None:
        if rule not in self._enabled or rule.stage not in self._stages:
            outcome = None
        elif rule.shared:
            shared = self._shared
            outcome = shared[rule] if rule in shared else shared.setdefault(rule, rule.check(self._facts, self))
        else:
            self._kept[rule] = None  # a check that (wrongly) asked for itself finds nothing, not a loop
            outcome = rule.check(self._facts, self)
        if self._disputed and outcome is not None and outcome.status != "unknown":
            outcome = _unless_disputed(outcome, self._disputed)
        self._kept[rule] = outcome
        return outcome

    def __getitem__(self, rule: Criterion[Any]) -> Outcome:
        outcome = self.get(rule)
        if outcome is None:
            raise KeyError(rule.id)
        return outcome  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[Criterion[Any]]:
        return (rule for rule in self._ruleset.criteria if self.get(rule) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, rule: object) -> bool:
        return isinstance(rule, Criterion) and self.get(rule) is not None
