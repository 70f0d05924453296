"""Which SI joint each fact concerns, as recorded and never guessed, and which joints an assessment is made for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from pydantic import BaseModel

from sijpath.domain.base import JOINTS, Joint, Side, joints_of
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import LIST_OF
from sijpath.domain.findings import FortinFingerTest, ImagingStudy, ProvocationTest
from sijpath.domain.issues import DataIssue
from sijpath.domain.procedures import (
    DiagnosticBlock,
    Fusion,
    PostOperativeFollowUp,
    RadiofrequencyAblation,
    TherapeuticInjection,
)

__all__ = ["JOINT_PROCEDURES", "Attribution", "JointRecord", "attribute", "symptomatic"]

# The episode lists whose facts are procedures on a joint: each must name its side to count for one.
JOINT_PROCEDURES = ("diagnostic_blocks", "therapeutic_injections", "radiofrequency_ablations", "fusions")
_SIJ_REGIONS = ("sij", "pelvis")

F = TypeVar("F", bound=BaseModel)


class JointRecord(NamedTuple):
    """The facts of one joint: procedures on it (bilateral ones included), its imaging and examination.

    `symptomatic` is True when the recorded pain includes this side, False when the pain is on the other side only,
    and None when the record does not say which side hurts.
    """

    joint: Joint
    symptomatic: bool | None
    blocks: tuple[DiagnosticBlock, ...]
    injections: tuple[TherapeuticInjection, ...]
    ablations: tuple[RadiofrequencyAblation, ...]
    fusions: tuple[Fusion, ...]
    follow_ups: tuple[PostOperativeFollowUp, ...]
    imaging: tuple[ImagingStudy, ...]
    unsided_imaging: tuple[ImagingStudy, ...]
    provocation_tests: tuple[ProvocationTest, ...]
    fortin_tests: tuple[FortinFingerTest, ...]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Every joint's record, the joints to assess, and what the record cannot place on a joint."""

    joints: dict[Joint, JointRecord]
    assessed: tuple[Joint, ...]
    unattributed: tuple[tuple[str, BaseModel], ...]
    issues: tuple[DataIssue, ...]


def symptomatic(laterality: Side | None, joint: Joint) -> bool | None:
    """Whether the recorded pain includes `joint`: None when the side of the pain is not recorded."""
    if laterality is None:
        return None
    return joint in joints_of(laterality)


