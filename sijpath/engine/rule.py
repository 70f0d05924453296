"""Rules as values: what a criterion or flag checks, what it reads, which rules it uses, and what it gates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from sijpath.engine.results import FlagResult, Outcome, Status
from sijpath.engine.thresholds import ThresholdSpec

if TYPE_CHECKING:
    from sijpath.engine.decision import Decision, Step
    from sijpath.engine.ruleset import RuleSet

__all__ = ["Criterion", "DecisionFlag", "Flag", "Gate", "Outcomes", "Role"]

U = TypeVar("U")

Role = Literal["required", "supporting", "outcome"]
"""`required`: it gates a step; `supporting`: it adds weight and gates nothing; `outcome`: it tracks a result."""


@dataclass(frozen=True, slots=True)
class Gate:
    """A step a criterion must allow first: with `needed` met (a confirmed joint) or not met (lasting relief)."""

    step: Step
    needed: Status = "met"


@dataclass(frozen=True, eq=False)
class Criterion(Generic[U]):
    """A question answered met / not met / unknown about one unit (a joint); `None` means it does not apply.

    `check(facts, outcomes)` receives the outcomes of the criteria it `uses` (evaluated first); `reads` and
    `optional_reads` are the thresholds it compares against, whose sources every outcome cites; `required_for`
    lists the steps it gates; `remedy` says what settles it when it stands in the way; an `exclusion` that stands in
    the way excludes the step while it lasts (no waiting or recording settles it). A `shared` criterion reads
    only what is common to every unit (the patient's smoking, function, systemic exposure) and is computed once.
    Identity is the object: outcomes, gates and the pathway's decision refer to the criterion itself.
    """

    id: str
    title: str
    stage: str
    cites: tuple[str, ...]
    check: Callable[[U, Outcomes], Outcome | None]
    required_for: tuple[Gate, ...]
    remedy: str
    reads: tuple[ThresholdSpec[Any], ...] = ()
    optional_reads: tuple[ThresholdSpec[Any], ...] = ()
    uses: tuple[Criterion[Any], ...] = ()
    role: Role = "required"
    shared: bool = False
    exclusion: bool = False

    def __repr__(self) -> str:
        return f"Criterion({self.id})"


Outcomes = Mapping[Criterion[Any], Outcome]
"""The outcomes evaluated so far for one unit, by criterion."""


@dataclass(frozen=True, eq=False)
class Flag(Generic[U]):
    """A warning that fires (or not) on one unit's record; `code` is the stable flag code in the output."""

    id: str
    title: str
    code: str
    stage: str
    cites: tuple[str, ...]
    check: Callable[[U, Outcomes], FlagResult | None]
    reads: tuple[ThresholdSpec[Any], ...] = ()
    optional_reads: tuple[ThresholdSpec[Any], ...] = ()
    uses: tuple[Criterion[Any], ...] = ()
    shared: bool = False

    def __repr__(self) -> str:
        return f"Flag({self.id})"


@dataclass(frozen=True, eq=False)
class DecisionFlag(Generic[U]):
    """A flag about the decision itself (a next step the rule set's issuer does not cover), raised after it.

    `applies` is a cheap test several flags share (the record matches any value set of the screen): where it fails,
    none of them can fire, so the engine tests it once per unit for each run of flags that share it and skips them.
    """

    id: str
    title: str
    code: str
    cites: tuple[str, ...]
    check: Callable[[U, Decision, RuleSet], FlagResult | None]
    applies: Callable[[U], bool] | None = None

    def __repr__(self) -> str:
        return f"DecisionFlag({self.id})"
