"""The patient's record as the page lists it: each fact with its date, a one-line summary and its id."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS, fact_list
from sijpath.store.removals import RemovedFact

__all__ = ["RecordGroup", "RecordRow", "RemovedRow", "record_groups", "removed_rows"]


@dataclass(frozen=True, slots=True)
class RecordRow:
    position: int
    date: dt.date | None
    summary: str
    fact_id: str | None


@dataclass(frozen=True, slots=True)
class RecordGroup:
    list_name: str
    title: str
    rows: tuple[RecordRow, ...]


def _summary(fact: BaseModel) -> str:
    shown = fact.model_dump(mode="json", exclude_none=True, exclude={"id", "date", "start_date", "recorded_date"})
    parts = []
    for name, value in shown.items():
        if value in ((), [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v.get("drug", v)) if isinstance(v, dict) else str(v) for v in value)
        elif isinstance(value, dict):
            value = " ".join(str(v) for v in value.values())
        parts.append(f"{name.replace('_', ' ')}: {value}")
    return "; ".join(parts)


def record_groups(episode: Episode) -> list[RecordGroup]:
    """Every non-empty list of facts, in the episode's order, each fact in record order."""
    groups = []
    for entry in FACT_LISTS:
        facts = getattr(episode, entry.name)
        if not facts:
            continue
        rows = tuple(
            RecordRow(i, getattr(f, entry.date_field), _summary(f), getattr(f, "id", None)) for i, f in enumerate(facts)
        )
        groups.append(RecordGroup(entry.name, entry.name.replace("_", " ").capitalize(), rows))
    return groups


@dataclass(frozen=True, slots=True)
class RemovedRow:
    """A fact removed from the record, as the page offers it for undo."""

    removal_id: int
    kind: str
    date: dt.date | None
    summary: str
    removed_by: str
    removed_on: dt.date


def removed_rows(entries: list[RemovedFact]) -> list[RemovedRow]:
    rows = []
    for entry in entries:
        spec = fact_list(entry.list_name)
        day = getattr(entry.fact, spec.date_field)
        rows.append(
            RemovedRow(entry.id, spec.singular, day, _summary(entry.fact), entry.removed_by, entry.removed_at.date())
        )
    return rows
