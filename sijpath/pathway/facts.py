"""Facts derived once per evaluation: the patient's (shared by both joints) and each joint's own; rules read these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, overload

from pydantic import BaseModel

from sijpath.domain.base import Joint
from sijpath.domain.blocks import BlockReading, read_block
from sijpath.domain.conservative_care import ConservativeCare, JointCare, conservative_care
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import LIST_OF
from sijpath.domain.findings import Diagnosis
from sijpath.domain.injections import InjectionInterval, InjectionReading, injection_intervals, read_injection
from sijpath.domain.issues import DataIssue
from sijpath.domain.joints import Attribution, JointRecord, attribute
from sijpath.domain.procedures import Fusion, SteroidDose
from sijpath.domain.steroids import SteroidExposure, cumulative_mpde
from sijpath.domain.timeline import EpisodeAsOf, RollingWindow
from sijpath.engine.results import Evidence
from sijpath.engine.thresholds import ThresholdValues
from sijpath.evidence.value_sets import ValueSets
from sijpath.pathway import thresholds as th
from sijpath.pathway.value_set_matching import ScreenHit, latest_studies, match_value_sets

__all__ = [
    "SACROILIITIS_CODES",
    "JointFacts",
    "PatientFacts",
    "lazy",
]

# ICD-10-CM, from the VSAC chronic-pain value set (source `icd10cm-exclusion-codes`): sacroiliitis is an indication
# for a therapeutic injection; the conditions that stop or limit procedures are value sets (value-sets.toml).
SACROILIITIS_CODES = frozenset({"M46.1"})
# SNOMED CT 55146009 sacroiliitis and 239815007 solitary sacroiliitis, from the same VSAC value set.
SACROILIITIS_SNOMED_CODES = frozenset({"55146009", "239815007"})

BlockResult = Literal["positive", "partial", "negative"]

# Lumbar and sacral radiculopathy, from the VSAC chronic-pain value set (`icd10cm-exclusion-codes`): ICD-10-CM
# M54.16-M54.18 and M51.16-M51.17 (disc disorders with radiculopathy); SNOMED CT lumbar, lumbosacral and sacral
# radiculopathy. Sciatica alone is not radiculopathy.
RADICULOPATHY_CODES = ("M54.16", "M54.17", "M54.18", "M51.16", "M51.17")
RADICULOPATHY_SNOMED_CODES = frozenset({"128196005", "2415007", "128197001"})
RADICULAR_IMAGING_FINDING = "lumbar-stenosis-or-disc-herniation"


@dataclass(frozen=True, slots=True)
class Radicular:
    """The evidence of a radicular source: a coded radiculopathy, and a concordant lumbar imaging finding."""

    coded: tuple[Evidence, ...]
    imaging: tuple[Evidence, ...]

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
        # The same dose recorded twice (a re-sent procedure under a new id) is given once.
        seen: set[tuple[dt.date, str | None, SteroidDose]] = set()
        once = []
        for dose in doses:
            key = (dose[0], getattr(dose[1], "side", None), dose[2])
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
    def sacroiliitis_diagnoses(self) -> list[Evidence]:
        """Active sacroiliitis diagnoses (ICD-10-CM M46.1 names no side: it concerns both joints)."""
        return [
            Evidence(d.recorded_date, _diagnosis_text(d), self.where(d, "diagnoses"))
            for d in self.episode.diagnoses
            if d.status == "active"
            and d.code in (SACROILIITIS_SNOMED_CODES if d.system == "snomed-ct" else SACROILIITIS_CODES)
        ]

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
            for s in latest_studies(self.episode)
            if s.region == "lumbar" and RADICULAR_IMAGING_FINDING in s.findings
        )
        return Radicular(coded, imaging)

    @lazy
    def screen(self) -> tuple[ScreenHit, ...]:
        """The red-flag and exclusion value sets this record matches (both joints share them)."""
        return match_value_sets(self.episode, self.value_sets, self.ref)

    @lazy
    def red_flags(self) -> tuple[ScreenHit, ...]:
        """Red flags: each stops every SI-joint procedure until it is worked up."""
        return tuple(hit for hit in self.screen if hit.red_flag)

    def standing_in_the_way(self, procedure_kind: str) -> tuple[ScreenHit, ...]:
        """Red flags and the exclusions whose sources exclude a procedure of this kind (`fusion`)."""
        return tuple(hit for hit in self.screen if hit.excludes(procedure_kind))

    @lazy
    def contraindications(self) -> list[Evidence]:
        """What argues against fusion of either joint: red flags and fusion exclusions, as dated facts."""
        return [e for hit in self.standing_in_the_way("fusion") for e in hit.evidence]


class JointFacts:
    """One joint's facts: its blocks and injections read once, its care, its fusion; `patient` holds the rest."""

    def __init__(self, patient: PatientFacts, record: JointRecord) -> None:
        self.patient = patient
        self.record = record
        self.joint: Joint = record.joint
        self.episode = patient.episode
        self.as_of = patient.as_of
        self.t = patient.t
        self.where = patient.where
        self.blocks = self._read_blocks()
        self.injections = self._read_injections()

    @lazy
    def inflammatory_sacroiliitis(self) -> list[Evidence]:
        """Inflammatory sacroiliitis of this joint: a diagnosis (no side), or imaging of this joint (or unsided)."""
        studies = (*self.record.imaging, *self.record.unsided_imaging)
        return self.patient.sacroiliitis_diagnoses + [
            Evidence(
                s.date,
                f"{s.modality.upper()} {s.region}{_side_text(s.side)}: inflammatory sacroiliitis",
                self.where(s, "imaging"),
            )
            for s in studies
            if "inflammatory-sacroiliitis" in s.findings
        ]

    @property
    def unattributed(self) -> tuple[tuple[str, BaseModel], ...]:
        """Procedures of the record whose side is not recorded: they may concern this joint."""
        return self.patient.attribution.unattributed

    def _read_blocks(self) -> list[BlockReading]:
        t = self.t
        readings = []
        guidance, windows = t[th.ACCEPTED_BLOCK_GUIDANCE_MODALITIES], t[th.ANESTHETIC_WINDOW_MINUTES]
        contrast, min_pre = t[th.BLOCK_CONTRAST_REQUIRED_FLAG], t.get(th.MIN_PRE_BLOCK_NRS_POINTS)
        min_minutes = t.get(th.MIN_POST_BLOCK_MINUTES)
        for block in self.record.blocks:
            reading = read_block(
                block,
                accepted_guidance=guidance,
                anesthetic_window_minutes=windows,
                contrast_required=contrast,
                min_pre_block_nrs=min_pre,
                min_post_block_minutes=min_minutes,
            )
            if reading.data_problem:
                self.patient.data_issues.append(
                    DataIssue(
                        "warning",
                        self.where(block, "diagnostic_blocks"),
                        f"relief not computable: {reading.data_problem}",
                    )
                )
            readings.append(reading)
        # On a same-day tie the lower relief sorts last and so counts as "latest": the cautious reading, whatever
        # order the record lists the blocks in.
        readings.sort(key=lambda r: (r.block.date, -(r.relief_percent if r.relief_percent is not None else -1.0)))
        # Two blocks of one joint on one day are one occasion (a re-sent or duplicated record, or a second needle
        # the same day): only the one with less relief counts, so a duplicate never adds a positive block.
        occasions: list[BlockReading] = []
        for reading in readings:
            if occasions and (occasions[-1].block.date, occasions[-1].block.side) == (
                reading.block.date,
                reading.block.side,
            ):
                dropped = occasions.pop()
                self.patient.data_issues.append(
                    DataIssue(
                        "warning",
                        self.where(dropped.block, "diagnostic_blocks"),
                        f"two blocks of the {reading.block.side} joint on {reading.block.date} "
                        f"({self.where(dropped.block, 'diagnostic_blocks')} and "
                        f"{self.where(reading.block, 'diagnostic_blocks')}): counted once, as the one with less relief",
                    )
                )
            occasions.append(reading)
        return occasions

    def _read_injections(self) -> list[InjectionReading]:
        threshold = self.t[th.MIN_LASTING_INJECTION_RELIEF_PERCENT]
        readings = []
        for injection in self.record.injections:
            reading = read_injection(injection, threshold)
            if reading.data_problem:
                where = self.where(injection, "therapeutic_injections")
                self.patient.data_issues.append(DataIssue("warning", where, reading.data_problem))
            readings.append(reading)
        readings.sort(key=lambda r: r.injection.date)
        # One injection of one joint per day: a duplicate (the same event re-sent under a new id) counts once.
        occasions: list[InjectionReading] = []
        for reading in readings:
            if occasions and (occasions[-1].injection.date, occasions[-1].injection.side) == (
                reading.injection.date,
                reading.injection.side,
            ):
                self.patient.data_issues.append(
                    DataIssue(
                        "warning",
                        self.where(reading.injection, "therapeutic_injections"),
                        f"two therapeutic injections of the {reading.injection.side} joint on "
                        f"{reading.injection.date} ({self.where(occasions[-1].injection, 'therapeutic_injections')} "
                        f"and {self.where(reading.injection, 'therapeutic_injections')}): counted once",
                    )
                )
                continue
            occasions.append(reading)
        return occasions

    # Diagnostic blocks

    @lazy
    def valid_blocks(self) -> list[BlockReading]:
        """This joint's own valid blocks: a bilateral block does not show which joint relieved the pain."""
        return [b for b in self.blocks if b.validity == "valid" and b.block.side == self.joint]

    @property
    def block_threshold_text(self) -> str:
        """How the rule set states block positivity: `≥75%`, or `>50%` when the threshold is exclusive."""
        minimum = self.t[th.MIN_BLOCK_RELIEF_PERCENT]
        return f"{'>' if self.t.get(th.BLOCK_RELIEF_EXCLUSIVE_FLAG) else '≥'}{minimum:g}%"

    def block_positive(self, reading: BlockReading) -> bool:
        """At the rule set's relief threshold, and (where set) a fall in pain of at least the minimal important
        change: 2 → 0.5 is "75%" of almost nothing."""
        assert reading.relief_percent is not None
        minimum = self.t[th.MIN_BLOCK_RELIEF_PERCENT]
        min_drop = self.t.get(th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS)
        block = reading.block
        pre, post = block.pre_block_nrs, block.post_block_nrs
        if min_drop is not None and pre is not None and post is not None and pre - post < min_drop:
            return False
        if self.t.get(th.BLOCK_RELIEF_EXCLUSIVE_FLAG):  # "greater than 50%" (ASPN) rather than "at least 75%"
            return reading.relief_percent > minimum
        return reading.relief_percent >= minimum

    def block_result(self, reading: BlockReading) -> BlockResult:
        """Positive (the rule set's threshold), negative ('little to no relief') or partial (in between)."""
        if self.block_positive(reading):
            return "positive"
        assert reading.relief_percent is not None
        return "negative" if reading.relief_percent < self.t[th.MAX_LITTLE_BLOCK_RELIEF_PERCENT] else "partial"

    def block_evidence(self, reading: BlockReading) -> Evidence:
        """The evidence line for a block, built once per evaluation."""
        cache: dict[int, Evidence] = self.__dict__.setdefault("_block_evidence", {})
        key = id(reading)
        if key not in cache:
            cache[key] = Evidence(
                reading.block.date, reading.describe(), self.where(reading.block, "diagnostic_blocks")
            )
        return cache[key]

    # Therapeutic injections

    def injection_evidence(self, reading: InjectionReading) -> Evidence:
        """The evidence line for an injection, built once per evaluation (several rules cite the same one)."""
        cache: dict[int, Evidence] = self.__dict__.setdefault("_injection_evidence", {})
        key = id(reading)
        if key not in cache:
            where = self.where(reading.injection, "therapeutic_injections")
            cache[key] = Evidence(reading.injection.date, reading.describe(), where)
        return cache[key]

    @lazy
    def injections_last_year(self) -> list[InjectionReading]:
        """This joint's therapeutic injections in the rolling 12 months to the as-of date."""
        year = self.patient.window(12)
        return [r for r in self.injections if r.injection.date in year]

    @lazy
    def injection_intervals(self) -> list[InjectionInterval]:
        return injection_intervals([r.injection for r in self.injections])

    # Conservative care, fusion

    @lazy
    def care(self) -> ConservativeCare:
        record = self.record
        joint_care = JointCare(
            self.episode.physical_therapy,
            self.episode.medications,
            tuple(r.injection for r in self.injections),  # one per occasion: a duplicate adds no injection
            record.ablations,
            record.fusions,
        )
        return conservative_care(joint_care, self.as_of, self.t.get(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS))

    @lazy
    def fusion(self) -> tuple[Fusion, str] | None:
        """The most recent fusion of this joint: recovery is tracked from it."""
        if not self.record.fusions:
            return None
        latest = max(self.record.fusions, key=lambda f: f.date)
        return latest, self.where(latest, "fusions")


def _diagnosis_text(diagnosis: Diagnosis) -> str:
    return f"diagnosis {diagnosis.code}" + (f" {diagnosis.display}" if diagnosis.display else "")


def _side_text(side: str | None) -> str:
    return f" ({side})" if side else ""
