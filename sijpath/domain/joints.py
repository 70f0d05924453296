"""Which procedures concern the painful joint: with one-sided pain, procedures on the other joint are set aside."""

from __future__ import annotations

from sijpath.domain.base import Side
from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.domain.timeline import with_location

__all__ = ["SIDED_PROCEDURES", "episode_for_painful_joint"]

SIDED_PROCEDURES = ("diagnostic_blocks", "therapeutic_injections", "radiofrequency_ablations", "fusions")


def episode_for_painful_joint(episode: Episode) -> tuple[Episode, list[DataIssue]]:
    """The episode restricted to procedures on the painful joint (or bilateral ones), with a note for each set aside.

    Without a recorded one-sided laterality every procedure is kept: sijpath cannot tell which joint hurts.
    """
    side = episode.pain.laterality
    if side not in ("left", "right"):
        return episode, []
    issues: list[DataIssue] = []
    changes: dict[str, object] = {}
    for name in SIDED_PROCEDURES:
        facts = getattr(episode, name)
        kept = [(i, fact) for i, fact in enumerate(facts) if _concerns(fact.side, side)]
        if len(kept) == len(facts):
            continue
        for i, fact in enumerate(facts):
            if not _concerns(fact.side, side):
                issues.append(
                    DataIssue(
                        "info",
                        f"{name}[{i}]",
                        f"{fact.side} joint, but the pain is {side}-sided: not used for this joint's pathway",
                    )
                )
        changes[name] = tuple(with_location(fact, f"{name}[{i}]") for i, fact in kept)
    return episode.model_copy(update=changes), issues


def _concerns(procedure_side: Side, pain_side: Side) -> bool:
    return procedure_side in (pain_side, "bilateral")
