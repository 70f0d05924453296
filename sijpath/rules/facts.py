"""Facts derived once per evaluation from an episode and a rule set's thresholds; every rule reads these."""

from __future__ import annotations

import datetime as dt
import itertools

from pydantic import BaseModel

from sijpath.domain.base import same_joint
from sijpath.domain.blocks import BlockReading, read_block
from sijpath.domain.conservative_care import ConservativeCare, conservative_care
from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis, FusionContraindication
from sijpath.domain.injections import InjectionInterval, InjectionReading, injection_intervals, read_injection
from sijpath.domain.issues import DataIssue
from sijpath.domain.joints import episode_for_painful_joint
from sijpath.domain.procedures import Fusion, SteroidDose
from sijpath.domain.steroids import SteroidExposure, cumulative_mpde
from sijpath.domain.timeline import RollingWindow
from sijpath.engine.results import Evidence
from sijpath.rules.memo import lazy
from sijpath.rules.thresholds import Thresholds, required

__all__ = ["FUSION_EXCLUDING_FINDINGS", "INFLAMMATORY_ARTHROPATHY_CODES", "SACROILIITIS_CODES", "Facts"]

# ICD-10-CM, from the VSAC chronic-pain value set (source `icd10cm-exclusion-codes`).
SACROILIITIS_CODES = frozenset({"M46.1"})
INFLAMMATORY_ARTHROPATHY_CODES = frozenset({"M45.7", "M45.8"})
# The lists whose facts reach evidence without their position (care summaries, injection intervals).
LOCATABLE = ("physical_therapy", "medications", "therapeutic_injections", "radiofrequency_ablations")
# Imaging that excludes fusion: destructive lesions (tumor, infection) and inflammatory arthropathy (MP-555).
FUSION_EXCLUDING_FINDINGS = frozenset({"destructive-lesion", "inflammatory-sacroiliitis"})


