"""The registry's writes and schedule reads: validated, audited, in the caller's one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from sijpath.outcomes.entries import entry_row, parse_entry, parse_procedure
from sijpath.outcomes.eq5d import Eq5dValueSet
from sijpath.outcomes.schedule import PROCEDURES, SCHEDULES, Procedure, TimePointStatus, schedule_status
from sijpath.store import audit
from sijpath.store import outcomes as rows

__all__ = ["DueItem", "due_list", "patient_schedule", "record_entry", "register_procedure"]


def register_procedure(
    connection: Connection,
    data: Mapping[str, Any],
    *,
    actor: str,
    now: dt.datetime,
    remote: str = "local",
    synthetic: bool = False,
) -> int:
    """Add an index procedure to the registry (audited); returns its id. `synthetic` marks generated demo data
    (a FHIR import of resources labelled as test data)."""
    procedure = parse_procedure(data)
    procedure_id = rows.add_procedure(
        connection, {**procedure.model_dump(), "synthetic": synthetic, "created_at": now, "created_by": actor}
    )
    detail = {"procedure_id": procedure_id, **procedure.model_dump(mode="json")}
    _audit(connection, "outcome-procedure", procedure.patient_id, detail, actor, remote, now)
    return procedure_id


def record_entry(
    connection: Connection,
    procedure_id: int,
    data: Mapping[str, Any],
    *,
    actor: str,
    now: dt.datetime,
    value_set: Eq5dValueSet | None = None,
    remote: str = "local",
) -> dict[str, Any]:
    """Validate and store one entry for an index procedure (audited); an invalid entry stores nothing."""
    procedure = rows.procedure_row(connection, procedure_id)
    values = entry_row(parse_entry(data), procedure.performed_on, value_set)
    values.update(procedure_id=procedure_id, entered_by=actor, entered_at=now)
    rows.add_entries(connection, [values])
    detail = {"procedure_id": procedure_id, "measured_on": values["measured_on"].isoformat()}
    _audit(connection, "outcome-entry", procedure.patient_id, detail, actor, remote, now)
    return values


def _audit(
    connection: Connection,
    action: str,
    patient_id: str,
    detail: dict[str, Any],
    actor: str,
    remote: str,
    now: dt.datetime,
) -> None:
    text = orjson.dumps(detail).decode()
    audit.record(connection, actor=actor, action=action, patient_id=patient_id, detail=text, remote=remote, at=now)


def patient_schedule(
    connection: Connection, patient_id: str, as_of: dt.date
) -> list[tuple[Any, list[TimePointStatus]]]:
    """Each of a patient's index procedures with the status of every scheduled time point on `as_of`."""
    procedures = rows.patient_procedures(connection, patient_id)
    days = rows.entry_days(connection, (p.id for p in procedures))
    return [(p, schedule_status(p.procedure, p.performed_on, days[p.id], as_of)) for p in procedures]


@dataclass(frozen=True, slots=True)
class DueItem:
    """One measurement staff should collect: its window is open on the day and nothing is entered in it yet."""

    procedure_id: int
    patient_id: str
    joint: str
    procedure: Procedure
    time_point: str
    status: str  # due (before the target day) or overdue (past it, window still open)
    target: dt.date
    closes: dt.date


def due_list(connection: Connection, as_of: dt.date) -> list[DueItem]:
    """Every open, unfilled window on `as_of`, most urgent (closing soonest) first."""
    items = []
    for procedure in PROCEDURES:
        for t in SCHEDULES[procedure]:
            if t.closes_day < 0 or t.code == "baseline":
                continue  # a baseline is collected before the procedure, not chased after it
            for row in rows.open_windows_without_entry(connection, procedure, as_of, t.opens_day, t.closes_day):
                target = row.performed_on + dt.timedelta(days=t.target_day)
                items.append(
                    DueItem(
                        row.id,
                        row.patient_id,
                        row.joint,
                        procedure,
                        t.code,
                        "due" if as_of <= target else "overdue",
                        target,
                        row.performed_on + dt.timedelta(days=t.closes_day),
                    )
                )
    return sorted(items, key=lambda i: (i.closes, i.patient_id, i.joint, i.procedure_id))
