"""Every rule sijpath knows, in pathway order; rule sets enable them by id (no import-time registration)."""

from __future__ import annotations

from sijpath.engine.rule import CriterionRule, FlagRule
from sijpath.rules import candidacy, diagnosis, exam, fusion, nonsurgical, policy, post_fusion
from sijpath.rules.facts import Facts

__all__ = ["CRITERIA", "FLAGS", "PATHWAY_RULES", "PATHWAY_THRESHOLDS"]

CRITERIA: tuple[CriterionRule[Facts], ...] = (
    diagnosis.PAIN_PRESENTATION,
    policy.PAIN_DURATION,
    exam.PROVOCATION_CLUSTER,
    exam.FORTIN_POINT,
    diagnosis.BLOCK_CONFIRMS,
    diagnosis.REPEAT_BLOCK_FAILS,
    exam.COMPARATIVE_BLOCKS,
    policy.DIAGNOSTIC_BLOCK_LIMIT,
    nonsurgical.INJECTION_FIRST_LINE,
    nonsurgical.INJECTION_RELIEF_LASTING,
    nonsurgical.RFA_CANDIDATE,
    policy.CARE_BEFORE_INJECTION,
    policy.INJECTION_COUNT_LIMIT,
    fusion.CARE_DURATION,
    fusion.CARE_COMPONENTS,
    candidacy.STRUCTURAL_IMAGING,
    candidacy.FUNCTIONAL_IMPAIRMENT,
    candidacy.PAIN_SEVERITY,
    policy.IMAGING_TRIAD,
    policy.IMAGING_RECENCY,
    policy.NICOTINE_FREE,
    fusion.NO_CONTRAINDICATION,
    fusion.RELIEF_SHORTENING,
    fusion.FREQUENT_INJECTIONS,
    post_fusion.BONY_BRIDGING,
    post_fusion.PAIN_IMPROVED,
    post_fusion.ODI_IMPROVED,
    post_fusion.OFF_OPIOIDS,
)

FLAGS: tuple[FlagRule[Facts], ...] = (
    diagnosis.BLOCK_TECHNIQUE_FLAG,
    nonsurgical.DIMINISHING_RELIEF_FLAG,
    nonsurgical.INJECTION_FREQUENCY_FLAG,
    nonsurgical.CUMULATIVE_STEROID_FLAG,
    policy.INJECTION_LIMITS_FLAG,
    fusion.CONTRAINDICATION_FLAG,
    policy.EVIDENCE_CAUTION_FLAG,
)

# The pathway cannot walk without these; every rule set must enable them.
PATHWAY_RULES = ("diagnostic-block-confirms-sij", "repeat-block-fails-to-confirm", "injection-relief-lasting")
# Thresholds the pathway itself reads, beyond those of the enabled rules.
PATHWAY_THRESHOLDS = (
    "min_lasting_injection_relief_percent",
    "min_lasting_rfa_relief_months",
    "expected_bony_fusion_months",
    "expected_cane_walking_weeks",
)
