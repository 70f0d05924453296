"""Facts removed from a record as entered in error: kept with their provenance so the removal can be undone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import orjson
from pydantic import BaseModel
from sqlalchemy import Connection, insert, select, update

from sijpath.domain.fact_lists import fact_list
from sijpath.errors import NotFoundError
from sijpath.store.tables import facts, removed_facts

__all__ = ["RemovedFact", "mark_restored", "remember_removal", "removed", "removed_by_list", "restore_provenance"]


@dataclass(frozen=True, slots=True)
class RemovedFact:
    id: int
    list_name: str
    position: int
    fact: BaseModel
    source: str
    matched_source: str | None
    removed_at: dt.datetime
    removed_by: str


def remember_removal(
    connection: Connection,
    patient_id: str,
    list_name: str,
    position: int,
    fact: BaseModel,
    provenance: tuple[str, str | None],
    actor: str,
    now: dt.datetime,
) -> int:
    """Keep a removed fact (and where it came from); returns the removal's id, which undo names."""
    result = connection.execute(
        insert(removed_facts).values(
            patient_id=patient_id,
            list_name=list_name,
            position=position,
            fact=orjson.dumps(
                fact.model_dump(mode="json", exclude_defaults=True), option=orjson.OPT_SORT_KEYS
            ).decode(),
            source=provenance[0],
            matched_source=provenance[1],
            removed_at=now,
            removed_by=actor,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def removed(connection: Connection, patient_id: str) -> list[RemovedFact]:
    """The patient's removed facts not restored since, newest first."""
    rows = connection.execute(
        select(removed_facts)
        .where(removed_facts.c.patient_id == patient_id, removed_facts.c.restored_at.is_(None))
        .order_by(removed_facts.c.id.desc())
    )
    return [
        RemovedFact(
            r.id,
            r.list_name,
            r.position,
            fact_list(r.list_name).model.model_validate_json(r.fact),
            r.source,
            r.matched_source,
            r.removed_at if r.removed_at.tzinfo else r.removed_at.replace(tzinfo=dt.UTC),
            r.removed_by,
        )
        for r in rows
    ]


def removed_by_list(connection: Connection, patient_id: str) -> dict[str, list[BaseModel]]:
    """The removed facts by list, for an import to hold back the same events."""
    found: dict[str, list[BaseModel]] = defaultdict(list)
    for entry in removed(connection, patient_id):
        found[entry.list_name].append(entry.fact)
    return dict(found)


def mark_restored(
    connection: Connection, patient_id: str, removal_id: int, actor: str, now: dt.datetime
) -> RemovedFact:
    """Mark a removal undone and return what was removed; NotFoundError when there is no such open removal."""
    entry = next((r for r in removed(connection, patient_id) if r.id == removal_id), None)
    if entry is None:
        raise NotFoundError(f"no removed fact {removal_id} to restore for patient `{patient_id}` (reload the page)")
    connection.execute(
        update(removed_facts).where(removed_facts.c.id == removal_id).values(restored_at=now, restored_by=actor)
    )
    return entry


def restore_provenance(connection: Connection, patient_id: str, entry: RemovedFact, position: int) -> None:
    """Give a restored fact, now stored at `position` of its list, the provenance it had when it was removed."""
    connection.execute(
        update(facts)
        .where(facts.c.patient_id == patient_id, facts.c.list_name == entry.list_name, facts.c.position == position)
        .values(source=entry.source, matched_source=entry.matched_source)
    )
