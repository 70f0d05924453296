"""The thresholds a rule set may set: every name carries its unit, and every value must cite a source."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from sijpath.domain.conservative_care import CareComponent
from sijpath.domain.findings import ImagingFinding, ProvocationTestName

__all__ = ["THRESHOLD_UNITS", "Thresholds", "required"]

T = TypeVar("T")

Positive = Annotated[float, Field(gt=0)]
PercentValue = Annotated[float, Field(gt=0, le=100)]
Count = Annotated[int, Field(ge=1, le=50)]


class Thresholds(BaseModel):
    """All thresholds rules can read; a rule set sets those its enabled rules need (the loader checks)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_block_relief_percent: PercentValue | None = None
    min_pre_block_nrs_points: Annotated[float, Field(gt=0, le=10)] | None = None
    min_positive_block_count: Count | None = None
    accepted_block_guidance_modalities: tuple[Literal["fluoroscopy", "ct", "ultrasound"], ...] | None = None
    block_contrast_required_flag: bool | None = None
    anesthetic_window_minutes: dict[str, Annotated[int, Field(gt=0, le=24 * 60)]] | None = None
    min_lasting_injection_relief_percent: PercentValue | None = None
    min_lasting_injection_relief_months: Count | None = None
    min_injections_for_shortening_trend_count: Annotated[int, Field(ge=2, le=20)] | None = None
    min_conservative_care_months: Count | None = None
    max_conservative_care_gap_months: Count | None = None
    required_conservative_care_components: tuple[CareComponent, ...] | None = None
    min_impairment_odi_percent: PercentValue | None = None
    min_fusion_pain_nrs_points: Annotated[float, Field(gt=0, le=10)] | None = None
    min_injections_before_fusion_count: Count | None = None
    max_imaging_age_months: Count | None = None
    min_lasting_rfa_relief_months: Count | None = None
    block_relief_exclusive_flag: bool | None = None
    min_pain_duration_months: Count | None = None
    min_positive_provocation_tests_count: Count | None = None
    counted_provocation_tests: tuple[ProvocationTestName, ...] | None = None
    min_conservative_care_weeks: Count | None = None
    max_diagnostic_blocks_count: Count | None = None
    max_cotinine_ng_per_ml: Annotated[float, Field(ge=0)] | None = None
    max_therapeutic_injections_per_12_months_count: Count | None = None
    min_injection_interval_months: Count | None = None
    supervised_physical_therapy_required_flag: bool | None = None
    structural_imaging_findings: tuple[ImagingFinding, ...] | None = None
    steroid_concern_injection_interval_weeks: Count | None = None
    fusion_support_injection_interval_months: Count | None = None
    max_steroid_mpde_mg_per_12_months: Positive | None = None
    max_steroid_mpde_mg_per_36_months: Positive | None = None
    max_acute_pain_weeks: Count | None = None
    min_post_fusion_nrs_improvement_points: Annotated[float, Field(gt=0, le=10)] | None = None
    min_post_fusion_odi_improvement_points: Annotated[float, Field(gt=0, le=100)] | None = None
    expected_bony_fusion_months: Count | None = None
    expected_cane_walking_weeks: Count | None = None


# The unit each name ends in; the loader rejects a threshold whose name does not carry one.
THRESHOLD_UNITS = (
    "_tests",
    "_ng_per_ml",
    "_percent",
    "_count",
    "_months",
    "_weeks",
    "_minutes",
    "_points",
    "_modalities",
    "_flag",
    "_components",
    "_findings",
)


def required(value: T | None, name: str) -> T:
    """A threshold the loader guaranteed; reaching None here is a bug in the rule's declared thresholds."""
    if value is None:
        raise AssertionError(f"threshold {name} is not set; the rule must declare it in `thresholds`")
    return value
