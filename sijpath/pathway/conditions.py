"""The facts the SI-joint decision table tests, each named once in the words `docs/rules.md` prints."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.domain.timeline import add_months, latest
from sijpath.engine.conditions import All, AnyOf, Fact, Is, Not
from sijpath.pathway import thresholds as th
from sijpath.pathway.diagnosis import BLOCK_CONFIRMS
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.injection_guidance import guided_injections
from sijpath.pathway.post_fusion import BONY_BRIDGING, ODI_IMPROVED, PAIN_IMPROVED

__all__ = [
    "ABLATION_LASTED",
    "ABLATION_RESULT_UNKNOWN",
    "ABLATION_STILL_HELPS",
    "ABLATION_TECHNIQUE_UNKNOWN",
    "ALWAYS",
    "FOLLOWED_PAST_EXPECTED_FUSION",
    "FOLLOW_UPS_WITHOUT_FUSION",
    "FUSED",
    "FUSION_FAILING",
    "INJECTED",
    "NOT_CONFIRMED",
    "NOT_INJECTED",
    "NO_ABLATION",
    "NO_BLOCK",
    "NO_GUIDED_INJECTION",
    "NO_VALID_BLOCK",
    "PAIN_SIDE_UNKNOWN",
    "RFA_NOT_REQUIRED",
    "UNSIDED_PROCEDURE",
    "UNVERIFIABLE_BLOCK",
    "latest_ablation",
]


def latest_ablation(j: JointFacts) -> RadiofrequencyAblation | None:
    """This joint's most recent radiofrequency ablation."""
    found = latest(j.ablations)
    return found[1] if found else None


def _ablation_helped(j: JointFacts) -> bool:
    ablation = latest_ablation(j)
    minimum = j.t[th.MIN_LASTING_INJECTION_RELIEF_PERCENT]
    return ablation is not None and ablation.relief_percent is not None and ablation.relief_percent >= minimum


def _ablation_end(j: JointFacts) -> dt.date | None:
    ablation = latest_ablation(j)
    if ablation is None or ablation.relief_duration_days is None:
        return None
    return ablation.date + dt.timedelta(days=ablation.relief_duration_days)


PAIN_SIDE_UNKNOWN = Fact[JointFacts]("the side of the pain is not recorded", lambda j: j.record.symptomatic is None)
UNSIDED_PROCEDURE = Fact[JointFacts]("an SI-joint procedure in the record has no side", lambda j: bool(j.unattributed))
FUSED = Fact[JointFacts]("this joint has been fused", lambda j: j.fusion is not None)
FOLLOW_UPS_WITHOUT_FUSION = Fact[JointFacts](
    "post-operative follow-ups are recorded but no fusion is",
    lambda j: bool(j.episode.post_operative_follow_ups) and not j.episode.fusions,
)
INJECTED = Fact[JointFacts]("this joint has had a therapeutic injection", lambda j: bool(j.injections))
NOT_INJECTED = Not(INJECTED)
NO_GUIDED_INJECTION = Fact[JointFacts](
    "every therapeutic injection of this joint was given without image guidance the rule set accepts",
    lambda j: guided_injections(j).none_guided,
)
UNVERIFIABLE_BLOCK = Fact[JointFacts](
    "no valid block of this joint, and one whose technique cannot yet be verified",
    lambda j: not j.valid_blocks and any(b.validity == "unverifiable" and b.block.side == j.joint for b in j.blocks),
)
NO_BLOCK = Fact[JointFacts](
    "no diagnostic block of this joint (alone or bilateral) is recorded", lambda j: not j.blocks
)
NO_VALID_BLOCK = Fact[JointFacts]("no valid block of this joint alone", lambda j: not j.valid_blocks)
NOT_CONFIRMED = Not(Is(BLOCK_CONFIRMS, ("met",)))
NO_ABLATION = Fact[JointFacts]("no radiofrequency ablation of this joint", lambda j: not j.ablations)
ABLATION_TECHNIQUE_UNKNOWN = Fact[JointFacts](
    "the latest ablation's technique is not recorded (a pulsed one would not be an ablation)",
    lambda j: (a := latest_ablation(j)) is not None and a.technique is None,
)
RFA_NOT_REQUIRED = Fact[JointFacts](
    "the rule set does not require radiofrequency ablation before fusion",
    lambda j: "radiofrequency-ablation" not in j.t.get(th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS, ()),
)
ABLATION_RESULT_UNKNOWN = Fact[JointFacts](
    "the latest ablation's relief, or (when it helped) its duration, is not recorded",
    lambda j: (
        (a := latest_ablation(j)) is not None
        and (a.relief_percent is None or (_ablation_helped(j) and a.relief_duration_days is None))
    ),
)
ABLATION_STILL_HELPS = Fact[JointFacts](
    "the latest ablation helped and still helps",
    lambda j: _ablation_helped(j) and (end := _ablation_end(j)) is not None and end >= j.as_of,
)
ABLATION_LASTED = Fact[JointFacts](
    "the latest ablation (its technique recorded) helped for at least the lasting-RFA months, then wore off",
    lambda j: (
        _ablation_helped(j)
        and (a := latest_ablation(j)) is not None
        and a.technique is not None  # an unrecorded technique may have been pulsed: not an ablation that lasted
        and (end := _ablation_end(j)) is not None
        and end >= add_months(a.date, j.t[th.MIN_LASTING_RFA_RELIEF_MONTHS])
    ),
)


def _followed_past_expected_fusion(j: JointFacts) -> bool:
    if j.fusion is None:
        return False
    fusion, _ = j.fusion
    expected_by = add_months(fusion.date, j.t[th.EXPECTED_BONY_FUSION_MONTHS])
    return j.as_of >= expected_by and any(v.date >= expected_by for v in j.record.follow_ups)


FOLLOWED_PAST_EXPECTED_FUSION = Fact[JointFacts](
    "a follow-up of the fused joint at or after the time bony fusion is expected",
    _followed_past_expected_fusion,
)
FUSION_FAILING = All(
    (
        FOLLOWED_PAST_EXPECTED_FUSION,
        AnyOf(
            (
                Is(BONY_BRIDGING, ("not-met",)),
                Is(PAIN_IMPROVED, ("not-met",)),
                Is(ODI_IMPROVED, ("not-met",)),
            )
        ),
    )
)
"""Past the expected time of bony fusion: no bridging on CT, or no important improvement in pain or disability."""
ALWAYS = Fact[JointFacts]("otherwise", lambda j: True)
