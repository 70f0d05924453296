"""Lateral branch blocks (CPT 64451) before radiofrequency ablation, where a rule set requires them."""

from __future__ import annotations

from sijpath.domain.blocks import BlockReading, percent_text
from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Flag, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.conditions import (
    ABLATION_LASTED,
    ABLATION_RESULT_UNKNOWN,
    ABLATION_STILL_HELPS,
    latest_ablation,
)
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.lateral_branch_reading import block_evidence, lateral_branch_readings, unreadable

__all__ = [
    "LATERAL_BRANCH_BLOCKS",
    "LATERAL_BRANCH_TECHNIQUE_FLAG",
    "NEGATIVE_READING",
    "REPEAT_READING",
    "latest_result",
]

REPEAT_READING = "sijpath-rfa-repeat-without-blocks"
NEGATIVE_READING = "sijpath-lateral-branch-negative"


def _positive(j: JointFacts, reading: BlockReading) -> bool:
    """At the rule set's own lateral-branch relief threshold (no source gives one for these blocks, so it is never
    the intra-articular block's borrowed silently), with the minimal important fall in pain where the rule set sets
    one."""
    assert reading.relief_percent is not None
    return (
        reading.relief_percent >= j.t[th.MIN_LATERAL_BRANCH_BLOCK_RELIEF_PERCENT] and j.drop_too_small(reading) is None
    )


def _threshold_text(j: JointFacts) -> str:
    return f"≥{j.t[th.MIN_LATERAL_BRANCH_BLOCK_RELIEF_PERCENT]:g}%"


def _shortfall(j: JointFacts, reading: BlockReading) -> str:
    """Why a lateral branch block is not positive, in numbers that never contradict the comparison."""
    assert reading.relief_percent is not None
    relief, block = percent_text(reading.relief_percent), reading.block
    little = reading.relief_percent < j.t[th.MAX_LITTLE_BLOCK_RELIEF_PERCENT]
    drop = j.drop_too_small(reading)
    if drop is not None and not little:
        return (
            f"gave {relief}% relief, but pain fell only {drop:g} points ({block.pre_block_nrs:g} → "
            f"{block.post_block_nrs:g}), under the {j.t[th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS]:g}-point minimal "
            "important change"
        )
    kind = "little to no relief" if little else "a partial response"
    return f"gave {relief}% relief, not {_threshold_text(j)} ({kind})"


def _result(j: JointFacts, reading: BlockReading) -> str:
    """Positive, negative (little to no relief, as for an intra-articular block) or partial (in between: it asks
    for a repeat, as an intra-articular block's does)."""
    assert reading.relief_percent is not None
    if _positive(j, reading):
        return "positive"
    return "negative" if reading.relief_percent < j.t[th.MAX_LITTLE_BLOCK_RELIEF_PERCENT] else "partial"


def latest_result(j: JointFacts) -> str | None:
    """How this joint's latest valid lateral branch block reads (after any ablation standing in for blocks)."""
    ablation = _stand_in(j)
    valid = [
        r for b, r in lateral_branch_readings(j) if r.validity == "valid" and (not ablation or b.date > ablation.date)
    ]
    return _result(j, valid[-1]) if valid else None


def _stand_in(j: JointFacts) -> RadiofrequencyAblation | None:
    """The earlier ablation that stands in place of new blocks before a repeat: this joint's alone (a bilateral one
    does not show which side's nerves carried the pain), with its technique recorded, that lasted."""
    ablation = latest_ablation(j) if ABLATION_LASTED.check(j) else None
    return ablation if ablation is not None and ablation.side == j.joint else None


def _repeat_not_in_question(j: JointFacts) -> bool:
    """An ablation of this joint was tried and its result is known, but it did not last: no repeat is in question,
    so no blocks are asked for (the next step does not need them)."""
    ablation = latest_ablation(j)
    return (
        ablation is not None
        and ablation.technique is not None
        and not ABLATION_LASTED.check(j)
        and not ABLATION_RESULT_UNKNOWN.check(j)
        and not ABLATION_STILL_HELPS.check(j)
    )


