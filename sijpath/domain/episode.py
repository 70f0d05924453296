"""The episode of care: one patient's SI-joint history, the aggregate every assessment reads."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sijpath.domain.base import ClinicalDate, Vocabulary
from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse
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
    PostOperativeFollowUp,
    RadiofrequencyAblation,
    TherapeuticInjection,
)

__all__ = ["Episode", "Patient"]


class Patient(Vocabulary):
    """Who the episode is about."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    birth_date: ClinicalDate | None = None
    sex: Literal["female", "male", "other", "unknown"] = "unknown"


class Episode(Vocabulary):
    """One patient's SI-joint episode of care, as documented; lists may be in any order."""

    format: Literal["sijpath-episode/1"] = Field(
        default="sijpath-episode/1", description="Format marker and version of this document."
    )
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
    radiofrequency_ablations: tuple[RadiofrequencyAblation, ...] = ()
    physical_therapy: tuple[PhysicalTherapyCourse, ...] = ()
    medications: tuple[MedicationCourse, ...] = ()
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
