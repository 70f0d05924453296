"""Decision-aid answers in the database: each recording appended, the newest per patient and joint read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select

from sijpath.store.tables import decision_aid_answers

__all__ = ["RecordedAnswers", "latest_answers", "record_answers"]


@dataclass(frozen=True, slots=True)
class RecordedAnswers:
    """One recording: the answers (already validated by the caller) and who recorded them, when, for which aid."""

    patient_id: str
    joint: str
    aid_date: dt.date
    ruleset_id: str
    answers: dict[str, Any]
    recorded_at: dt.datetime
    recorded_by: str


def record_answers(
    connection: Connection,
    *,
    patient_id: str,
    joint: str,
    aid_date: dt.date,
    ruleset_id: str,
    answers: Mapping[str, Any],
    actor: str,
    now: dt.datetime,
) -> RecordedAnswers:
    """Append one recording in the caller's transaction (which also writes its audit row)."""
    values = {
        "patient_id": patient_id,
        "joint": joint,
        "aid_date": aid_date,
        "ruleset_id": ruleset_id,
        "answers": orjson.dumps(dict(answers), option=orjson.OPT_SORT_KEYS).decode(),
        "recorded_at": now,
        "recorded_by": actor,
    }
    connection.execute(insert(decision_aid_answers).values(**values))
    return RecordedAnswers(patient_id, joint, aid_date, ruleset_id, dict(answers), now, actor)


def latest_answers(connection: Connection, patient_id: str, joint: str) -> RecordedAnswers | None:
    """The newest recording for this patient's joint, or None when none was recorded."""
    table = decision_aid_answers
    row = connection.execute(
        select(table)
        .where(table.c.patient_id == patient_id, table.c.joint == joint)
        .order_by(table.c.recorded_at.desc(), table.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    recorded_at = row.recorded_at if row.recorded_at.tzinfo else row.recorded_at.replace(tzinfo=dt.UTC)
    return RecordedAnswers(
        row.patient_id,
        row.joint,
        row.aid_date,
        row.ruleset_id,
        orjson.loads(row.answers),
        recorded_at,
        row.recorded_by,
    )
