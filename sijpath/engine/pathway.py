"""A pathway as a value: its rules, its decision table, and how a record becomes the units it assesses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sijpath.domain.issues import DataIssue
from sijpath.engine.decision import DecisionTable, Step
from sijpath.engine.results import Measurement
from sijpath.engine.rule import Criterion, DecisionFlag, Flag
from sijpath.engine.thresholds import ThresholdSpec

if TYPE_CHECKING:
    from sijpath.engine.ruleset import RuleSet

__all__ = ["Derivation", "Pathway", "Unit"]

R = TypeVar("R")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class Unit(Generic[U]):
    """One thing a pathway assesses (an SI joint): its key (`left`) and title (`Left SI joint`), the facts its rules
    read, the stages that apply to it, and how it presents (`painful`, `pain-free`, `not-recorded`)."""

    key: str
    title: str
    facts: U
    stages: frozenset[str]
    presentation: str


@dataclass(frozen=True, slots=True)
class Derivation(Generic[U]):
    """What a pathway reads off one record on one date: the subject, the units to assess, and the data issues."""

    subject_id: str
    units: tuple[Unit[U], ...]
    issues: tuple[DataIssue, ...]
    summary: Callable[[], str] | None = None


@dataclass(frozen=True, eq=False)
class Pathway(Generic[R, U]):
    """Everything the engine needs to know about one clinical pathway, and nothing the engine knows itself.

    `criteria`, `flags` and `decision_flags` are every rule the pathway defines, in display order (a rule set
    enables some); `thresholds` every threshold a rule set may set; `reads` those the pathway itself reads (in
    `derive` and in its decision), which every rule set must set, and `optional_reads` those it reads when set;
    `required` the criteria its decision cannot do without, which every rule set must enable. `derive` turns a
    record, the rule set (its values and catalog) and the as-of date into units; `measure` lists what every unit's
    assessment shows alongside its criteria.
    """

    id: str
    unit_label: str
    stages: tuple[str, ...]
    steps: tuple[Step, ...]
    criteria: tuple[Criterion[U], ...]
    flags: tuple[Flag[U], ...]
    decision_flags: tuple[DecisionFlag[U], ...]
    thresholds: tuple[ThresholdSpec[Any], ...]
    reads: tuple[ThresholdSpec[Any], ...]
    decision: DecisionTable[U]
    derive: Callable[[R, RuleSet, dt.date], Derivation[U]]
    measure: Callable[[U], tuple[Measurement, ...]]
    required: tuple[Criterion[U], ...] = ()
    optional_reads: tuple[ThresholdSpec[Any], ...] = ()
