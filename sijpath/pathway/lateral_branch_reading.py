"""Reading lateral branch blocks (CPT 64451): each joint's own, one per session, and a data issue for each set aside."""

from __future__ import annotations

from sijpath.domain.blocks import BlockReading, read_block
from sijpath.domain.issues import DataIssue
from sijpath.domain.procedures import DiagnosticBlock, LateralBranchBlock
from sijpath.engine.results import Evidence
from sijpath.pathway import thresholds as th
from sijpath.pathway.facts import JointFacts, PatientFacts

__all__ = ["LIST", "block_evidence", "lateral_branch_readings", "report_set_aside", "unreadable"]

# CPT 64451 is "with image guidance (fluoroscopy or CT)" (clinical-criteria.md §7.2): other guidance is not one.
LATERAL_BRANCH_GUIDANCE = ("fluoroscopy", "ct")
LIST = "lateral_branch_blocks"


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
            message = f"lateral branch block of {block.date} cannot be read yet ({unreadable(reading)}): not counted"
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


def unreadable(reading: BlockReading) -> str:
    return ", ".join(reading.unverified) or reading.data_problem or "relief not computable"


def block_evidence(j: JointFacts, block: LateralBranchBlock, reading: BlockReading) -> Evidence:
    return Evidence(block.date, "lateral branch " + reading.describe(), j.where(block, LIST))
