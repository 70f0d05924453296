"""Lateral branch blocks (CPT 64451) before radiofrequency ablation, where a rule set requires them."""

from __future__ import annotations

from sijpath.domain.blocks import BlockReading, read_block
from sijpath.domain.issues import DataIssue
from sijpath.domain.procedures import DiagnosticBlock, LateralBranchBlock
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts

__all__ = ["LATERAL_BRANCH_BLOCKS", "lateral_branch_readings"]

# CPT 64451 is "with image guidance (fluoroscopy or CT)" (clinical-criteria.md §7.2): other guidance is not one.
LATERAL_BRANCH_GUIDANCE = ("fluoroscopy", "ct")
LIST = "lateral_branch_blocks"


def lateral_branch_readings(j: JointFacts) -> list[tuple[LateralBranchBlock, BlockReading]]:
    """This joint's lateral branch blocks, read like an anesthetic-only block (same relief, reading window and
    minimum pre-block pain), one per day: of two on one day the one with less relief counts (the cautious reading).
    A bilateral or unsided block is not this joint's: it does not show which side relieved the pain.

    Read once per joint (`derive` reads it before the data issues are collected, so a same-day pair is reported).
    """
    cached: list[tuple[LateralBranchBlock, BlockReading]] | None = j.__dict__.get("_lateral_branch")
    if cached is not None:
        return cached
    t = j.t
    readings = []
    for block in j.episode.lateral_branch_blocks:
        if block.side != j.joint:
            continue
        as_block = DiagnosticBlock(
            date=block.date,
            side=block.side,
            guidance=block.guidance,
            anesthetics=block.anesthetics,
            pre_block_nrs=block.pre_block_nrs,
            post_block_nrs=block.post_block_nrs,
            post_block_minutes=block.post_block_minutes,
        )
        reading = read_block(
            as_block,
            accepted_guidance=LATERAL_BRANCH_GUIDANCE,
            anesthetic_window_minutes=t[th.ANESTHETIC_WINDOW_MINUTES],
            contrast_required=False,
            min_pre_block_nrs=t.get(th.MIN_PRE_BLOCK_NRS_POINTS),
            min_post_block_minutes=t.get(th.MIN_POST_BLOCK_MINUTES),
        )
        readings.append((block, reading))
    readings.sort(key=lambda r: (r[0].date, -(r[1].relief_percent if r[1].relief_percent is not None else -1.0)))
    kept: list[tuple[LateralBranchBlock, BlockReading]] = []
    for block, reading in readings:
        if kept and kept[-1][0].date == block.date:
            j.patient.data_issues.append(
                DataIssue(
                    "warning",
                    j.where(block, LIST),
                    f"two lateral branch blocks of the {j.joint} joint on {block.date} "
                    f"({j.where(kept[-1][0], LIST)} and {j.where(block, LIST)}): one occasion, counted once as the "
                    "one with less relief",
                )
            )
            kept[-1] = (block, reading)  # sorted by falling relief within a day: the last has the least
            continue
        kept.append((block, reading))
    j.__dict__["_lateral_branch"] = kept
    return kept


def _unreadable(reading: BlockReading) -> str:
    return ", ".join(reading.technique_problems + reading.unverified) or reading.data_problem or "relief not computable"


def _evidence(j: JointFacts, block: LateralBranchBlock, reading: BlockReading) -> Evidence:
    return Evidence(block.date, "lateral branch " + reading.describe(), j.where(block, LIST))


def lateral_branch_blocks(j: JointFacts, o: Outcomes) -> Outcome:
    """Enough positive lateral branch blocks of this joint before radiofrequency ablation of its nerves."""
    needed = j.t[th.MIN_POSITIVE_LATERAL_BRANCH_BLOCKS_COUNT]
    readings = lateral_branch_readings(j)
    valid = [(b, r) for b, r in readings if r.validity == "valid"]
    positive = [(b, r) for b, r in valid if j.block_positive(r)]
    threshold = j.block_threshold_text

    def evidence() -> list[Evidence]:
        return [_evidence(j, b, r) for b, r in readings]

    # The latest valid block decides first, as for intra-articular blocks: earlier positives do not outvote a
    # negative repeat.
    if valid and not j.block_positive(valid[-1][1]):
        block, reading = valid[-1]
        return not_met(
            lambda: (
                f"the latest lateral branch block of this joint ({block.date}) {j.block_shortfall(reading)}; "
                f"{needed} positive are needed before radiofrequency ablation"
            ),
            evidence,
        )
    if len(positive) >= needed:
        return met(f"{len(positive)} lateral branch block(s) of this joint with {threshold} relief", evidence)
    unreadable = [(b, r) for b, r in readings if r.validity != "valid"]
    others = [b for b in j.episode.lateral_branch_blocks if b.side != j.joint]
    missing = [
        f"{needed - len(positive)} more lateral branch block(s) of the {j.joint} joint (CPT 64451, image-guided, "
        f"anesthetic only) with {threshold} relief, with pre- and post-block pain scores and the time of the post score"
    ]
    missing += [f"what makes the lateral branch block of {b.date} readable ({_unreadable(r)})" for b, r in unreadable]
    if any(b.side is None for b in others):
        missing.append("the side of each lateral branch block (one without a side counts for neither joint)")
    return unknown(
        lambda: (
            f"{len(positive)} of {needed} lateral branch block(s) of this joint with {threshold} relief"
            + ("; none recorded" if not readings else "")
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
        th.MIN_BLOCK_RELIEF_PERCENT,
        th.MAX_LITTLE_BLOCK_RELIEF_PERCENT,
        th.ANESTHETIC_WINDOW_MINUTES,
    ),
    optional_reads=(
        th.MIN_PRE_BLOCK_NRS_POINTS,
        th.MIN_POST_BLOCK_MINUTES,
        th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS,
        th.BLOCK_RELIEF_EXCLUSIVE_FLAG,
    ),
)
