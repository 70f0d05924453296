"""The patient's facts, shared by both joints: the record as of the date, the screen, radicular evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, overload

from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import LIST_OF
from sijpath.domain.findings import Diagnosis, ImagingStudy
from sijpath.domain.issues import DataIssue
from sijpath.domain.joints import Attribution, attribute
from sijpath.domain.procedures import SteroidDose
from sijpath.domain.steroids import SteroidExposure, cumulative_mpde
from sijpath.domain.timeline import EpisodeAsOf, RollingWindow
from sijpath.engine.results import Evidence
from sijpath.engine.thresholds import ThresholdValues
from sijpath.evidence.value_sets import ValueSets
from sijpath.pathway import thresholds as th
from sijpath.pathway.value_set_matching import ScreenHit, latest_studies, match_value_sets

__all__ = ["BlockResult", "PatientFacts", "Radicular", "lazy"]


BlockResult = Literal["positive", "partial", "negative"]

# Lumbar and sacral radiculopathy, from the VSAC chronic-pain value set (`icd10cm-exclusion-codes`): ICD-10-CM
# M54.16-M54.18 and M51.16-M51.17 (disc disorders with radiculopathy); SNOMED CT lumbar, lumbosacral and sacral
# radiculopathy. Sciatica alone is not radiculopathy.
RADICULOPATHY_CODES = ("M54.16", "M54.17", "M54.18", "M51.16", "M51.17")
RADICULOPATHY_SNOMED_CODES = frozenset({"128196005", "2415007", "128197001"})
RADICULAR_IMAGING_FINDING = "lumbar-stenosis-or-disc-herniation"


# The thresholds by which a rule set excludes a kind of procedure for conditions of the screen, beyond the value sets'
# own `excludes` (the Medicare SI-joint injection LCD excludes injections for lumbar stenosis with claudication).
RULE_SET_EXCLUSIONS = {"injection": th.INJECTION_EXCLUDING_CONDITIONS, "fusion": th.FUSION_EXCLUDING_CONDITIONS}


@dataclass(frozen=True, slots=True)
class Radicular:
    """The evidence of a radicular source: a coded radiculopathy, and a concordant lumbar imaging finding."""

    coded: tuple[Evidence, ...]
    imaging: tuple[Evidence, ...]
    unsupporting: tuple[Evidence, ...] = ()
    """The latest lumbar CT or MRI when it shows no stenosis or herniation: a coded radiculopathy it does not
    support."""

    @property
    def established(self) -> bool:
        return bool(self.coded) and bool(self.imaging)


T = TypeVar("T")
R = TypeVar("R")


class lazy(Generic[T, R]):
    """A property computed on first access and stored on the instance.

    Like `functools.cached_property` without its per-access lock (Python 3.11), which costs more than most of
    the facts it caches; facts are never shared between threads.
    """

    def __init__(self, compute: Callable[[T], R]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type[T], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[T]) -> lazy[T, R]: ...
    @overload
    def __get__(self, instance: T, owner: type[T]) -> R: ...
    def __get__(self, instance: T | None, owner: type[T]) -> lazy[T, R] | R:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # a non-data descriptor: later reads hit the instance dict
        return value


class PatientFacts:
    """What both joints share: the record as of the date, systemic exposure, diagnoses, and where facts belong."""

    def __init__(self, cut: EpisodeAsOf, as_of: dt.date, values: ThresholdValues, value_sets: ValueSets) -> None:
        self.episode: Episode = cut.episode
        self.ref: Callable[[BaseModel, str], str] = cut.ref
        self.as_of = as_of
        self.t = values
        self.value_sets = value_sets
        self.data_issues: list[DataIssue] = list(cut.issues)
        birth = self.episode.patient.birth_date
        self.born_after_as_of = birth is not None and birth > as_of
        if self.born_after_as_of:
            self.data_issues.append(
                DataIssue(
                    "warning",
                    "patient.birth_date",
                    f"birth date {birth} is after the as-of date {as_of}: correct the birth date or the as-of date",
                )
            )
        self.attribution: Attribution = attribute(cut.episode, cut.ref)
        self.data_issues.extend(self.attribution.issues)
        if self.episode.post_operative_follow_ups and not self.episode.fusions:
            self.data_issues.append(
                DataIssue(
                    "warning",
                    "post_operative_follow_ups",
                    "post-operative follow-ups are recorded but no fusion is: record the fusion (date, side, CPT)",
                )
            )

    def where(self, fact: BaseModel, list_name: str | None = None) -> str:
        """The reference of a fact of this record: its id, or its place in the episode (`diagnostic_blocks[2]`)."""
        return self.ref(fact, list_name or LIST_OF[type(fact)])

    @lazy
    def steroid_doses(self) -> list[tuple[dt.date, BaseModel, SteroidDose]]:
        """Every corticosteroid dose given, on any joint or none recorded (exposure is systemic), with the
        procedure that gave it."""
        episode = self.episode
        doses: list[tuple[dt.date, BaseModel, SteroidDose]] = [
            (i.date, i, i.steroid) for i in episode.therapeutic_injections if i.steroid is not None
        ]
        doses += [(b.date, b, s) for b in episode.diagnostic_blocks for s in b.steroids]
        doses += [(b.date, b, s) for b in episode.lateral_branch_blocks for s in b.steroids]
        # The same dose recorded twice (a re-sent procedure under a new id) is given once.
        # Keyed by the dose's values, not the frozen model (whose hash is computed in Python on every call).
        seen: set[tuple[dt.date, str | None, str, float]] = set()
        once = []
        for dose in doses:
            key = (dose[0], getattr(dose[1], "side", None), dose[2].drug, dose[2].dose_mg)
            if key not in seen:
                seen.add(key)
                once.append(dose)
        return once

    def window(self, months: int) -> RollingWindow:
        """The rolling `months` to the as-of date, made once per window."""
        cache: dict[int, RollingWindow] = self.__dict__.setdefault("_windows", {})
        found = cache.get(months)
        if found is None:
            found = cache[months] = RollingWindow(self.as_of, months)
        return found

    def exposure(self, months: int) -> SteroidExposure:
        """Corticosteroid MPDE over the rolling `months` to the as-of date, computed once per window."""
        cache: dict[int, SteroidExposure] = self.__dict__.setdefault("_exposure", {})
        if months not in cache:
            cache[months] = cumulative_mpde(self.steroid_doses, self.as_of, months)
        return cache[months]

    @lazy
    def latest_imaging(self) -> list[ImagingStudy]:
        """The latest study of each region and side (see `latest_studies`), found once for the patient."""
        return latest_studies(self.episode)

    @lazy
    def radicular(self) -> Radicular:
        """Coded lumbar or sacral radiculopathy, and the latest lumbar imaging showing stenosis or a herniation."""
        coded = tuple(
            Evidence(d.recorded_date, _diagnosis_text(d), self.where(d, "diagnoses"))
            for d in self.episode.diagnoses
            if d.status == "active"
            and (
                d.code in RADICULOPATHY_SNOMED_CODES
                if d.system == "snomed-ct"
                else d.code.startswith(RADICULOPATHY_CODES)
            )
        )
        imaging = tuple(
            Evidence(
                s.date, f"{s.modality.upper()} lumbar: lumbar stenosis or disc herniation", self.where(s, "imaging")
            )
            for s in self.latest_imaging
            if s.region == "lumbar" and RADICULAR_IMAGING_FINDING in s.findings
        )
        unsupporting = tuple(
            Evidence(s.date, f"{s.modality.upper()} lumbar: no stenosis or disc herniation", self.where(s, "imaging"))
            for s in self.latest_imaging
            if s.region == "lumbar" and s.modality != "xray" and RADICULAR_IMAGING_FINDING not in s.findings
        )
        return Radicular(coded, imaging, unsupporting if coded and not imaging else ())

    @lazy
    def screen(self) -> tuple[ScreenHit, ...]:
        """The red-flag and exclusion value sets this record matches (both joints share them)."""
        return match_value_sets(self.episode, self.value_sets, self.ref, self.as_of, self.latest_imaging)

    @lazy
    def screen_by_id(self) -> dict[str, ScreenHit]:
        """The screen's hits by value-set id (each screen flag looks up its own, for every joint)."""
        return {hit.value_set.id: hit for hit in self.screen}

    @lazy
    def red_flags(self) -> tuple[ScreenHit, ...]:
        """Red flags: each stops every SI-joint procedure until it is worked up."""
        return tuple(hit for hit in self.screen if hit.red_flag)

    @lazy
    def red_flags_to_confirm(self) -> tuple[ScreenHit, ...]:
        """Red-flag diagnoses recorded long ago and still marked active: whether they are current comes first."""
        return tuple(hit for hit in self.screen if hit.to_confirm and hit.value_set.kind == "red-flag")

    def standing_in_the_way(self, procedure_kind: str) -> tuple[ScreenHit, ...]:
        """Red flags, the exclusions whose sources exclude a procedure of this kind (`fusion`), and the conditions
        the rule set itself excludes it for (`fusion_excluding_conditions`)."""
        spec = RULE_SET_EXCLUSIONS.get(procedure_kind)
        own = self.t.get(spec, ()) if spec is not None else ()
        return tuple(hit for hit in self.screen if hit.excludes(procedure_kind) or hit.value_set.id in own)

    @lazy
    def contraindications(self) -> list[Evidence]:
        """What argues against fusion of either joint: red flags and fusion exclusions, as dated facts."""
        return [e for hit in self.standing_in_the_way("fusion") for e in hit.evidence]


def _diagnosis_text(diagnosis: Diagnosis) -> str:
    return f"diagnosis {diagnosis.code}" + (f" {diagnosis.display}" if diagnosis.display else "")


def _side_text(side: str | None) -> str:
    return f" ({side})" if side else ""
