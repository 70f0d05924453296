"""One patient's registry as the outcomes page shows it: scores over time per joint, the schedule, responder status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from sijpath.outcomes.responders import THRESHOLDS, ResponderThreshold, is_responder
from sijpath.outcomes.schedule import BASELINE, TimePointStatus, schedule_status, time_point_of
from sijpath.store import outcomes as rows

__all__ = ["ProcedureView", "ResponderStatus", "patient_view"]

_COLUMN = {"odi": "odi", "nrs_back": "nrs_back", "nrs_leg": "nrs_leg", "eq5d_index": "eq5d_index"}


@dataclass(frozen=True, slots=True)
class ResponderStatus:
    """One threshold on one joint: baseline and latest follow-up, and met (True), not met (False) or unknown."""

    threshold: ResponderThreshold
    baseline: float | None
    follow_up: float | None
    follow_up_on: dt.date | None
    responder: bool | None


@dataclass(frozen=True, slots=True)
class ProcedureView:
    id: int
    joint: str
    procedure: str
    performed_on: dt.date
    synthetic: bool
    entries: tuple[tuple[str, Any], ...]  # (time point label or "between windows", entry row), oldest first
    schedule: tuple[TimePointStatus, ...]
    responders: tuple[ResponderStatus, ...]


def _baseline(entries: list[Any], column: str) -> float | None:
    # The baseline nearest the procedure (the last one before it) is the state the procedure changed.
    values = [getattr(e, column) for e in entries if BASELINE.opens_day <= e.day <= BASELINE.closes_day]
    values = [v for v in values if v is not None]
    return float(values[-1]) if values else None


def _latest(entries: list[Any], column: str) -> tuple[float | None, dt.date | None]:
    after = [e for e in entries if e.day > 0 and getattr(e, column) is not None]
    return (float(getattr(after[-1], column)), after[-1].measured_on) if after else (None, None)


def _responders(entries: list[Any]) -> tuple[ResponderStatus, ...]:
    statuses = []
    for threshold in THRESHOLDS:
        column = _COLUMN[threshold.instrument]
        baseline = _baseline(entries, column)
        follow_up, on = _latest(entries, column)
        statuses.append(
            ResponderStatus(threshold, baseline, follow_up, on, is_responder(threshold, baseline, follow_up))
        )
    return tuple(statuses)


def patient_view(connection: Connection, patient_id: str, as_of: dt.date) -> list[ProcedureView]:
    """Each index procedure of the patient with its entries up to `as_of` (later ones are not yet there)."""
    procedures = rows.patient_procedures(connection, patient_id)
    entries = rows.procedure_entries(connection, (p.id for p in procedures))
    views = []
    for p in procedures:
        known = [e for e in entries[p.id] if e.measured_on <= as_of]
        labelled = []
        for e in known:
            point = time_point_of(p.procedure, e.day)
            labelled.append((point.label if point else "between windows", e))
        schedule = schedule_status(p.procedure, p.performed_on, [e.day for e in known], as_of)
        views.append(
            ProcedureView(
                p.id,
                p.joint,
                p.procedure,
                p.performed_on,
                bool(p.synthetic),
                tuple(labelled),
                tuple(schedule),
                _responders(known),
            )
        )
    return views