class Facts:
    """What the rules need to know about one episode on one date, computed lazily and at most once."""

    def __init__(self, episode: Episode, as_of: dt.date, thresholds: Thresholds) -> None:
        # Rules read the painful joint's procedures; steroid exposure reads every dose, since it is systemic.
        self.whole_episode = episode
        self.episode, joint_issues = episode_for_painful_joint(episode)
        self.as_of = as_of
        self.t = thresholds
        self.data_issues: list[DataIssue] = joint_issues
        if episode.post_operative_follow_ups and not episode.fusions:
            self.data_issues.append(
                DataIssue(
                    "warning",
                    "post_operative_follow_ups",
                    "post-operative follow-ups are recorded but no fusion is: record the fusion (date, side, CPT)",
                )
            )
        self.blocks = self._read_blocks()
        self.injections = self._read_injections()

    def locate(self, fact: BaseModel) -> str | None:
        """Where a fact of this episode lives, for facts handed on without their list position."""
        fact_id = getattr(fact, "id", None)
        if isinstance(fact_id, str):
            return fact_id
        locations: dict[int, str] | None = self.__dict__.get("_locations")
        if locations is None:
            # Keyed by identity: the episode holds every fact for as long as these Facts live.
            locations = {
                id(item): f"{name}[{i}]" for name in LOCATABLE for i, item in enumerate(getattr(self.episode, name))
            }
            self.__dict__["_locations"] = locations
        return locations.get(id(fact))

    @staticmethod
    def ref(fact: BaseModel, location: str) -> str:
        """Where a fact lives: its own id (from the source record) or its place in the episode."""
        fact_id = getattr(fact, "id", None)
        return fact_id if isinstance(fact_id, str) else location

    def _read_blocks(self) -> list[BlockReading]:
        t = self.t
        readings = []
        for index, block in enumerate(self.episode.diagnostic_blocks):
            reading = read_block(
                block,
                self.ref(block, f"diagnostic_blocks[{index}]"),
                accepted_guidance=t.accepted_block_guidance_modalities or (),
                anesthetic_window_minutes=t.anesthetic_window_minutes or {},
                contrast_required=bool(t.block_contrast_required_flag),
                min_pre_block_nrs=t.min_pre_block_nrs_points,
            )
            if reading.data_problem:
                self.data_issues.append(
                    DataIssue("warning", reading.location, f"relief not computable: {reading.data_problem}")
                )
            readings.append(reading)
        # On a same-day tie the lower relief sorts last and so counts as "latest": the cautious reading, whatever
        # order the record lists the blocks in.
        readings.sort(key=lambda r: (r.block.date, -(r.relief_percent if r.relief_percent is not None else -1.0)))
        for earlier, later in itertools.pairwise(readings):
            if earlier.block.date == later.block.date and earlier.block.side == later.block.side:
                self.data_issues.append(
                    DataIssue(
                        "warning",
                        later.location,
                        f"two blocks of the {later.block.side} "
                        f"joint on {later.block.date}; the one with less relief is read as "
                        "the later",
                    )
                )
        return readings

    def _read_injections(self) -> list[InjectionReading]:
        threshold = required(self.t.min_lasting_injection_relief_percent, "min_lasting_injection_relief_percent")
        readings = []
        for index, injection in enumerate(self.episode.therapeutic_injections):
            reading = read_injection(injection, self.ref(injection, f"therapeutic_injections[{index}]"), threshold)
            if reading.data_problem:
                self.data_issues.append(DataIssue("warning", reading.location, reading.data_problem))
            readings.append(reading)
        return sorted(readings, key=lambda r: r.injection.date)

    # Diagnostic blocks

    @lazy
    def valid_blocks(self) -> list[BlockReading]:
        return [b for b in self.blocks if b.validity == "valid"]

    @property
    def block_threshold_text(self) -> str:
        """How the rule set states block positivity: `≥75%`, or `>50%` when the threshold is exclusive."""
        minimum = required(self.t.min_block_relief_percent, "min_block_relief_percent")
        return f"{'>' if self.t.block_relief_exclusive_flag else '≥'}{minimum:g}%"

    def block_positive(self, reading: BlockReading) -> bool:
        assert reading.relief_percent is not None
        minimum = required(self.t.min_block_relief_percent, "min_block_relief_percent")
        if self.t.block_relief_exclusive_flag:  # "greater than 50%" (ASPN) rather than "at least 75%"
            return reading.relief_percent > minimum
        return reading.relief_percent >= minimum

    def block_evidence(self, reading: BlockReading) -> Evidence:
        """The evidence line for a block, built once per evaluation."""
        cache: dict[str, Evidence] = self.__dict__.setdefault("_block_evidence", {})
        if reading.location not in cache:
            cache[reading.location] = Evidence(reading.block.date, reading.describe(), reading.location)
        return cache[reading.location]

    # Therapeutic injections and steroid exposure

    def injection_evidence(self, reading: InjectionReading) -> Evidence:
        """The evidence line for an injection, built once per evaluation (several rules cite the same one)."""
        cache: dict[str, Evidence] = self.__dict__.setdefault("_injection_evidence", {})
        if reading.location not in cache:
            cache[reading.location] = Evidence(reading.injection.date, reading.describe(), reading.location)
        return cache[reading.location]

    @lazy
    def latest_joint_injections(self) -> list[InjectionReading]:
        """Injections of the joint most recently injected: the series whose relief trend matters now."""
        if not self.injections:
            return []
        side = self.injections[-1].injection.side
        return [r for r in self.injections if same_joint(r.injection.side, side)]

    @lazy
    def injections_last_year(self) -> list[InjectionReading]:
        """Therapeutic injections in the rolling 12 months to the as-of date."""
        year = RollingWindow(self.as_of, 12)
        return [r for r in self.injections if r.injection.date in year]

    @lazy
    def injection_intervals(self) -> list[InjectionInterval]:
        return injection_intervals([r.injection for r in self.injections])

    @lazy
    def steroid_doses(self) -> list[tuple[dt.date, str, SteroidDose]]:
        """Every corticosteroid dose given, from injections and from (improperly) steroid-containing blocks."""
        whole = self.whole_episode
        doses = [
            (i.date, self.ref(i, f"therapeutic_injections[{n}]"), i.steroid)
            for n, i in enumerate(whole.therapeutic_injections)
            if i.steroid is not None
        ]
        doses += [
            (b.date, self.ref(b, f"diagnostic_blocks[{n}]"), s)
            for n, b in enumerate(whole.diagnostic_blocks)
            for s in b.steroids
        ]
        return doses

    def exposure(self, months: int) -> SteroidExposure:
        """Corticosteroid MPDE over the rolling `months` to the as-of date, computed once per window."""
        cache: dict[int, SteroidExposure] = self.__dict__.setdefault("_exposure", {})
        if months not in cache:
            cache[months] = cumulative_mpde(self.steroid_doses, self.as_of, months)
        return cache[months]

    # Conservative care, function, imaging, contraindications

    @lazy
    def care(self) -> ConservativeCare:
        return conservative_care(self.episode, self.as_of, self.t.max_conservative_care_gap_months)

    @lazy
    def fusion(self) -> tuple[Fusion, str] | None:
        """The most recent fusion of the painful joint: recovery is tracked from it."""
        fusions = sorted(enumerate(self.episode.fusions), key=lambda pair: pair[1].date)
        if not fusions:
            return None
        index, fusion = fusions[-1]
        return fusion, self.ref(fusion, f"fusions[{index}]")

    @lazy
    def inflammatory_sacroiliitis(self) -> list[Evidence]:
        found = [
            Evidence(d.recorded_date, f"diagnosis {d.code} {d.display or ''}".strip(), self.ref(d, f"diagnoses[{i}]"))
            for i, d in enumerate(self.episode.diagnoses)
            if d.code in SACROILIITIS_CODES and d.status == "active"
        ]
        found += [
            Evidence(
                s.date, f"{s.modality.upper()} {s.region}: inflammatory sacroiliitis", self.ref(s, f"imaging[{i}]")
            )
            for i, s in enumerate(self.episode.imaging)
            if "inflammatory-sacroiliitis" in s.findings
        ]
        return found

    @lazy
    def contraindications(self) -> list[Evidence]:
        """Active conditions that argue against fusion: recorded directly, as ICD-10-CM diagnoses, or on imaging."""
        found = [
            Evidence(c.date, _contraindication_text(c), self.ref(c, f"contraindications[{i}]"))
            for i, c in enumerate(self.episode.contraindications)
            if c.active
        ]
        found += [
            Evidence(
                s.date, f"{s.modality.upper()} {s.region}: {finding.replace('-', ' ')}", self.ref(s, f"imaging[{i}]")
            )
            for i, s in enumerate(self.episode.imaging)
            for finding in s.findings
            if finding in FUSION_EXCLUDING_FINDINGS and s.region in ("sij", "pelvis")
        ]
        found += [
            Evidence(
                d.recorded_date, _diagnosis_text(d) + " (inflammatory arthropathy)", self.ref(d, f"diagnoses[{i}]")
            )
            for i, d in enumerate(self.episode.diagnoses)
            if d.code in INFLAMMATORY_ARTHROPATHY_CODES and d.status == "active"
        ]
        return found


def _contraindication_text(condition: FusionContraindication) -> str:
    detail = f": {condition.description}" if condition.description else ""
    return f"{condition.kind.replace('-', ' ')}{detail}"


def _diagnosis_text(diagnosis: Diagnosis) -> str:
    return f"diagnosis {diagnosis.code}" + (f" {diagnosis.display}" if diagnosis.display else "")
