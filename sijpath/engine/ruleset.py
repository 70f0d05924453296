"""Rule sets as values: identity and version, thresholds with their sources, enabled rules, coverage, pathway."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from sijpath.domain.episode import Episode
from sijpath.engine.results import Measurement, Outcome
from sijpath.engine.rule import CriterionRule, FlagRule, Stage
from sijpath.engine.steps import Decision
from sijpath.evidence.catalog import Catalog, Source

__all__ = ["CoverageStatement", "CoverageStatus", "RuleSet", "Threshold"]

FactsT = TypeVar("FactsT")

CoverageStatus = Literal["covered", "not-covered", "investigational", "not-addressed"]


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number (or list) a rule compares against; its name carries the unit, it cites its sources, and
    `note` says how it was derived where the sources do not state it directly."""

    name: str
    value: object
    cites: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageStatement:
    """Whether the rule set's issuer covers a procedure (by CPT/HCPCS code), and on what source."""

    procedure: str
    status: CoverageStatus
    cites: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSet(Generic[FactsT]):
    """A named, versioned bundle of rules and thresholds; built by the rules layer, run by `evaluate`.

    `derive` turns an episode (already cut at the as-of date) into the facts rules read; `stages` says which
    pathway stages apply to the patient (rules of other stages are skipped); `decide` turns the facts and
    criterion outcomes into the pathway decision; `measure` lists the computed facts shown alongside.
    """

    id: str
    title: str
    version: str
    issuer: str
    effective_from: dt.date
    effective_to: dt.date | None
    description: str
    sources: tuple[str, ...]
    thresholds: Mapping[str, Threshold]
    criteria: tuple[CriterionRule[FactsT], ...]
    flags: tuple[FlagRule[FactsT], ...]
    coverage: Mapping[str, CoverageStatement]
    derive: Callable[[Episode, dt.date], FactsT]
    decide: Callable[[FactsT, Mapping[str, Outcome]], Decision]
    stages: Callable[[FactsT], frozenset[Stage]]
    measure: Callable[[FactsT], tuple[Measurement, ...]]
    catalog: Catalog
    indications: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _sources_cache: dict[str, tuple[Source, ...]] = field(default_factory=dict, repr=False, compare=False)

    def cites_for(self, rule: CriterionRule[FactsT] | FlagRule[FactsT]) -> tuple[str, ...]:
        """The rule's own sources, then the sources of every threshold it reads, without repeats."""
        cited = list(rule.cites)
        for name in (*rule.thresholds, *rule.optional_thresholds):
            threshold = self.thresholds.get(name)
            if threshold is not None:
                cited.extend(threshold.cites)
        return tuple(dict.fromkeys(cited))

    def sources_for(self, rule: CriterionRule[FactsT] | FlagRule[FactsT]) -> tuple[Source, ...]:
        """`cites_for` resolved to catalog entries, computed once per rule (rule sets are immutable)."""
        cache = self._sources_cache
        if rule.id not in cache:
            cache[rule.id] = tuple(self.catalog[i] for i in self.cites_for(rule))
        return cache[rule.id]
