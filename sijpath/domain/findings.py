"""What was observed about the patient: presentation, scores, examination, diagnoses, imaging, function."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator, model_validator

from sijpath.domain.base import ClinicalDate, FactId, Nrs, Percent, Side, Vocabulary

__all__ = [
    "Diagnosis",
    "FortinFingerTest",
    "FunctionalStatus",
    "FusionContraindication",
    "ImagingFinding",
    "ImagingStudy",
    "OdiScore",
    "PainPresentation",
    "PainScore",
    "ProvocationTest",
    "ProvocationTestName",
    "TobaccoUse",
]


ProvocationTestName = Literal[
    "distraction", "thigh-thrust", "compression", "sacral-thrust", "gaenslen", "faber", "yeoman"
]

ImagingFinding = Literal[
    "joint-space-widening",
    "subchondral-sclerosis",
    "joint-disruption",
    "destructive-lesion",
    "fracture",
    "inflammatory-sacroiliitis",
    "lumbar-stenosis-or-disc-herniation",
    "hip-osteoarthritis",
    "normal",
]
"""Controlled vocabulary of imaging findings; `subchondral-sclerosis` covers subchondral bone change."""

# ICD-10-CM: a letter, a digit, a digit or letter, then an optional dot and up to four more characters.
ICD10CM_PATTERN = r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"


class PainPresentation(Vocabulary):
    """Where and since when the patient hurts."""

    onset_date: ClinicalDate | None = None
    below_l5: StrictBool | None = Field(default=None, description="Pain is located below the L5 vertebra.")
    laterality: Literal["left", "right", "bilateral"] | None = None
    radiates_below_knee: StrictBool | None = None


class PainScore(Vocabulary):
    """A numeric pain rating (NRS 0–10) on a date, in a context."""

    fact_name: ClassVar[str] = "pain score"

    id: FactId = None
    date: ClinicalDate
    nrs: Nrs
    context: Literal["clinic", "diary", "follow-up", "pre-operative"] = "clinic"


class OdiScore(Vocabulary):
    """An Oswestry Disability Index score in percent (0 = no disability, 100 = bed-bound)."""

    fact_name: ClassVar[str] = "ODI score"

    id: FactId = None
    date: ClinicalDate
    percent: Percent


class ProvocationTest(Vocabulary):
    """An SI-joint provocation manoeuvre; it counts as positive only when it reproduces the familiar pain."""

    fact_name: ClassVar[str] = "provocation test"

    id: FactId = None
    date: ClinicalDate
    test: ProvocationTestName
    side: Side | None = None
    result: Literal["familiar-pain", "other-pain", "no-pain"]

    @property
    def positive(self) -> bool:
        return self.result == "familiar-pain"


class FortinFingerTest(Vocabulary):
    """The patient points, with one finger, to the pain just inferomedial to the PSIS."""

    fact_name: ClassVar[str] = "Fortin finger test"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = None
    positive: StrictBool


class Diagnosis(Vocabulary):
    """A coded diagnosis: ICD-10-CM, or SNOMED CT as a FHIR Condition may carry it."""

    fact_name: ClassVar[str] = "diagnosis"

    id: FactId = None
    system: Literal["icd-10-cm", "snomed-ct"] = Field(
        default="icd-10-cm", description="The code system of `code`: ICD-10-CM (default) or SNOMED CT."
    )
    code: Annotated[
        str,
        Field(
            min_length=1,
            max_length=18,
            description="ICD-10-CM code (for example `M46.1`) or SNOMED CT concept id (for example `9631008`).",
        ),
    ]
    display: str | None = None
    recorded_date: ClinicalDate
    status: Literal["active", "resolved"] = "active"

    @field_validator("code")
    @classmethod
    def _code_fits_system(cls, code: str, info: ValidationInfo) -> str:
        system = info.data.get("system", "icd-10-cm")
        pattern, example = _CODE_PATTERNS[system]
        if not re.match(pattern, code):
            raise ValueError(f"`{code}` is not a {system} code (for example `{example}`)")
        return code


_CODE_PATTERNS = {"icd-10-cm": (ICD10CM_PATTERN, "M46.1"), "snomed-ct": (r"^[0-9]{6,18}$", "9631008")}


class ImagingStudy(Vocabulary):
    """An imaging study of one region with its findings from the controlled vocabulary."""

    fact_name: ClassVar[str] = "imaging study"

    id: FactId = None
    date: ClinicalDate
    modality: Literal["xray", "ct", "mri"]
    region: Literal["sij", "pelvis", "lumbar", "hip"]
    side: Side | None = Field(
        default=None,
        description="The side the findings concern (left, right or bilateral); null when the report does not say. "
        "Findings of an SI-joint study without a side never count for one joint.",
    )
    findings: Annotated[tuple[ImagingFinding, ...], Field(min_length=1)]

    @property
    def sij_cross_sectional(self) -> bool:
        """A CT or MRI that shows the SI joint (of the joint itself, or of the pelvis)."""
        return self.modality in ("ct", "mri") and self.region in ("sij", "pelvis")

    @model_validator(mode="after")
    def _normal_stands_alone(self) -> ImagingStudy:
        if "normal" in self.findings and len(self.findings) > 1:
            raise ValueError("`normal` cannot be combined with other findings")
        return self


class TobaccoUse(Vocabulary):
    """Smoking status on a date, with the cotinine level when one was measured."""

    fact_name: ClassVar[str] = "tobacco-use record"

    id: FactId = None
    date: ClinicalDate
    status: Literal["never", "former", "current"]
    cotinine_ng_per_ml: Annotated[float, Field(strict=True, ge=0)] | None = None


class FusionContraindication(Vocabulary):
    """A condition that argues against SI-joint procedures (fusion, or all of them for a red flag)."""

    fact_name: ClassVar[str] = "contraindication"

    id: FactId = None
    date: ClinicalDate
    kind: Literal[
        "generalized-pain-disorder", "infection", "tumor", "inflammatory-arthropathy", "fracture", "pregnancy"
    ]
    description: str | None = None
    active: StrictBool = True


class FunctionalStatus(Vocabulary):
    """How the pain affects work and activities of daily living on a date."""

    fact_name: ClassVar[str] = "functional-status record"

    id: FactId = None
    date: ClinicalDate
    work: Literal["full-duty", "restricted", "unable", "not-applicable"] | None = None
    adl_limited: StrictBool | None = Field(
        default=None, description="Activities of daily living are limited by the pain."
    )
    note: str | None = None
