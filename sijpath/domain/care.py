"""Non-interventional care: physical-therapy courses and medication courses."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from sijpath.domain.base import ClinicalDate, FactId, Vocabulary

__all__ = ["MedicationCourse", "PhysicalTherapyCourse"]


class _Course(Vocabulary):
    """A course of care from `start_date` to `end_date` (open-ended while it goes on)."""

    id: FactId = None
    start_date: ClinicalDate
    end_date: ClinicalDate | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Course:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


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
