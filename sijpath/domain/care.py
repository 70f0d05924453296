"""Non-interventional care: physical-therapy, medication and supportive-care (bracing, activity change) courses."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from sijpath.domain.base import ClinicalDate, FactId, Vocabulary

__all__ = ["MedicationCourse", "PhysicalTherapyCourse", "SupportiveCareCourse", "SupportiveCareKind"]

SupportiveCareKind = Literal["bracing", "activity-modification"]


class _Course(Vocabulary):
    """A course of care from `start_date` to `end_date`, or open-ended: then it counts only up to the day it was
    last confirmed as ongoing (`last_confirmed`, e.g. a medication reconciliation), never up to today by default."""

    id: FactId = None
    start_date: ClinicalDate
    end_date: ClinicalDate | None = None
    last_confirmed: ClinicalDate | None = Field(
        default=None,
        description="For an open-ended course: the latest day it was confirmed as ongoing. Without it, an "
        "open-ended course counts for its start day only.",
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Course:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        if self.last_confirmed is not None and self.last_confirmed < self.start_date:
            raise ValueError(f"last_confirmed {self.last_confirmed} is before start_date {self.start_date}")
        return self

    @property
    def counted_until(self) -> ClinicalDate:
        """The last day this course counts as care: its end, else its last confirmation, else its start."""
        return self.end_date or self.last_confirmed or self.start_date


class PhysicalTherapyCourse(_Course):
    """A course of physical therapy (core and pelvic stabilization, manual therapy, home program)."""

    fact_name: ClassVar[str] = "physical-therapy course"

    sessions: Annotated[int, Field(strict=True, ge=0, le=500)] | None = None
    setting: Literal["supervised", "home-program"] | None = Field(
        default=None, description="Supervised therapy or a home program; null (the default) when not recorded."
    )
    focus: tuple[Literal["core-stabilization", "pelvic-stabilization", "manual-therapy", "general"], ...] = ()


class MedicationCourse(_Course):
    """A course of a pain medication; opioids carry their daily morphine milligram equivalents."""

    fact_name: ClassVar[str] = "medication course"

    drug_class: Literal["nsaid", "muscle-relaxant", "neuropathic-agent", "opioid", "acetaminophen", "other"]
    drug: str | None = None
    daily_mme: Annotated[float, Field(strict=True, ge=0, le=2000)] | None = None

    @model_validator(mode="after")
    def _mme_only_for_opioids(self) -> MedicationCourse:
        if self.daily_mme is not None and self.drug_class != "opioid":
            raise ValueError("daily_mme applies only to drug_class `opioid`")
        return self


class SupportiveCareCourse(_Course):
    """A course of bracing (e.g. an SI-joint belt) or of activity modification, which some sources list as
    components of non-operative care (the NASS-derived fusion template, BCBS MP-555)."""

    fact_name: ClassVar[str] = "supportive-care course"

    kind: SupportiveCareKind
