"""Lateral branch blocks (CPT 64451) before radiofrequency ablation, where a rule set requires them."""

from __future__ import annotations

from sijpath.domain.blocks import BlockReading, read_block
from sijpath.domain.issues import DataIssue
from sijpath.domain.procedures import DiagnosticBlock, LateralBranchBlock
from sijpath.engine.conditions import All, Is
from sijpath.engine.decision import Action, Branch
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Flag, Gate, Outcomes
from sijpath.pathway import actions
from sijpath.pathway import reasons as why
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.conditions import ABLATION_LASTED, NO_ABLATION, latest_ablation
from sijpath.pathway.facts import JointFacts, PatientFacts
from sijpath.pathway.sources import ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = [
    "LATERAL_BRANCH_BLOCKS",
    "LATERAL_BRANCH_NEGATIVE",
    "LATERAL_BRANCH_TECHNIQUE_FLAG",
    "lateral_branch_readings",
    "report_set_aside",
]

# CPT 64451 is "with image guidance (fluoroscopy or CT)" (clinical-criteria.md §7.2): other guidance is not one.
LATERAL_BRANCH_GUIDANCE = ("fluoroscopy", "ct")
LIST = "lateral_branch_blocks"
REPEAT_READING = "sijpath-rfa-repeat-without-blocks"
NEGATIVE_READING = "sijpath-lateral-branch-negative"


def report_set_aside(patient: PatientFacts) -> None:
    """A data issue for each lateral branch block no joint counts: without a side, bilateral (it does not show which
    side relieved the pain), or of a joint the pain does not involve. Reported once for the patient."""
    assessed = patient.attribution.assessed
    laterality = patient.episode.pain.laterality
    for block in patient.episode.lateral_branch_blocks:
        where = patient.where(block, LIST)
        if block.side is None:
            reason = "its side is not recorded, so it counts for neither joint: record the side"
        elif block.side == "bilateral":
            reason = "it was bilateral, so it does not show which side's nerves relieved the pain: counted for neither"
        elif block.side not in assessed:
            reason = f"it is of the {block.side} joint, but the pain is {laterality}-sided: not used"
        else:
            continue
        patient.data_issues.append(DataIssue("info", where, f"lateral branch block of {block.date}: {reason}"))


