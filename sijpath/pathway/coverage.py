"""Flags about a decision itself: a next step its issuer does not cover, and a same-day bilateral fusion it excludes."""

from __future__ import annotations

from sijpath.engine.decision import Decision
from sijpath.engine.results import Evidence, FlagResult
from sijpath.engine.rule import DecisionFlag
from sijpath.engine.ruleset import RuleSet
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts

__all__ = ["COVERAGE_CONFLICT", "SAME_DAY_BILATERAL_FUSION"]


def coverage_conflict(j: JointFacts, decision: Decision, ruleset: RuleSet) -> FlagResult | None:
    """The clinical next step stands; the flag says its procedure is not covered (or investigational) here."""
    procedure = decision.next_step.procedure
    statement = ruleset.coverage.get(procedure) if procedure else None
    if statement is None or statement.status not in ("not-covered", "investigational"):
        return None
    note = f" ({statement.note})" if statement.note else ""
    message = (
        f"{decision.next_step.step.name[:1].upper()}{decision.next_step.step.name[1:]} (CPT {procedure}, "
        f"{j.joint} joint) is {statement.status.replace('-', ' ')} under {ruleset.title} {ruleset.version}{note}; "
        "the clinical pathway still points to it."
    )
    return FlagResult(
        "warning", message, (Evidence(None, f"coverage of {procedure}: {statement.status}", None),), statement.cites
    )


COVERAGE_CONFLICT = DecisionFlag[JointFacts](
    id="coverage",
    title="Next step not covered by the rule set's issuer",
    code="coverage-conflict",
    cites=(),
    check=coverage_conflict,
)


def same_day_bilateral_fusion(j: JointFacts, decision: Decision, ruleset: RuleSet) -> FlagResult | None:
    """Fusion evaluation of one joint while the other hurts too, under a rule set that excludes same-day bilateral
    fusion: if both sides are referred, they are staged on separate days."""
    if decision.next_step.step is not v.FUSION_EVALUATION or not j.t.get(th.SAME_DAY_BILATERAL_FUSION_EXCLUDED_FLAG):
        return None
    other = next(r for joint, r in j.patient.attribution.joints.items() if joint != j.joint)
    if not other.symptomatic:
        return None
    return FlagResult(
        "warning",
        f"the other ({other.joint}) joint hurts too: {ruleset.title} excludes same-day bilateral fusion, so if both "
        "joints are referred, stage the fusions on separate days.",
        (Evidence(None, f"pain laterality: {j.episode.pain.laterality}", "pain.laterality"),),
        ruleset.thresholds[th.SAME_DAY_BILATERAL_FUSION_EXCLUDED_FLAG.name].cites,
    )


SAME_DAY_BILATERAL_FUSION = DecisionFlag[JointFacts](
    id="same-day-bilateral-fusion",
    title="Same-day bilateral fusion excluded",
    code="same-day-bilateral-fusion-excluded",
    cites=("evicore-cmm-611",),
    check=same_day_bilateral_fusion,
)
