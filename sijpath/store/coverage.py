"""A patient's coverage (payer, plan, member ID, Medicare contractor): read, replace and clear, one row per patient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from sijpath.store.patient_tables import patient_coverage

__all__ = ["Coverage", "load_coverage", "save_coverage"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the patient's insurance card says, as staff recorded it; empty text is "not recorded"."""

    payer: str
    plan: str = ""
    member_id: str = ""
    medicare_contractor: str = ""
    updated_by: str = ""
    updated_at: dt.datetime | None = None

    def fields(self) -> tuple[str, str, str, str]:
        """The recorded values, for telling whether an edit changes anything."""
        return (self.payer, self.plan, self.member_id, self.medicare_contractor)


def load_coverage(connection: Connection, patient_id: str) -> Coverage | None:
    """The patient's coverage, or None when none is recorded."""
    t = patient_coverage.c
    row = connection.execute(select(patient_coverage).where(t.patient_id == patient_id)).first()
    if row is None:
        return None
    at = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.UTC)
    return Coverage(row.payer, row.plan, row.member_id, row.medicare_contractor, row.updated_by, at)


def save_coverage(
    connection: Connection, patient_id: str, coverage: Coverage, actor: str, now: dt.datetime
) -> Coverage | None:
    """Keep `coverage` as the patient's (replacing any); returns what was recorded before, or None if nothing was.
    Saving the same values again writes nothing and returns them unchanged (the caller tells by `fields()`)."""
    before = load_coverage(connection, patient_id)
    if before is not None and before.fields() == coverage.fields():
        return before
    values = {
        "payer": coverage.payer,
        "plan": coverage.plan,
        "member_id": coverage.member_id,
        "medicare_contractor": coverage.medicare_contractor,
        "updated_by": actor,
        "updated_at": now,
    }
    if before is None:
        connection.execute(insert(patient_coverage).values(patient_id=patient_id, **values))
    else:
        t = patient_coverage.c
        connection.execute(update(patient_coverage).where(t.patient_id == patient_id).values(**values))
    return before
