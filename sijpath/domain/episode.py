"""The episode of care: one patient's SI-joint history, the aggregate every assessment reads."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import Field

from sijpath.domain.base import ClinicalDate, Vocabulary
from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse, SupportiveCareCourse
from sijpath.domain.findings import (
    Diagnosis,
    FortinFingerTest,
    FunctionalStatus,
    FusionContraindication,
    ImagingStudy,
    OdiScore,
    PainPresentation,
    PainScore,
    ProvocationTest,
    TobaccoUse,
)
from sijpath.domain.procedures import (
    DiagnosticBlock,
    Fusion,
    LateralBranchBlock,
    PostOperativeFollowUp,
    RadiofrequencyAblation,
    TherapeuticInjection,
)

__all__ = ["EPISODE_FORMAT", "EPISODE_FORMATS", "Episode", "Patient"]

EpisodeFormat = Literal["sijpath-episode/1", "sijpath-episode/2"]
EPISODE_FORMAT: Final = "sijpath-episode/2"
# Version 1 documents load unchanged (see docs/episode-format.md, "From version 1"); `sijpath episode upgrade`
# rewrites them as version 2.
EPISODE_FORMATS: tuple[EpisodeFormat, ...] = ("sijpath-episode/1", EPISODE_FORMAT)


class Patient(Vocabulary):
    """Who the episode is about."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    name: Annotated[
        str | None, Field(min_length=1, max_length=200, description="Full name, as a letter names the patient.")
    ] = None
    birth_date: ClinicalDate | None = None
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    member_id: Annotated[
        str | None,
        Field(
            min_length=1, max_length=64, description="Health-plan member ID, as a prior-authorization letter gives it."
        ),
    ] = None


class Episode(Vocabulary):
    """One patient's SI-joint episode of care, as documented; lists may be in any order."""

    format: EpisodeFormat = Field(default=EPISODE_FORMAT, description="Format marker and version of this document.")
    patient: Patient
    pain: PainPresentation = PainPresentation()
    pain_scores: tuple[PainScore, ...] = ()
    odi_scores: tuple[OdiScore, ...] = ()
    provocation_tests: tuple[ProvocationTest, ...] = ()
    fortin_tests: tuple[FortinFingerTest, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    imaging: tuple[ImagingStudy, ...] = ()
    diagnostic_blocks: tuple[DiagnosticBlock, ...] = ()
    therapeutic_injections: tuple[TherapeuticInjection, ...] = ()
    lateral_branch_blocks: tuple[LateralBranchBlock, ...] = ()
    radiofrequency_ablations: tuple[RadiofrequencyAblation, ...] = ()
    physical_therapy: tuple[PhysicalTherapyCourse, ...] = ()
    medications: tuple[MedicationCourse, ...] = ()
    supportive_care: tuple[SupportiveCareCourse, ...] = ()
    fusions: tuple[Fusion, ...] = ()
    post_operative_follow_ups: tuple[PostOperativeFollowUp, ...] = ()
    tobacco: tuple[TobaccoUse, ...] = ()
    contraindications: tuple[FusionContraindication, ...] = ()
    contraindications_reviewed_on: ClinicalDate | None = Field(
        default=None,
        description="Date a clinician reviewed the record for conditions that argue against fusion; without it an "
        "empty `contraindications` list means 'not documented', not 'none'.",
    )
    functional_status: tuple[FunctionalStatus, ...] = ()
