"""Fact provenance: where each fact of a stored episode came from, and the import it was matched to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.store.tables import episodes, facts

__all__ = ["Provenance", "fact_provenance", "kept_provenance", "write_facts"]

Provenance = Mapping[tuple[str, int], tuple[str, str | None]]
"""(list, position) → (source, the imported resource the fact was matched to)."""


def fact_provenance(connection: Connection, patient_id: str) -> dict[tuple[str, int], tuple[str, str | None]]:
    """Each stored fact's source and matched source, by (list, position)."""
    found = connection.execute(
        select(facts.c.list_name, facts.c.position, facts.c.source, facts.c.matched_source).where(
            facts.c.patient_id == patient_id
        )
    )
    return {(r.list_name, r.position): (r.source, r.matched_source) for r in found}


def kept_provenance(connection: Connection, episode: Episode) -> dict[tuple[str, int], tuple[str, str | None]]:
    """Where the facts a save leaves unchanged came from, by (list, new position), so editing one fact keeps
    the others' provenance; a fact counts as unchanged when the stored episode holds an equal one."""
    patient_id = episode.patient.id
    row = connection.execute(select(episodes.c.document).where(episodes.c.patient_id == patient_id)).first()
    if row is None:
        return {}
    before = Episode.model_validate_json(row.document)
    old = fact_provenance(connection, patient_id)
    kept: dict[tuple[str, int], tuple[str, str | None]] = {}
    for name in (entry.name for entry in FACT_LISTS):
        earlier = list(getattr(before, name))
        for position, fact in enumerate(getattr(episode, name)):
            if fact in earlier and (name, earlier.index(fact)) in old:
                kept[name, position] = old[name, earlier.index(fact)]
    return kept


def write_facts(
    connection: Connection,
    episode: Episode,
    actor: str,
    sources: Mapping[str, str],
    kept: Provenance,
) -> None:
    """One row per fact: `kept` by position first, then `sources` by fact id, else entered by `actor`."""
    patient_id = episode.patient.id
    connection.execute(delete(facts).where(facts.c.patient_id == patient_id))
    rows: list[dict[str, Any]] = []
    for entry in FACT_LISTS:
        for position, fact in enumerate(getattr(episode, entry.name)):
            fact_id = getattr(fact, "id", None)
            source, matched = kept.get((entry.name, position), (None, None))
            source = source or (sources.get(fact_id) if fact_id else None)
            rows.append(
                {
                    "patient_id": patient_id,
                    "list_name": entry.name,
                    "position": position,
                    "fact_id": fact_id,
                    "fact_date": getattr(fact, entry.date_field),
                    "source": source or f"entered:{actor}",
                    "matched_source": matched,
                }
            )
    if rows:
        connection.execute(insert(facts), rows)