def attribute(episode: Episode, ref: Callable[[BaseModel, str], str]) -> Attribution:
    """Place each fact on the joint(s) its recorded side names.

    A procedure without a side counts for neither joint (it is listed as unattributed); an examination finding
    without a side belongs to the painful joint when the pain is one-sided (the familiar pain is that side's),
    else to neither. SI-joint imaging without a side is kept apart: it may argue against a procedure on either
    joint but never for one. Joints assessed: those that hurt (or both when the side of the pain is not recorded),
    and every fused joint (its recovery is followed whatever the pain does now).
    """
    laterality = episode.pain.laterality
    painful = joints_of(laterality) if laterality is not None else ()
    only_painful = painful[0] if len(painful) == 1 else None
    issues: list[DataIssue] = []
    unattributed: list[tuple[str, BaseModel]] = []
    values = episode.__dict__
    for name in JOINT_PROCEDURES:
        for fact in values[name]:
            if fact.side is None:
                unattributed.append((name, fact))
                where = ref(fact, name)
                issues.append(
                    DataIssue(
                        "warning",
                        where,
                        f"the side of this {fact.fact_name} is not recorded: it counts for neither joint "
                        "until the side is recorded",
                    )
                )
    fused = {joint for fusion in episode.fusions for joint in joints_of(fusion.side)}
    follow_ups = _follow_ups(episode, fused, ref, issues) if episode.post_operative_follow_ups else _NONE

    sij_imaging = tuple(s for s in episode.imaging if s.region in _SIJ_REGIONS)
    blocks = _by_joint(episode.diagnostic_blocks)
    injections = _by_joint(episode.therapeutic_injections)
    ablations = _by_joint(episode.radiofrequency_ablations)
    fusions = _by_joint(episode.fusions)
    imaging = _by_joint(sij_imaging)
    tests = _by_joint(episode.provocation_tests, only_painful)
    fortin = _by_joint(episode.fortin_tests, only_painful)
    unsided_imaging = tuple(s for s in sij_imaging if s.side is None)
    joints = {
        joint: JointRecord(  # by position, in the fields' order: this runs for both joints of every assessment
            joint,
            symptomatic(laterality, joint),
            blocks[joint],
            injections[joint],
            ablations[joint],
            fusions[joint],
            follow_ups[joint],  # type: ignore[arg-type]
            imaging[joint],
            unsided_imaging,
            tests[joint],
            fortin[joint],
        )
        for joint in JOINTS
    }
    if laterality is None:
        assessed: tuple[Joint, ...] = JOINTS
    else:
        assessed = tuple(j for j in JOINTS if j in painful or j in fused)
    for joint in JOINTS:
        if joint in assessed:
            continue
        record = joints[joint]
        procedures: tuple[DiagnosticBlock | TherapeuticInjection | RadiofrequencyAblation, ...] = (
            *record.blocks,
            *record.injections,
            *record.ablations,
        )
        for fact in procedures:
            if fact.side == joint:  # a bilateral procedure also concerns the painful joint
                issues.append(
                    DataIssue(
                        "info",
                        ref(fact, LIST_OF[type(fact)]),
                        f"{joint} joint, but the pain is {laterality}-sided: not used for this patient's pathway",
                    )
                )
    return Attribution(joints, assessed, tuple(unattributed), tuple(issues))


def _by_joint(facts: tuple[F, ...], unsided_to: Joint | None = None) -> dict[Joint, tuple[F, ...]]:
    """The facts of each joint, in record order: by their side (bilateral for both), those without a side to
    `unsided_to` when given."""
    if not facts:
        return _NONE  # type: ignore[return-value]
    left: list[F] = []
    right: list[F] = []
    for fact in facts:
        side = fact.__dict__["side"]
        if side is None:
            side = unsided_to
        if side == "left" or side == "bilateral":
            left.append(fact)
        if side == "right" or side == "bilateral":
            right.append(fact)
    return {"left": tuple(left), "right": tuple(right)}


_NONE: dict[Joint, tuple[BaseModel, ...]] = {"left": (), "right": ()}


def _follow_ups(
    episode: Episode, fused: set[Joint], ref: Callable[[BaseModel, str], str], issues: list[DataIssue]
) -> dict[Joint, tuple[PostOperativeFollowUp, ...]]:
    """Post-operative visits per fused joint: by their side, else the only fused joint's (when there is one)."""
    found: dict[Joint, list[PostOperativeFollowUp]] = {joint: [] for joint in JOINTS}
    single_surgery = len(episode.fusions) == 1
    for visit in episode.post_operative_follow_ups:
        if visit.side is not None:
            targets = joints_of(visit.side)
            unfused = [joint for joint in targets if joint not in fused]
            if fused and unfused:
                issues.append(
                    DataIssue(
                        "warning",
                        ref(visit, "post_operative_follow_ups"),
                        f"post-operative visit for the {' and '.join(unfused)} joint, which has no recorded fusion: "
                        "check its side (or record that joint's fusion)",
                    )
                )
        elif single_surgery or len(fused) == 1:
            targets = tuple(sorted(fused))  # one operation (one side or bilateral): the visit is about it
        else:
            targets = ()
            if fused:
                issues.append(
                    DataIssue(
                        "warning",
                        ref(visit, "post_operative_follow_ups"),
                        "post-operative visit without a side, and both joints were fused separately: record "
                        "which fused joint it concerns; not used",
                    )
                )
        for joint in targets:
            found[joint].append(visit)
    return {joint: tuple(visits) for joint, visits in found.items()}
