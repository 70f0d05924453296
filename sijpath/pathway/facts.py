"""Facts derived once per evaluation: the patient's (shared by both joints) and each joint's own; rules read these."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Generic, TypeVar, overload

from pydantic import BaseModel

from sijpath.domain.base import Joint
from sijpath.domain.blocks import BlockReading, read_block
from sijpath.domain.conservative_care import ConservativeCare, JointCare, conservative_care
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import LIST_OF
from sijpath.domain.findings import Diagnosis, FusionContraindication
from sijpath.domain.injections import InjectionInterval, InjectionReading, injection_intervals, read_injection
from sijpath.domain.issues import DataIssue
from sijpath.domain.joints import Attribution, JointRecord, attribute
from sijpath.domain.procedures import Fusion, SteroidDose
from sijpath.domain.steroids import SteroidExposure, cumulative_mpde
from sijpath.domain.timeline import EpisodeAsOf, RollingWindow
from sijpath.engine.results import Evidence
from sijpath.engine.thresholds import ThresholdValues
from sijpath.pathway import thresholds as th

__all__ = [
    "FUSION_EXCLUDING_FINDINGS",
    "INFLAMMATORY_ARTHROPATHY_CODES",
    "SACROILIITIS_CODES",
    "JointFacts",
    "PatientFacts",
    "lazy",
]

# ICD-10-CM, from the VSAC chronic-pain value set (source `icd10cm-exclusion-codes`).
SACROILIITIS_CODES = frozenset({"M46.1"})
INFLAMMATORY_ARTHROPATHY_CODES = frozenset({"M45.7", "M45.8"})
# Imaging that excludes fusion: destructive lesions (tumor, infection) and inflammatory arthropathy (MP-555).
FUSION_EXCLUDING_FINDINGS = frozenset({"destructive-lesion", "inflammatory-sacroiliitis"})

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

    def __init__(self, cut: EpisodeAsOf, as_of: dt.date, values: ThresholdValues) -> None:
        self.episode: Episode = cut.episode
        self.ref: Callable[[BaseModel, str], str] = cut.ref
        self.as_of = as_of
        self.t = values
        self.data_issues: list[DataIssue] = list(cut.issues)
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
        return doses

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
            if d.code in SACROILIITIS_CODES and d.status == "active"
        ]

    @lazy
    def contraindications(self) -> list[Evidence]:
        """Active conditions that argue against fusion of either joint: recorded directly, as ICD-10-CM diagnoses,
        or on SI-joint imaging (a destructive lesion of one joint argues against operating on the other, too)."""
        found = [
            Evidence(c.date, _contraindication_text(c), self.where(c, "contraindications"))
            for c in self.episode.contraindications
            if c.active
        ]
        found += [
            Evidence(
                s.date,
                f"{s.modality.upper()} {s.region}{_side_text(s.side)}: {finding.replace('-', ' ')}",
                self.where(s, "imaging"),
            )
            for s in self.episode.imaging
            for finding in s.findings
            if finding in FUSION_EXCLUDING_FINDINGS and s.region in ("sij", "pelvis")
        ]
        found += [
            Evidence(d.recorded_date, _diagnosis_text(d) + " (inflammatory arthropathy)", self.where(d, "diagnoses"))
            for d in self.episode.diagnoses
            if d.code in INFLAMMATORY_ARTHROPATHY_CODES and d.status == "active"
        ]
        return found


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
        for block in self.record.blocks:
            reading = read_block(
                block,
                accepted_guidance=guidance,
                anesthetic_window_minutes=windows,
                contrast_required=contrast,
                min_pre_block_nrs=min_pre,
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
        for earlier, later in itertools.pairwise(readings):
            if earlier.block.date == later.block.date and earlier.block.side == later.block.side:
                self.patient.data_issues.append(
                    DataIssue(
                        "warning",
                        self.where(later.block, "diagnostic_blocks"),
                        f"two blocks of the {later.block.side} joint on {later.block.date}; the one with less relief "
                        "is read as the later",
                    )
                )
        return readings

    def _read_injections(self) -> list[InjectionReading]:
        threshold = self.t[th.MIN_LASTING_INJECTION_RELIEF_PERCENT]
        readings = []
        for injection in self.record.injections:
            reading = read_injection(injection, threshold)
            if reading.data_problem:
                where = self.where(injection, "therapeutic_injections")
                self.patient.data_issues.append(DataIssue("warning", where, reading.data_problem))
            readings.append(reading)
        return sorted(readings, key=lambda r: r.injection.date)

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
        assert reading.relief_percent is not None
        minimum = self.t[th.MIN_BLOCK_RELIEF_PERCENT]
        if self.t.get(th.BLOCK_RELIEF_EXCLUSIVE_FLAG):  # "greater than 50%" (ASPN) rather than "at least 75%"
            return reading.relief_percent > minimum
        return reading.relief_percent >= minimum

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
            self.episode.physical_therapy, self.episode.medications, record.injections, record.ablations, record.fusions
        )
        return conservative_care(joint_care, self.as_of, self.t.get(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS))

    @lazy
    def fusion(self) -> tuple[Fusion, str] | None:
        """The most recent fusion of this joint: recovery is tracked from it."""
        if not self.record.fusions:
            return None
        latest = max(self.record.fusions, key=lambda f: f.date)
        return latest, self.where(latest, "fusions")


def _contraindication_text(condition: FusionContraindication) -> str:
    detail = f": {condition.description}" if condition.description else ""
    return f"{condition.kind.replace('-', ' ')}{detail}"


def _diagnosis_text(diagnosis: Diagnosis) -> str:
    return f"diagnosis {diagnosis.code}" + (f" {diagnosis.display}" if diagnosis.display else "")


def _side_text(side: str | None) -> str:
    return f" ({side})" if side else ""
