"""Facts derived once per evaluation: the patient's (shared by both joints) and each joint's own; rules read these."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TypeVar

from pydantic import BaseModel

from sijpath.domain.base import Joint
from sijpath.domain.blocks import BlockReading, percent_text, read_block
from sijpath.domain.conservative_care import ConservativeCare, JointCare, conservative_care
from sijpath.domain.injections import InjectionInterval, InjectionReading, injection_intervals, read_injection
from sijpath.domain.issues import DataIssue
from sijpath.domain.joints import JointRecord
from sijpath.domain.procedures import DiagnosticBlock, Fusion, RadiofrequencyAblation, TherapeuticInjection
from sijpath.engine.results import Evidence
from sijpath.pathway import thresholds as th
from sijpath.pathway.patient import BlockResult, PatientFacts, lazy

__all__ = [
    "JointFacts",
    "PatientFacts",
    "lazy",
]


Reading = TypeVar("Reading", BlockReading, InjectionReading)
# ICD-10-CM prefixes of axial spondyloarthritis, as the inflammatory-arthropathy value set lists them (value-sets.toml).
AXIAL_SPONDYLOARTHRITIS = ("M45", "L40.5")


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
        self.ablations = self._read_ablations()

    @lazy
    def inflammatory_sacroiliitis(self) -> list[Evidence]:
        """Inflammatory sacroiliitis of this joint: imaging of this joint (or unsided) that shows it, or an active
        axial spondyloarthritis diagnosis (ankylosing spondylitis and axial SpA M45, psoriatic spondylitis L40.5),
        which involves the SI joints. Sacroiliitis NEC (M46.1) alone is the routine code for mechanical SI-joint pain,
        and a peripheral arthritis (rheumatoid) does not involve them: neither is read as inflammatory sacroiliitis."""
        studies = (*self.record.imaging, *self.record.unsided_imaging)
        axial = [
            Evidence(d.recorded_date, f"diagnosis {d.code}" + (f" {d.display}" if d.display else ""), self.where(d))
            for d in self.episode.diagnoses
            if d.status == "active" and d.system != "snomed-ct" and d.code.startswith(AXIAL_SPONDYLOARTHRITIS)
        ]
        return axial + [
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
        if not self.record.blocks:
            return []
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
        # the same day): only the one with less relief (sorted last) counts, so a duplicate never adds a positive.
        return self._one_per_day(readings, _BLOCK_OF, "diagnostic_blocks", "blocks", "as the one with less relief")

    def _read_ablations(self) -> tuple[RadiofrequencyAblation, ...]:
        """This joint's ablations: pulsed radiofrequency modulates the nerve without lesioning it, so it is not one
        (it neither counts as RFA tried nor as a response to repeat)."""
        if not self.record.ablations:
            return ()
        pulsed = [a for a in self.record.ablations if a.technique == "pulsed"]
        for ablation in pulsed:
            self.patient.data_issues.append(
                DataIssue(
                    "info",
                    self.where(ablation, "radiofrequency_ablations"),
                    f"pulsed radiofrequency on {ablation.date} is not an ablation: it is not counted as "
                    "radiofrequency ablation tried",
                )
            )
        kept: list[RadiofrequencyAblation] = []
        for ablation in sorted((a for a in self.record.ablations if a.technique != "pulsed"), key=lambda a: a.date):
            if kept and kept[-1].date == ablation.date:
                # One ablation of one joint per day: a re-sent record counts once (the later-listed one).
                self.patient.data_issues.append(
                    DataIssue(
                        "warning",
                        self.where(kept[-1], "radiofrequency_ablations"),
                        f"two radiofrequency ablations of the {self.joint} joint on {ablation.date} "
                        f"({self.where(kept[-1], 'radiofrequency_ablations')} and "
                        f"{self.where(ablation, 'radiofrequency_ablations')}): counted once",
                    )
                )
                kept.pop()
            kept.append(ablation)
        return tuple(kept)

    def _read_injections(self) -> list[InjectionReading]:
        if not self.record.injections:
            return []
        threshold = self.t[th.MIN_LASTING_INJECTION_RELIEF_PERCENT]
        readings = []
        for injection in self.record.injections:
            reading = read_injection(injection, threshold)
            if reading.data_problem:
                where = self.where(injection, "therapeutic_injections")
                self.patient.data_issues.append(DataIssue("warning", where, reading.data_problem))
            readings.append(reading)
        readings.sort(key=_INJECTION_DATE)
        # One injection of one joint per day: a duplicate (the same event re-sent under a new id) counts once.
        return self._one_per_day(readings, _INJECTION_OF, "therapeutic_injections", "therapeutic injections")

    def _one_per_day(
        self,
        readings: list[Reading],
        procedure_of: Callable[[Reading], DiagnosticBlock | TherapeuticInjection],
        list_name: str,
        plural: str,
        kept: str = "",
    ) -> list[Reading]:
        """One reading per joint per day, the last of each date (readings come sorted), with a data issue naming
        the pair that was counted once. A one-sided and a bilateral record of the same joint on one day are one
        session coded twice as much as two same-side records are."""
        occasions: list[Reading] = []
        for reading in readings:
            procedure = procedure_of(reading)
            if occasions and (previous := procedure_of(occasions[-1])).date == procedure.date:
                occasions.pop()
                sides = " and ".join(dict.fromkeys(str(p.side) for p in (previous, procedure)))
                self.patient.data_issues.append(
                    DataIssue(
                        "warning",
                        self.where(previous, list_name),
                        f"two {plural} of the {self.joint} joint ({sides}) on {procedure.date} "
                        f"({self.where(previous, list_name)} and {self.where(procedure, list_name)}): counted once"
                        + (f", {kept}" if kept else ""),
                    )
                )
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

    def drop_too_small(self, reading: BlockReading) -> float | None:
        """The fall in pain (NRS points) when it is under the rule set's minimal important change, else None."""
        min_drop = self.t.get(th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS)
        pre, post = reading.block.pre_block_nrs, reading.block.post_block_nrs
        if min_drop is None or pre is None or post is None or pre - post >= min_drop:
            return None
        return pre - post

    def block_shortfall(self, reading: BlockReading) -> str:
        """Why a block that is not positive is not: too small a fall in pain to read, a partial response, or little
        relief. The percentage is never shown as if it missed a threshold it reached."""
        assert reading.relief_percent is not None
        relief = percent_text(reading.relief_percent)
        drop = self.drop_too_small(reading)
        if drop is not None and self.block_result(reading) != "negative":
            block = reading.block
            return (
                f"gave {relief}% relief, but pain fell only {drop:g} points ({block.pre_block_nrs:g} → "
                f"{block.post_block_nrs:g}), under the {self.t[th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS]:g}-point minimal "
                "important change: too little pain to read it as positive"
            )
        if self.block_result(reading) == "partial":
            return f"gave {relief}% relief, not {self.block_threshold_text} (a partial response)"
        return f"gave {relief}% relief, not {self.block_threshold_text} (little to no relief)"

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
        counted = self.t.get(th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS, ())
        joint_care = JointCare(
            self.episode.physical_therapy,
            self.episode.medications,
            tuple(r.injection for r in self.injections),  # one per occasion: a duplicate adds no injection
            self.ablations,
            record.fusions,
            # Bracing and activity modification count only where the rule set's sources list them as components.
            tuple(c for c in self.episode.supportive_care if c.kind in counted),
        )
        return conservative_care(joint_care, self.as_of, self.t.get(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS))

    @lazy
    def fusion(self) -> tuple[Fusion, str] | None:
        """The most recent fusion of this joint: recovery is tracked from it."""
        if not self.record.fusions:
            return None
        latest = max(self.record.fusions, key=lambda f: f.date)
        return latest, self.where(latest, "fusions")


_BLOCK_OF: Callable[[BlockReading], DiagnosticBlock] = attrgetter("block")
_INJECTION_OF: Callable[[InjectionReading], TherapeuticInjection] = attrgetter("injection")
_INJECTION_DATE = attrgetter("injection.date")


def _side_text(side: str | None) -> str:
    return f" ({side})" if side else ""