def lateral_branch_blocks(j: JointFacts, o: Outcomes) -> Outcome | None:
    """Enough positive lateral branch blocks of this joint before radiofrequency ablation of its nerves; before a
    repeat, an earlier ablation of this joint alone that helped for the lasting-RFA months stands in their place.
    Not assessed once an ablation of this joint failed or wore off early (no repeat is in question)."""
    if _repeat_not_in_question(j):
        return None
    needed = j.t[th.MIN_POSITIVE_LATERAL_BRANCH_BLOCKS_COUNT]
    readings = lateral_branch_readings(j)
    valid = [(b, r) for b, r in readings if r.validity == "valid"]
    threshold = _threshold_text(j)

    def evidence() -> list[Evidence]:
        return [block_evidence(j, b, r) for b, r in readings]

    ablation = _stand_in(j)
    if ablation is not None:
        valid = [(b, r) for b, r in valid if b.date > ablation.date]  # only blocks after it can outweigh it
    positive = [(b, r) for b, r in valid if _positive(j, r)]
    # The latest valid block decides first, as for intra-articular blocks: earlier positives do not outvote a
    # negative repeat, and a partial one asks for a repeat.
    latest = _result(j, valid[-1][1]) if valid else None
    if latest == "negative":
        block, reading = valid[-1]
        return not_met(
            lambda: (
                f"the latest lateral branch block of this joint ({block.date}) {_shortfall(j, reading)}: "
                "radiofrequency ablation of its nerves is unlikely to help "
                f"({needed} positive blocks are needed for it)"
            ),
            evidence,
        )
    if latest == "partial":
        block, reading = valid[-1]
        return unknown(
            lambda: (
                f"the latest lateral branch block of this joint ({block.date}) {_shortfall(j, reading)}: a repeat "
                f"block decides ({len(positive)} of {needed} positive)"
            ),
            [
                f"a repeat lateral branch block of the {j.joint} joint (CPT 64451, image-guided, anesthetic only): "
                f"the one of {block.date} {_shortfall(j, reading)}, which neither shows nor rules out that "
                "ablation may help"
            ],
            evidence,
        )
    if ablation is not None:
        prior = ablation
        return Outcome(
            "met",
            lambda: (
                f"the radiofrequency ablation of {prior.date} gave {prior.relief_percent or 0:g}% relief for "
                f"{prior.relief_duration_days} days: for a repeat it stands in place of new lateral branch blocks "
                "(sijpath's reading)"
            ),
            evidence,
            cites=(REPEAT_READING,),
        )
    if len(positive) >= needed:
        return met(f"{len(positive)} lateral branch block(s) of this joint with {threshold} relief", evidence)
    unverifiable = [(b, r) for b, r in readings if r.validity == "unverifiable"]
    missing = [
        f"{needed - len(positive)} more lateral branch block(s) of the {j.joint} joint (CPT 64451, image-guided, "
        f"anesthetic only) with {threshold} relief, with pre- and post-block pain scores and the time of the post score"
    ]
    missing += [f"what makes the lateral branch block of {b.date} readable ({unreadable(r)})" for b, r in unverifiable]
    if any(b.side is None for b in j.episode.lateral_branch_blocks):
        missing.append("the side of each lateral branch block (one without a side counts for neither joint)")
    invalid = [b.date.isoformat() for b, r in readings if r.validity == "invalid"]
    prior_ablation = latest_ablation(j)
    not_standing_in = ""
    if (
        prior_ablation is not None
        and ablation is None
        and (ABLATION_LASTED.check(j) or prior_ablation.technique is None)
    ):
        not_standing_in = (
            f"; the ablation of {prior_ablation.date} does not stand in for them ("
            + (
                "its technique is not recorded: a pulsed one would not be an ablation"
                if prior_ablation.technique is None
                else "it was bilateral: it does not show which side's nerves carried the pain"
            )
            + ")"
        )
    return unknown(
        lambda: (
            f"{len(positive)} of {needed} lateral branch block(s) of this joint with {threshold} relief"
            + ("; none recorded" if not readings else "")
            + (f"; not diagnostic (technique): {', '.join(invalid)}" if invalid else "")
            + not_standing_in
        ),
        missing,
        evidence,
    )


LATERAL_BRANCH_BLOCKS = Criterion[JointFacts](
    id="lateral-branch-blocks-before-rfa",
    title="Positive lateral branch blocks of this joint before radiofrequency ablation",
    stage="non-surgical-care",
    cites=("patel-2012-lateral-branch",),
    check=lateral_branch_blocks,
    required_for=(Gate(v.RADIOFREQUENCY_ABLATION),),
    remedy="positive lateral branch blocks (CPT 64451) of this joint, as many as the rule set requires",
    reads=(
        th.MIN_POSITIVE_LATERAL_BRANCH_BLOCKS_COUNT,
        th.MIN_LATERAL_BRANCH_BLOCK_RELIEF_PERCENT,
        th.MAX_LITTLE_BLOCK_RELIEF_PERCENT,
        th.ANESTHETIC_WINDOW_MINUTES,
        th.MIN_LASTING_RFA_RELIEF_MONTHS,
        th.MIN_LASTING_INJECTION_RELIEF_PERCENT,
    ),
    optional_reads=(
        th.MIN_PRE_BLOCK_NRS_POINTS,
        th.MIN_POST_BLOCK_MINUTES,
        th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS,
    ),
)


def lateral_branch_technique(j: JointFacts, o: Outcomes) -> FlagResult | None:
    """A lateral branch block whose technique means its relief cannot count, and which reason."""
    invalid = [(b, r) for b, r in lateral_branch_readings(j) if r.validity == "invalid"]
    if not invalid:
        return None

    def message() -> str:
        reasons = "; ".join(f"block {b.date}: {', '.join(r.technique_problems)}" for b, r in invalid)
        return (
            f"{len(invalid)} lateral branch block(s) cannot show whether radiofrequency ablation may help ({reasons})."
            " A lateral branch block is anesthetic-only and fluoroscopy- or CT-guided, with the post score read "
            "while the anesthetic is active."
        )

    return FlagResult("warning", message, lambda: [block_evidence(j, b, r) for b, r in invalid])


LATERAL_BRANCH_TECHNIQUE_FLAG = Flag[JointFacts](
    id="lateral-branch-technique",
    title="Lateral branch block technique does not allow a diagnostic reading",
    code="lateral-branch-technique-invalid",
    stage="non-surgical-care",
    cites=("patel-2012-lateral-branch",),
    check=lateral_branch_technique,
    reads=LATERAL_BRANCH_BLOCKS.reads,
    optional_reads=LATERAL_BRANCH_BLOCKS.optional_reads,
    uses=(LATERAL_BRANCH_BLOCKS,),
)
