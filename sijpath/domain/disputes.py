"""Disputed facts: two sources record one event differently; someone chooses one, or an edit settles it.

A dispute is opened by an import (domain/merging.py) as a data issue carrying a `Dispute`: the record keeps its
fact, and every criterion resting on that fact is unknown (engine/outcomes.py) until the dispute is resolved here:
keep the record's value, or take the other source's, for every value they disagree on. The whole fact is disputed,
not only the field: what the fact means (a block's relief, an injection's date in a count) is read as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import orjson
from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue, Dispute

__all__ = ["Choice", "carry_disputes", "disputes", "resolve_dispute"]

Choice = Literal["record", "other"]


def disputes(issues: Sequence[DataIssue]) -> tuple[Dispute, ...]:
    """The open disputes among a record's issues, in their order."""
    return tuple(i.dispute for i in issues if i.dispute is not None)


def _canonical(fact: BaseModel) -> str:
    return orjson.dumps(fact.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS).decode()


def _find(episode: Episode, dispute: Dispute) -> int | None:
    """Where the disputed fact is now: its old place if it is still there, else wherever the same fact is."""
    facts: tuple[BaseModel, ...] = getattr(episode, dispute.list_name)
    if 0 <= dispute.position < len(facts) and _canonical(facts[dispute.position]) == dispute.fact:
        return dispute.position
    return next((i for i, fact in enumerate(facts) if _canonical(fact) == dispute.fact), None)


def carry_disputes(episode: Episode, issues: Sequence[DataIssue]) -> tuple[tuple[DataIssue, ...], tuple[str, ...]]:
    """The record's issues after an edit: each dispute follows its fact to its new place; a dispute whose fact
    was edited or removed is settled by that edit (its ref is returned, for the audit trail)."""
    kept: list[DataIssue] = []
    settled: list[str] = []
    for issue in issues:
        dispute = issue.dispute
        if dispute is None:
            kept.append(issue)
            continue
        position = _find(episode, dispute)
        if position is None:
            settled.append(dispute.ref)
            continue
        fact = getattr(episode, dispute.list_name)[position]
        ref = getattr(fact, "id", None) or f"{dispute.list_name}[{position}]"
        moved = replace(dispute, position=position, ref=ref)
        kept.append(replace(issue, location=ref, dispute=moved) if moved != dispute else issue)
    return tuple(kept), tuple(settled)


def resolve_dispute(
    episode: Episode, issues: Sequence[DataIssue], ref: str, choice: Choice
) -> tuple[Episode, tuple[DataIssue, ...], str] | None:
    """Settle the dispute on `ref`: keep the record's values, or take the other source's. Returns the episode, its
    issues without the dispute, and what was decided (for the audit trail); None when no open dispute names `ref`
    or its fact is no longer in the record as disputed."""
    issue = next((i for i in issues if i.dispute is not None and i.dispute.ref == ref), None)
    if issue is None or issue.dispute is None:
        return None
    dispute = issue.dispute
    position = _find(episode, dispute)
    if position is None:
        return None
    facts: tuple[BaseModel, ...] = getattr(episode, dispute.list_name)
    chosen = {name: orjson.loads(held if choice == "record" else other) for name, held, other in dispute.values}
    if choice == "other":
        fact = facts[position]
        updated = type(fact).model_validate({**fact.model_dump(), **chosen})
        episode = episode.model_copy(update={dispute.list_name: (*facts[:position], updated, *facts[position + 1 :])})
    source = dispute.held_source if choice == "record" else dispute.other_source
    values = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in chosen.items())
    note = f"dispute on {ref} resolved: {source}'s value kept ({values}); the other was {_other(dispute, choice)}"
    return episode, tuple(i for i in issues if i is not issue), note


def _other(dispute: Dispute, choice: Choice) -> str:
    index = 2 if choice == "record" else 1
    rejected = ", ".join(f"{v[0].replace('_', ' ')} {orjson.loads(v[index])}" for v in dispute.values)
    return f"{dispute.other_source if choice == 'record' else dispute.held_source} ({rejected})"
