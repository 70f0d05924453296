"""Matching a record against the red-flag and exclusion value sets: which active facts fall in which category."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis, ImagingStudy
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence
from sijpath.evidence.value_sets import ValueSet, ValueSets

__all__ = ["ScreenHit", "latest_studies", "match_value_sets"]

Where = Callable[[BaseModel, str], str]
_DATE = attrgetter("date")


@dataclass(frozen=True, slots=True)
class ScreenHit:
    """A value set the record matches, with the dated facts that match it."""

    value_set: ValueSet
    evidence: tuple[Evidence, ...]
    to_confirm: bool = False
    """Only diagnoses recorded longer ago than the value set's `confirm_after_months` match: ask if still current."""

    @property
    def red_flag(self) -> bool:
        return self.value_set.kind == "red-flag" and not self.to_confirm

    def excludes(self, procedure_kind: str) -> bool:
        """Whether this hit stands in the way of a procedure of this kind (a red flag stands in the way of all,
        and so does one whose status is still to be confirmed)."""
        return self.value_set.kind == "red-flag" or procedure_kind in self.value_set.excludes

    def describe(self) -> str:
        return f"{self.value_set.title}: " + "; ".join(e.fact for e in self.evidence)


def latest_studies(episode: Episode) -> list[ImagingStudy]:
    """The latest study of each region and side: a later study of the same region and side supersedes an earlier
    one, and a later study without a side (a pelvis CT shows both) supersedes every earlier one of its region. A
    later one-sided study does not clear an earlier unsided finding: it does not show the other side. A plain
    radiograph supersedes only earlier radiographs: it cannot clear what CT or MRI showed (a destructive lesion is
    often invisible on X-ray), while a later CT or MRI supersedes earlier radiographs too."""
    latest: dict[tuple[str, str | None, bool], ImagingStudy] = {}
    for study in sorted(episode.imaging, key=_DATE):
        sectional, region, side = study.modality != "xray", study.region, study.side
        for key in [k for k in latest if k[0] == region and (side is None or k[1] == side)]:
            if sectional or not key[2]:
                del latest[key]
        latest[(region, side, sectional)] = study
    return list(latest.values())


def match_value_sets(
    episode: Episode,
    value_sets: ValueSets,
    where: Where,
    as_of: dt.date,
    studies: list[ImagingStudy] | None = None,
) -> tuple[ScreenHit, ...]:
    """Every value set the record matches, in value-set order; only active diagnoses and conditions count.
    `studies` are the latest imaging per region and side when the caller has them already."""
    studies = latest_studies(episode) if studies is None else studies
    # Each fact is looked up in the value sets' index once; a set a fact matches by two prefixes counts it once.
    diagnoses: dict[int, dict[int, Diagnosis]] = {}
    for number, d in enumerate(episode.diagnoses):
        if d.status == "active":
            for position in value_sets.matching_diagnosis(d.code, d.system):
                diagnoses.setdefault(position, {})[number] = d
    found: dict[int, list[Evidence]] = {}
    for position, matched in diagnoses.items():
        found[position] = [
            Evidence(d.recorded_date, _diagnosis_text(d), where(d, "diagnoses")) for d in matched.values()
        ]
    for c in episode.contraindications:
        if c.active:
            for position in dict.fromkeys(value_sets.matching_contraindication(c.kind)):
                text = c.kind.replace("-", " ") + (f": {c.description}" if c.description else "")
                found.setdefault(position, []).append(Evidence(c.date, text, where(c, "contraindications")))
    for s in studies:
        region = s.region
        for finding in s.findings:
            for position in value_sets.matching_finding(region, finding):
                text = f"{s.modality.upper()} {s.region}{_side(s.side)}: {finding.replace('-', ' ')}"
                found.setdefault(position, []).append(Evidence(s.date, text, where(s, "imaging")))
    hits = []
    for position in sorted(found):
        value_set, evidence = value_sets.at(position), found[position]
        ordered = tuple(sorted(evidence, key=lambda e: (e.date or dt.date.min, e.fact)))
        matching = tuple(diagnoses.get(position, {}).values())
        hits.append(ScreenHit(value_set, ordered, _only_old_diagnoses(value_set, evidence, matching, as_of)))
    return tuple(hits)


def _only_old_diagnoses(
    value_set: ValueSet, found: list[Evidence], matching: tuple[Diagnosis, ...], as_of: dt.date
) -> bool:
    """Whether every match is a diagnosis recorded longer ago than the value set's confirmation window."""
    months = value_set.confirm_after_months
    if months is None:
        return False
    return len(matching) == len(found) and all(add_months(d.recorded_date, months) < as_of for d in matching)


def _diagnosis_text(diagnosis: Diagnosis) -> str:
    system = "SNOMED CT " if diagnosis.system == "snomed-ct" else ""
    return f"diagnosis {system}{diagnosis.code}" + (f" {diagnosis.display}" if diagnosis.display else "")


def _side(side: str | None) -> str:
    return f" ({side})" if side else ""
