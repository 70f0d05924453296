"""Every threshold the SI-joint pathway's rules read: declared once, with its unit in the name, type and meaning."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from sijpath.domain.conservative_care import CareComponent
from sijpath.domain.findings import ImagingFinding, ProvocationTestName
from sijpath.engine.thresholds import ThresholdSpec

__all__ = ["ALL_THRESHOLDS", "THRESHOLD_UNITS"]

Positive = Annotated[float, Field(gt=0, strict=False)]
PercentValue = Annotated[float, Field(gt=0, le=100)]
Points = Annotated[float, Field(gt=0, le=10)]
Count = Annotated[int, Field(ge=1, le=50)]
Modality = Literal["fluoroscopy", "ct", "ultrasound"]
Windows = dict[str, Annotated[int, Field(gt=0, le=24 * 60)]]
ScreenedCondition = Literal[
    "infection",
    "cauda-equina",
    "tumor",
    "fracture",
    "pregnancy",
    "inflammatory-arthropathy",
    "generalized-pain-disorder",
    "prior-lumbar-fusion",
    "hip-osteoarthritis",
    "neurogenic-claudication",
]
"""The value sets of the red-flag and exclusion screen (value-sets.toml), by id; a meta-test keeps them in step."""

# The unit each name ends in; the loader rejects a threshold whose name does not carry one.
THRESHOLD_UNITS = (
    "_tests",
    "_ng_per_ml",
    "_mme_per_day",
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
    "_conditions",
    "_kinds",
)

MIN_BLOCK_RELIEF_PERCENT = ThresholdSpec[float](
    "min_block_relief_percent", PercentValue, "Relief a diagnostic block must reach to be positive."
)
BLOCK_RELIEF_EXCLUSIVE_FLAG = ThresholdSpec[bool](
    "block_relief_exclusive_flag", bool, "Positive means more than the minimum (ASPN's '>50%'), not at least it."
)
MIN_PRE_BLOCK_NRS_POINTS = ThresholdSpec[float](
    "min_pre_block_nrs_points", Points, "Pain before a block below which its relief cannot be read."
)
MIN_BLOCK_RELIEF_DROP_NRS_POINTS = ThresholdSpec[float](
    "min_block_relief_drop_nrs_points",
    Points,
    "Smallest fall in pain (pre − post, when there is one) for a block's relief to be read at all.",
)
MAX_LITTLE_BLOCK_RELIEF_PERCENT = ThresholdSpec[float](
    "max_little_block_relief_percent",
    PercentValue,
    "Relief below which a block gives 'little to no relief' (negative); from it up to the positive threshold the "
    "response is partial.",
)
MIN_POST_BLOCK_MINUTES = ThresholdSpec[int](
    "min_post_block_minutes",
    Annotated[int, Field(ge=0, le=240)],
    "How long after the injection a post-block score must be read to count.",
)
MIN_POSITIVE_BLOCK_COUNT = ThresholdSpec[int](
    "min_positive_block_count", Count, "Positive valid blocks of the joint needed to confirm it."
)
MIN_POSITIVE_LATERAL_BRANCH_BLOCKS_COUNT = ThresholdSpec[int](
    "min_positive_lateral_branch_blocks_count",
    Count,
    "Positive lateral branch blocks (CPT 64451) of the joint needed before radiofrequency ablation of its nerves.",
)
MIN_LATERAL_BRANCH_BLOCK_RELIEF_PERCENT = ThresholdSpec[float](
    "min_lateral_branch_block_relief_percent", PercentValue, "Relief a lateral branch block must reach to be positive."
)
MIN_POSITIVE_BLOCKS_BEFORE_INJECTION_COUNT = ThresholdSpec[int](
    "min_positive_blocks_before_injection_count",
    Count,
    "Positive valid blocks of the joint a therapeutic injection needs, where a rule set asks fewer than confirmation.",
)
ACCEPTED_BLOCK_GUIDANCE_MODALITIES = ThresholdSpec[tuple[str, ...]](
    "accepted_block_guidance_modalities", tuple[Modality, ...], "Image guidance a diagnostic block may use."
)
BLOCK_CONTRAST_REQUIRED_FLAG = ThresholdSpec[bool](
    "block_contrast_required_flag", bool, "A diagnostic block must use contrast."
)
ANESTHETIC_WINDOW_MINUTES = ThresholdSpec[dict[str, int]](
    "anesthetic_window_minutes", Windows, "How long after the injection each anesthetic's effect is read."
)
MIN_LASTING_INJECTION_RELIEF_PERCENT = ThresholdSpec[float](
    "min_lasting_injection_relief_percent", PercentValue, "Relief a therapeutic injection must give to count."
)
MIN_LASTING_INJECTION_RELIEF_MONTHS = ThresholdSpec[int](
    "min_lasting_injection_relief_months", Count, "How long that relief must last to count as lasting."
)
MIN_LASTING_INJECTION_RELIEF_WEEKS = ThresholdSpec[int](
    "min_lasting_injection_relief_weeks",
    Count,
    "Where a rule set states the lasting relief in weeks: it replaces the months.",
)
SAME_DAY_BILATERAL_FUSION_EXCLUDED_FLAG = ThresholdSpec[bool](
    "same_day_bilateral_fusion_excluded_flag", bool, "The rule set excludes fusing both SI joints on the same day."
)
INJECTION_LIMIT_COUNTS_SESSIONS_FLAG = ThresholdSpec[bool](
    "injection_limit_counts_sessions_flag",
    bool,
    "The yearly injection limit counts sessions of either joint (a day is one session), not one joint's injections.",
)
INJECTION_FUNCTION_IMPROVEMENT_COUNTS_FLAG = ThresholdSpec[bool](
    "injection_function_improvement_counts_flag",
    bool,
    "Improved function for the lasting months counts as lasting relief, whatever the pain relief.",
)
INJECTION_FUNCTION_IMPROVEMENT_REQUIRED_FLAG = ThresholdSpec[bool](
    "injection_function_improvement_required_flag",
    bool,
    "Lasting relief also needs improved function (or less medication or service use) after the injection.",
)
MIN_INJECTIONS_FOR_SHORTENING_TREND_COUNT = ThresholdSpec[int](
    "min_injections_for_shortening_trend_count",
    Annotated[int, Field(ge=2, le=20)],
    "Injections with known relief durations needed to see a shortening trend.",
)
MIN_CONSERVATIVE_CARE_MONTHS = ThresholdSpec[int](
    "min_conservative_care_months", Count, "Months of continuous non-surgical care before fusion."
)
MAX_CONSERVATIVE_CARE_GAP_MONTHS = ThresholdSpec[int](
    "max_conservative_care_gap_months", Count, "A pause in care longer than this starts a new period."
)
REQUIRED_CONSERVATIVE_CARE_COMPONENTS = ThresholdSpec[tuple[str, ...]](
    "required_conservative_care_components",
    tuple[CareComponent, ...],
    "Kinds of non-surgical care that must have been tried before fusion.",
)
SUPERVISED_PHYSICAL_THERAPY_REQUIRED_FLAG = ThresholdSpec[bool](
    "supervised_physical_therapy_required_flag", bool, "Physical therapy must have been supervised."
)
MIN_INJECTIONS_BEFORE_FUSION_COUNT = ThresholdSpec[int](
    "min_injections_before_fusion_count", Count, "Therapeutic injections in the current period before fusion."
)
MIN_IMPAIRMENT_ODI_PERCENT = ThresholdSpec[float](
    "min_impairment_odi_percent", PercentValue, "ODI at or above which function counts as impaired."
)
IMPAIRMENT_DOCUMENTATION_KINDS = ThresholdSpec[tuple[str, ...]](
    "impairment_documentation_kinds",
    tuple[Literal["odi", "daily-activities", "work"], ...],
    "Which documentation of function can show impairment: an ODI score, a statement that daily activities are "
    "limited, a work restriction (all three when the rule set does not say).",
)
MIN_FUSION_PAIN_NRS_POINTS = ThresholdSpec[float](
    "min_fusion_pain_nrs_points", Points, "Current pain at or above which surgery may be considered."
)
MAX_IMAGING_AGE_MONTHS = ThresholdSpec[int](
    "max_imaging_age_months",
    Count,
    "Age of the imaging (SI-joint CT or MRI, pelvis, lumbar) a fusion decision may rest on.",
)
MAX_CONTRAINDICATION_REVIEW_AGE_MONTHS = ThresholdSpec[int](
    "max_contraindication_review_age_months", Count, "Age of a review for contraindications that still counts."
)
MAX_SMOKING_STATUS_AGE_MONTHS = ThresholdSpec[int](
    "max_smoking_status_age_months", Count, "Age of a smoking status or cotinine level that still counts."
)
MAX_EXAM_AGE_MONTHS = ThresholdSpec[int](
    "max_exam_age_months", Count, "Age of an examination finding (provocation test, Fortin finger test) that counts."
)
MAX_SCORE_AGE_MONTHS = ThresholdSpec[int](
    "max_score_age_months", Count, "Age of a pain score, ODI or function note that still describes the patient now."
)
STRUCTURAL_IMAGING_FINDINGS = ThresholdSpec[tuple[str, ...]](
    "structural_imaging_findings", tuple[ImagingFinding, ...], "Findings that count as structural change."
)
MIN_LASTING_RFA_RELIEF_MONTHS = ThresholdSpec[int](
    "min_lasting_rfa_relief_months", Count, "Relief after an ablation that makes it worth repeating."
)
MIN_INJECTION_PAIN_NRS_POINTS = ThresholdSpec[float](
    "min_injection_pain_nrs_points", Points, "Current pain (NRS 0-10) an SI-joint injection needs: moderate to severe."
)
MIN_PAIN_DURATION_MONTHS = ThresholdSpec[int]("min_pain_duration_months", Count, "Months the pain must have lasted.")
MIN_POSITIVE_PROVOCATION_TESTS_COUNT = ThresholdSpec[int](
    "min_positive_provocation_tests_count", Count, "Provocation tests that must reproduce the familiar pain."
)
COUNTED_PROVOCATION_TESTS = ThresholdSpec[tuple[str, ...]](
    "counted_provocation_tests", tuple[ProvocationTestName, ...], "Which provocation tests count."
)
MIN_CONSERVATIVE_CARE_WEEKS = ThresholdSpec[int](
    "min_conservative_care_weeks", Count, "Weeks of conservative care before an injection."
)
MAX_DIAGNOSTIC_BLOCKS_COUNT = ThresholdSpec[int](
    "max_diagnostic_blocks_count", Count, "Diagnostic block sessions allowed."
)
MAX_COTININE_NG_PER_ML = ThresholdSpec[float](
    "max_cotinine_ng_per_ml",
    Annotated[float, Field(ge=0)],
    "Cotinine level at or under which a patient is nicotine-free.",
)
MAX_THERAPEUTIC_INJECTIONS_PER_12_MONTHS_COUNT = ThresholdSpec[int](
    "max_therapeutic_injections_per_12_months_count", Count, "Therapeutic injections per joint per rolling 12 months."
)
MIN_INJECTION_INTERVAL_MONTHS = ThresholdSpec[int](
    "min_injection_interval_months", Count, "Shortest interval allowed between injections of a joint."
)
STEROID_CONCERN_INJECTION_INTERVAL_WEEKS = ThresholdSpec[int](
    "steroid_concern_injection_interval_weeks", Count, "Injections this close together raise steroid concern."
)
FUSION_SUPPORT_INJECTION_INTERVAL_MONTHS = ThresholdSpec[int](
    "fusion_support_injection_interval_months", Count, "Injections needed this often support fusion."
)
MAX_STEROID_MPDE_MG_PER_12_MONTHS = ThresholdSpec[float](
    "max_steroid_mpde_mg_per_12_months", Positive, "Corticosteroid (MPDE) over 12 months that raises a warning."
)
MAX_STEROID_MPDE_MG_PER_36_MONTHS = ThresholdSpec[float](
    "max_steroid_mpde_mg_per_36_months", Positive, "Corticosteroid (MPDE) over 36 months that raises a warning."
)
REASSESS_OPIOID_DOSE_MME_PER_DAY = ThresholdSpec[float](
    "reassess_opioid_dose_mme_per_day", Positive, "Daily opioid dose (MME) at which benefits and risks are reassessed."
)
AVOID_OPIOID_DOSE_MME_PER_DAY = ThresholdSpec[float](
    "avoid_opioid_dose_mme_per_day", Positive, "Daily opioid dose (MME) to avoid or carefully justify."
)
MAX_ACUTE_PAIN_WEEKS = ThresholdSpec[int]("max_acute_pain_weeks", Count, "Pain younger than this is acute.")
MIN_POST_FUSION_NRS_IMPROVEMENT_POINTS = ThresholdSpec[float](
    "min_post_fusion_nrs_improvement_points", Points, "Pain improvement after fusion that is clinically important."
)
MIN_POST_FUSION_ODI_IMPROVEMENT_POINTS = ThresholdSpec[float](
    "min_post_fusion_odi_improvement_points",
    Annotated[float, Field(gt=0, le=100)],
    "ODI improvement after fusion that is clinically important.",
)
EXPECTED_BONY_FUSION_MONTHS = ThresholdSpec[int](
    "expected_bony_fusion_months", Count, "Months by which CT should show bony bridging."
)
EXPECTED_CANE_WALKING_WEEKS = ThresholdSpec[int](
    "expected_cane_walking_weeks", Count, "Weeks after fusion by which most patients walk with a cane."
)

INJECTION_EXCLUDING_CONDITIONS = ThresholdSpec[tuple[str, ...]](
    "injection_excluding_conditions",
    tuple[ScreenedCondition, ...],
    "Screened conditions (value sets) that exclude an SI-joint block or therapeutic injection under this rule set, "
    "beyond the red flags that stop every procedure.",
)
FUSION_EXCLUDING_CONDITIONS = ThresholdSpec[tuple[str, ...]](
    "fusion_excluding_conditions",
    tuple[ScreenedCondition, ...],
    "Screened conditions (value sets) that exclude fusion under this rule set, beyond those every rule set excludes.",
)

ALL_THRESHOLDS: tuple[ThresholdSpec[Any], ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, ThresholdSpec)
)
"""Every threshold a rule set may set, in declaration order."""
