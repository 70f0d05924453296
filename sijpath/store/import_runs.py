"""The import journal: one row per Bundle import, its progress patient by patient, and how it ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from sijpath.store.tables import import_runs

__all__ = ["ImportRun", "finish_run", "recent_runs", "record_progress", "start_run"]


@dataclass(frozen=True, slots=True)
class ImportRun:
    id: int
    origin: str
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    patients_total: int
    patients_done: int
    note: str


def start_run(connection: Connection, origin: str, actor: str, total: int, now: dt.datetime) -> int:
    result = connection.execute(
        insert(import_runs)
        .values(
            origin=origin[:200],
            started_by=actor[:64],
            started_at=now,
            status="running",
            patients_total=total,
            patients_done=0,
            note="",
        )
        .returning(import_runs.c.id)
    )
    return int(result.scalar_one())


def record_progress(connection: Connection, run_id: int, done: int) -> None:
    """Inside each patient's transaction: the journal says exactly how many patients are committed."""
    connection.execute(update(import_runs).where(import_runs.c.id == run_id).values(patients_done=done))


def finish_run(connection: Connection, run_id: int, status: str, now: dt.datetime, note: str = "") -> None:
    connection.execute(
        update(import_runs).where(import_runs.c.id == run_id).values(status=status, finished_at=now, note=note[:2000])
    )


def recent_runs(connection: Connection, limit: int = 20) -> list[ImportRun]:
    rows = connection.execute(select(import_runs).order_by(import_runs.c.id.desc()).limit(limit))
    return [
        ImportRun(
            r.id,
            r.origin,
            r.started_by,
            r.started_at,
            r.finished_at,
            r.status,
            r.patients_total,
            r.patients_done,
            r.note,
        )
        for r in rows
    ]
