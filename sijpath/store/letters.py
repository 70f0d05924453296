"""The physician's narratives of prior-authorization letters: read, replace and clear, one per patient,
procedure and joint."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, insert, select, update

from sijpath.store.tables import letter_narratives

__all__ = ["load_narrative", "save_narrative"]


def load_narrative(connection: Connection, patient_id: str, procedure: str, joint: str) -> str | None:
    t = letter_narratives.c
    found = connection.execute(
        select(t.text).where(t.patient_id == patient_id, t.procedure == procedure, t.joint == joint)
    ).scalar_one_or_none()
    return str(found) if found is not None else None


def save_narrative(
    connection: Connection, patient_id: str, procedure: str, joint: str, text: str, actor: str, now: dt.datetime
) -> bool:
    """Keep `text` as the narrative (blank text clears it); True when something changed."""
    t = letter_narratives.c
    where = (t.patient_id == patient_id, t.procedure == procedure, t.joint == joint)
    before = load_narrative(connection, patient_id, procedure, joint)
    text = text.strip()
    if (before or "") == text:
        return False
    if not text:
        connection.execute(delete(letter_narratives).where(*where))
    elif before is None:
        row = {"patient_id": patient_id, "procedure": procedure, "joint": joint, "text": text}
        connection.execute(insert(letter_narratives).values(**row, updated_by=actor, updated_at=now))
    else:
        connection.execute(update(letter_narratives).where(*where).values(text=text, updated_by=actor, updated_at=now))
    return True
