"""Outcome rows in the database: index procedures and their entries, written and read as plain values.

Validation belongs to `sijpath.outcomes.registry`, which calls these inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, exists, insert, select
from sqlalchemy.exc import IntegrityError

from sijpath.errors import ConflictError, NotFoundError
from sijpath.store.tables import outcome_entries, outcome_procedures

__all__ = [
    "COHORT_COLUMNS",
    "add_entries",
    "add_procedure",
    "cohort_filter",
    "cohort_rows",
    "entry_days",
    "find_procedure",
    "open_windows_without_entry",
    "patient_procedures",
    "procedure_entries",
    "procedure_index",
    "procedure_row",
    "registry_export_batches",
]


def add_procedure(connection: Connection, values: Mapping[str, Any]) -> int:
    """Insert one index procedure; the same procedure on the same joint and day twice is a conflict."""
    try:
        with connection.begin_nested():
            result = connection.execute(insert(outcome_procedures).values(**values))
    except IntegrityError:
        raise ConflictError(
            f"{values['patient_id']} already has a {values['procedure']} on the {values['joint']} joint "
            f"on {values['performed_on']} in the registry"
        ) from None
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def procedure_row(connection: Connection, procedure_id: int) -> Row[Any]:
    row = connection.execute(select(outcome_procedures).where(outcome_procedures.c.id == procedure_id)).first()
    if row is None:
        raise NotFoundError(f"no index procedure {procedure_id} in the outcomes registry")
    return row


def patient_procedures(connection: Connection, patient_id: str) -> list[Row[Any]]:
    query = select(outcome_procedures).where(outcome_procedures.c.patient_id == patient_id)
    return list(connection.execute(query.order_by(outcome_procedures.c.performed_on, outcome_procedures.c.id)))


def find_procedure(
    connection: Connection, patient_id: str, joint: str, procedure: str, performed_on: dt.date
) -> int | None:
    """The id of this index procedure when the registry already holds it."""
    p = outcome_procedures.c
    query = select(p.id).where(
        p.patient_id == patient_id, p.joint == joint, p.procedure == procedure, p.performed_on == performed_on
    )
    found = connection.execute(query).scalar()
    return int(found) if found is not None else None


def procedure_index(connection: Connection) -> list[Row[Any]]:
    """Every index procedure's id, patient, joint, kind and day, in id order (which procedure followed which)."""
    p = outcome_procedures.c
    return list(connection.execute(select(p.id, p.patient_id, p.joint, p.procedure, p.performed_on).order_by(p.id)))


def procedure_entries(connection: Connection, procedure_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """Every entry of each procedure, oldest first (entry order within a day)."""
    ids = list(procedure_ids)
    entries: dict[int, list[Row[Any]]] = {i: [] for i in ids}
    e = outcome_entries.c
    query = select(outcome_entries).where(e.procedure_id.in_(ids)).order_by(e.measured_on, e.id)
    for row in connection.execute(query):
        entries[row.procedure_id].append(row)
    return entries


def add_entries(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert entries (each already validated) in the caller's transaction."""
    if rows:
        connection.execute(insert(outcome_entries), list(rows))


def entry_days(connection: Connection, procedure_ids: Iterable[int]) -> dict[int, list[int]]:
    """The days (after the procedure) on which each procedure has entries."""
    ids = list(procedure_ids)
    days: dict[int, list[int]] = {i: [] for i in ids}
    query = select(outcome_entries.c.procedure_id, outcome_entries.c.day).where(outcome_entries.c.procedure_id.in_(ids))
    for procedure_id, day in connection.execute(query):
        days[procedure_id].append(day)
    return days


def open_windows_without_entry(
    connection: Connection, procedure: str, as_of: dt.date, opens_day: int, closes_day: int
) -> list[Row[Any]]:
    """Procedures of one kind whose window [opens_day, closes_day] holds `as_of` and has no entry yet."""
    earliest, latest = as_of - dt.timedelta(days=closes_day), as_of - dt.timedelta(days=opens_day)
    has_entry = exists().where(
        and_(
            outcome_entries.c.procedure_id == outcome_procedures.c.id,
            outcome_entries.c.day.between(opens_day, closes_day),
            outcome_entries.c.measured_on <= as_of,  # as of a past day, a later entry is not there yet
        )
    )
    query = select(
        outcome_procedures.c.id,
        outcome_procedures.c.patient_id,
        outcome_procedures.c.joint,
        outcome_procedures.c.performed_on,
    ).where(
        outcome_procedures.c.procedure == procedure,
        outcome_procedures.c.performed_on.between(earliest, latest),
        ~has_entry,
    )
    return list(connection.execute(query))


def cohort_filter(
    *,
    procedure: str | None = None,
    payer: str | None = None,
    performed_from: dt.date | None = None,
    performed_to: dt.date | None = None,
    ruleset_id: str | None = None,
) -> list[Any]:
    """The WHERE clauses of the report's filters (each one given narrows the cohort)."""
    p = outcome_procedures.c
    chosen = [
        p.procedure == procedure if procedure else None,
        p.payer == payer if payer else None,
        p.performed_on >= performed_from if performed_from else None,
        p.performed_on <= performed_to if performed_to else None,
        p.ruleset_id == ruleset_id if ruleset_id else None,
    ]
    return [clause for clause in chosen if clause is not None]


# The columns of a cohort row, in order (the report reads rows as tuples: 100,000 of them must stay cheap).
COHORT_COLUMNS = (
    "id",
    "procedure",
    "performed_on",
    "synthetic",
    "day",
    "nrs_back",
    "nrs_leg",
    "odi",
    "eq5d_index",
    "opioid_use",
    "ct_bridging",
    "complication",
    "revision",
)


def cohort_rows(connection: Connection, where: Sequence[Any] = ()) -> Iterable[Row[Any]]:
    """Every entry joined to its procedure (the columns the cohort report reads), procedures matching `where`."""
    p, e = outcome_procedures, outcome_entries
    columns = {**p.c, **{name: column for name, column in e.c.items() if name != "id"}}
    query = (
        select(*(columns[name] for name in COHORT_COLUMNS))
        .select_from(p.outerjoin(e, e.c.procedure_id == p.c.id))
        .where(*where)
        # Two entries on the same day: the report keeps the first it reads, so the order must be fixed.
        .order_by(p.c.id, e.c.id)
    )
    return connection.execute(query)


def registry_export_batches(
    connection: Connection, where: Sequence[Any] = (), *, size: int = 10_000
) -> Iterable[list[dict[str, Any]]]:
    """Every entry joined to its procedure, as dicts in batches, keyed `procedure_id` (the procedure's id) and
    `entry_id` (the entry's), every other column by its own name; a procedure with no entries yet comes once, its
    entry columns empty. Ordered by procedure and entry, so the same registry exports the same rows."""
    p, e = outcome_procedures, outcome_entries
    columns = [p.c.id.label("procedure_id"), *(c for c in p.c if c.name != "id"), e.c.id.label("entry_id")]
    columns += [c for c in e.c if c.name not in ("id", "procedure_id")]
    query = (
        select(*columns).select_from(p.outerjoin(e, e.c.procedure_id == p.c.id)).where(*where).order_by(p.c.id, e.c.id)
    )
    result = connection.execute(query).mappings()
    while batch := result.fetchmany(size):
        yield [dict(row) for row in batch]