def lateral_branch_readings(j: JointFacts) -> list[tuple[LateralBranchBlock, BlockReading]]:
    """This joint's lateral branch blocks, read like an anesthetic-only block (same relief, reading window and
    minimum pre-block pain), one per day: of two on one day the one with less relief counts (the cautious reading).
    A bilateral or unsided block is not this joint's: it does not show which side relieved the pain. A block given in
    the same session as an intra-articular block of this joint is one diagnostic event with it: the relief of the
    two cannot be told apart, so it is the intra-articular block's and the lateral branch block is set aside.
    Every block set aside or unreadable is named in a data issue.

    Read once per joint (`derive` reads it before the data issues are collected).
    """
    cached: list[tuple[LateralBranchBlock, BlockReading]] | None = j.__dict__.get("_lateral_branch")
    if cached is not None:
        return cached
    t = j.t
    readings = []
    sessions = {b.date: b for b in j.record.blocks}
    for block in j.episode.lateral_branch_blocks:
        if block.side != j.joint:
            continue
        where = j.where(block, LIST)
        same_session = sessions.get(block.date)
        if same_session is not None:
            joint_block = j.where(same_session, "diagnostic_blocks")
            j.patient.data_issues.append(
                DataIssue(
                    "warning",
                    where,
                    f"lateral branch block {where} and intra-articular block {joint_block}"
                    f" of the {j.joint} joint on {block.date}: one session, one diagnostic event. Its relief cannot "
                    "be told apart from the intra-articular block's, so it is not counted as a lateral branch block "
                    "(the session confirms once, as the intra-articular block)",
                )
            )
            continue
        as_block = DiagnosticBlock(
            date=block.date,
            side=block.side,
            guidance=block.guidance,
            anesthetics=block.anesthetics,
            steroids=block.steroids,
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
        if reading.technique_problems:
            problems = ", ".join(reading.technique_problems)
            message = f"lateral branch block of {block.date} is not diagnostic ({problems}): not counted"
            j.patient.data_issues.append(DataIssue("warning", where, message))
        elif reading.validity != "valid":
            message = f"lateral branch block of {block.date} cannot be read yet ({_unreadable(reading)}): not counted"
            j.patient.data_issues.append(DataIssue("info", where, message))
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
    return ", ".join(reading.unverified) or reading.data_problem or "relief not computable"


def _evidence(j: JointFacts, block: LateralBranchBlock, reading: BlockReading) -> Evidence:
    return Evidence(block.date, "lateral branch " + reading.describe(), j.where(block, LIST))


def lateral_branch_blocks(j: JointFacts, o: Outcomes) -> Outcome:
    """Enough positive lateral branch blocks of this joint before radiofrequency ablation of its nerves; before a
    repeat, an earlier ablation of this joint that helped for the lasting-RFA months stands in their place."""
    needed = j.t[th.MIN_POSITIVE_LATERAL_BRANCH_BLOCKS_COUNT]
    readings = lateral_branch_readings(j)
    valid = [(b, r) for b, r in readings if r.validity == "valid"]
    threshold = j.block_threshold_text

    def evidence() -> list[Evidence]:
        return [_evidence(j, b, r) for b, r in readings]

    ablation = latest_ablation(j) if ABLATION_LASTED.check(j) else None
    if ablation is not None:
        valid = [(b, r) for b, r in valid if b.date > ablation.date]  # only blocks after it can outweigh it
    positive = [(b, r) for b, r in valid if j.block_positive(r)]
    # The latest valid block decides first, as for intra-articular blocks: earlier positives do not outvote a
    # negative repeat.
    if valid and not j.block_positive(valid[-1][1]):
        block, reading = valid[-1]
        return not_met(
            lambda: (
                f"the latest lateral branch block of this joint ({block.date}) {j.block_shortfall(reading)}: "
                "radiofrequency ablation of its nerves is unlikely to help "
                f"({needed} positive blocks are needed for it)"
            ),
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
    unreadable = [(b, r) for b, r in readings if r.validity == "unverifiable"]
    missing = [
        f"{needed - len(positive)} more lateral branch block(s) of the {j.joint} joint (CPT 64451, image-guided, "
        f"anesthetic only) with {threshold} relief, with pre- and post-block pain scores and the time of the post score"
    ]
    missing += [f"what makes the lateral branch block of {b.date} readable ({_unreadable(r)})" for b, r in unreadable]
    if any(b.side is None for b in j.episode.lateral_branch_blocks):
        missing.append("the side of each lateral branch block (one without a side counts for neither joint)")
    invalid = [b.date.isoformat() for b, r in readings if r.validity == "invalid"]
    return unknown(
        lambda: (
            f"{len(positive)} of {needed} lateral branch block(s) of this joint with {threshold} relief"
            + ("; none recorded" if not readings else "")
            + (f"; not diagnostic (technique): {', '.join(invalid)}" if invalid else "")
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
        th.MIN_LASTING_RFA_RELIEF_MONTHS,
        th.MIN_LASTING_INJECTION_RELIEF_PERCENT,
    ),
    optional_reads=(
        th.MIN_PRE_BLOCK_NRS_POINTS,
        th.MIN_POST_BLOCK_MINUTES,
        th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS,
        th.BLOCK_RELIEF_EXCLUSIVE_FLAG,
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

    return FlagResult("warning", message, lambda: [_evidence(j, b, r) for b, r in invalid])


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


def _skip_rfa(j: JointFacts, o: Outcomes) -> str:
    return (
        f"radiofrequency ablation is not suggested ({o[LATERAL_BRANCH_BLOCKS].summary}); fusion evaluation instead, "
        "if every gate is met. " + why.fusion_reasons(j, o)
    )


def _held_alongside(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """Where fusion is held back (a rule set that requires ablation tried first), say why ablation was skipped."""
    required = "radiofrequency-ablation" in j.t.get(th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS, ())
    why_held = (
        "this rule set asks for ablation tried before fusion: consider with the patient whether to proceed without it"
        if required
        else "it waits for its other gates"
    )
    skipped = Action(
        v.ABLATION_UNLIKELY,
        f"Radiofrequency ablation is not suggested: {o[LATERAL_BRANCH_BLOCKS].summary}. Fusion evaluation would "
        f"follow, but {why_held}.",
        (NEGATIVE_READING, "patel-2012-lateral-branch"),
    )
    return (skipped, *actions.alongside(j, o))


# A negative lateral branch block is not a dead end: ablation is skipped, and the fusion gates decide (a rule set
# that requires RFA tried before fusion still holds fusion back, and says so).
LATERAL_BRANCH_NEGATIVE = Branch[JointFacts](
    All((NO_ABLATION, Is(LATERAL_BRANCH_BLOCKS, ("not-met",)))),
    v.FUSION_EVALUATION,
    "surgical-candidacy",
    _skip_rfa,
    "The latest lateral branch block gave too little relief: ablation is unlikely to help, so it is skipped and "
    "fusion evaluation follows, if every gate is met.",
    (NEGATIVE_READING, "patel-2012-lateral-branch", ARTICLE_INJECTIONS_NOT_ENOUGH),
    actions.with_fusion_risks,
    held_stage="non-surgical-care",
    held_alongside=_held_alongside,
)
