"""Rule sets as plain data: identity and version, thresholds with their sources, enabled rules, gates, coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Literal

from sijpath.engine.decision import Step
from sijpath.engine.results import Status
from sijpath.engine.rule import Criterion, DecisionFlag, Flag
from sijpath.engine.thresholds import ThresholdSetting, ThresholdValues
from sijpath.evidence.catalog import Catalog, Source

__all__ = ["CoverageStatement", "CoverageStatus", "RuleSet"]

CoverageStatus = Literal["covered", "not-covered", "investigational", "not-addressed"]
AnyRule = Criterion[Any] | Flag[Any] | DecisionFlag[Any]
DecisionFlagRun = tuple[Callable[[Any], bool] | None, tuple[DecisionFlag[Any], ...]]


@dataclass(frozen=True, slots=True)
class CoverageStatement:
    """Whether the rule set's issuer covers a procedure (by CPT/HCPCS code), and on what source."""

    procedure: str
    status: CoverageStatus
    cites: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A named, versioned bundle of enabled rules and thresholds, as a rule-set file states it (plain data).

    `criteria` are in display order and `evaluation_order` in dependency order (a criterion after those it
    `uses`); `extra_gates` are the gates the rule set adds to what its criteria declare (`injection_indications`).
    The pathway that gives the rules meaning is passed to `evaluate` beside it.
    """

    id: str
    title: str
    version: str
    issuer: str
    effective_from: dt.date
    effective_to: dt.date | None
    description: str
    sources: tuple[str, ...]
    thresholds: Mapping[str, ThresholdSetting]
    criteria: tuple[Criterion[Any], ...]
    flags: tuple[Flag[Any], ...]
    decision_flags: tuple[DecisionFlag[Any], ...]
    coverage: Mapping[str, CoverageStatement]
    extra_gates: Mapping[Step, tuple[Criterion[Any], ...]]
    catalog: Catalog
    evaluation_order: tuple[Criterion[Any], ...] = ()
    contractors: tuple[str, ...] = ()
    """The Medicare contractors (MACs) that adopted this version; empty when it applies to everyone."""
    applicability: str | None = None
    """Set when the version was chosen without the input that decides it (an unknown contractor): what to check."""
    values: ThresholdValues = field(default_factory=lambda: ThresholdValues({}))
    _gates: dict[Step, tuple[tuple[Criterion[Any], Status], ...]] = field(default_factory=dict, repr=False)
    _enabled: dict[Criterion[Any], None] = field(default_factory=dict, repr=False)
    _sources: dict[AnyRule, tuple[Source, ...]] = field(default_factory=dict, repr=False)
    _cites: dict[AnyRule, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _flags_at: dict[frozenset[str], tuple[Flag[Any], ...]] = field(default_factory=dict, repr=False)
    _decision_flag_runs: dict[str, tuple[DecisionFlagRun, ...]] = field(default_factory=dict, repr=False)

    @property
    def enabled(self) -> AbstractSet[Criterion[Any]]:
        """The enabled criteria, for membership tests."""
        found = self._enabled
        if not found:
            found.update(dict.fromkeys(self.criteria))
        return found.keys()

    def gates_for(self, step: Step) -> tuple[tuple[Criterion[Any], Status], ...]:
        """Every enabled criterion that must be as needed before `step`: declared by the criterion, or added by
        the rule set (which needs it met), in display order."""
        found = self._gates.get(step)
        if found is None:
            added = set(self.extra_gates.get(step, ()))
            gates: list[tuple[Criterion[Any], Status]] = []
            for criterion in self.criteria:
                needed = next((g.needed for g in criterion.required_for if g.step is step), None)
                if needed is None and criterion in added:
                    needed = "met"
                if needed is not None:
                    gates.append((criterion, needed))
            found = self._gates[step] = tuple(gates)
        return found

    def flags_at(self, stages: frozenset[str]) -> tuple[Flag[Any], ...]:
        """The enabled flags of a unit at these stages, in the rule set's order (found once per set of stages)."""
        found = self._flags_at.get(stages)
        if found is None:
            found = self._flags_at[stages] = tuple(f for f in self.flags if f.stage in stages)
        return found

    @property
    def decision_flag_runs(self) -> tuple[DecisionFlagRun, ...]:
        """The decision flags in order, each run of neighbours that share an `applies` test together with it."""
        found = self._decision_flag_runs.get("runs")
        if found is None:
            runs: list[tuple[Callable[[Any], bool] | None, list[DecisionFlag[Any]]]] = []
            for rule in self.decision_flags:
                if runs and rule.applies is not None and runs[-1][0] is rule.applies:
                    runs[-1][1].append(rule)
                else:
                    runs.append((rule.applies, [rule]))
            found = self._decision_flag_runs["runs"] = tuple((test, tuple(run)) for test, run in runs)
        return found

    def cites_for(self, rule: AnyRule) -> tuple[str, ...]:
        """The rule's own sources, then those of every threshold it reads that this rule set sets, without repeats
        (found once per rule: rule sets are immutable)."""
        found = self._cites.get(rule)
        if found is None:
            cited = list(rule.cites)
            if not isinstance(rule, DecisionFlag):
                for spec in (*rule.reads, *rule.optional_reads):
                    setting = self.thresholds.get(spec.name)
                    if setting is not None:
                        cited.extend(setting.cites)
            found = self._cites[rule] = tuple(dict.fromkeys(cited))
        return found

    def sources_for(self, rule: AnyRule) -> tuple[Source, ...]:
        """`cites_for` resolved to catalog entries, once per rule (rule sets are immutable)."""
        found = self._sources.get(rule)
        if found is None:
            found = self._sources[rule] = tuple(self.catalog[i] for i in self.cites_for(rule))
        return found

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
