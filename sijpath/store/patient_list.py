"""The patient list: episodes joined with their stored assessment under a rule set and date, searched and sorted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Connection, and_, func, literal, select

from sijpath.store.tables import assessments, episodes

__all__ = ["JointRow", "PatientRow", "SortKey", "list_patients", "unassessed"]


SortKey = Literal["patient", "next_step", "stage", "updated"]


@dataclass(frozen=True, slots=True)
class JointRow:
    """One joint's stage and next step in the list."""

    joint: str
    stage: str
    next_step: str


@dataclass(frozen=True, slots=True)
class PatientRow:
    """A patient in the list; `joints` is None until the patient is assessed under the list's rule set and date."""

    patient_id: str
    version: int
    updated_at: dt.datetime
    joints: tuple[JointRow, ...] | None
    flags: tuple[str, ...]
    as_of: dt.date | None

    @property
    def assessed(self) -> bool:
        return self.joints is not None


def list_patients(
    connection: Connection,
    *,
    ruleset_id: str,
    as_of: dt.date,
    ruleset_version: str | None = None,
    search: str = "",
    next_step: str | None = None,
    flag: str | None = None,
    sort: SortKey = "patient",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
    assessed_only: bool = False,
) -> tuple[int, list[PatientRow]]:
    """(total matching, one page) of patients with their assessment under a rule set on a date, if stored."""
    # The join names the rule set and date in ON, so each episode finds its row through the unique index
    # (patient_id first); a filtered subquery here made SQLite scan assessments once per episode.
    current = assessments
    condition = _current_assessment(ruleset_id, as_of, ruleset_version)
    # Once every patient is assessed, an inner join lets the database walk the by-step index in order.
    joined = episodes.join(current, condition) if assessed_only else episodes.outerjoin(current, condition)
    conditions: list[ColumnElement[bool]] = []
    if search:
        conditions.append(episodes.c.patient_id.icontains(search, autoescape=True))  # `%` and `_` are literal
    if next_step:  # any joint at this step: the column holds `joint:step` tokens
        padded_steps = literal(" ") + current.c.next_step + literal(" ")
        conditions.append(padded_steps.contains(f":{next_step} ", autoescape=True))
    if flag:
        padded = literal(" ") + current.c.flags + literal(" ")
        conditions.append(padded.contains(f" {flag} ", autoescape=True))  # a whole flag code, literally
    total = connection.execute(select(func.count()).select_from(joined).where(*conditions)).scalar_one()
    order = {
        "patient": episodes.c.patient_id,
        "next_step": current.c.next_step,
        "stage": current.c.stage,
        "updated": episodes.c.updated_at,
    }[sort]
    # Ties broken by the same patient id, taken from the table whose index gives the order.
    tie = current.c.patient_id if assessed_only and sort in ("next_step", "stage") else episodes.c.patient_id
    query = (
        select(
            episodes.c.patient_id,
            episodes.c.version,
            episodes.c.updated_at,
            current.c.next_step,
            current.c.stage,
            current.c.flags,
            current.c.as_of,
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(order.desc() if descending else order.asc(), tie.desc() if descending else tie.asc())
        .limit(limit)
        .offset(offset)
    )
    rows = [
        PatientRow(
            r.patient_id,
            r.version,
            r.updated_at,
            _joints(r.stage, r.next_step),
            tuple(r.flags.split()) if r.flags else (),
            r.as_of,
        )
        for r in connection.execute(query)
    ]
    return total, rows


def _joints(stages: str | None, steps: str | None) -> tuple[JointRow, ...] | None:
    if steps is None or stages is None:
        return None
    stage_of = dict(token.split(":", 1) for token in stages.split())
    return tuple(
        JointRow(joint, stage_of.get(joint, ""), step)
        for joint, step in (token.split(":", 1) for token in steps.split())
    )


def unassessed(
    connection: Connection,
    *,
    ruleset_id: str,
    as_of: dt.date,
    among: Sequence[str] | None = None,
    ruleset_version: str | None = None,
) -> list[str]:
    """Patients with no stored assessment of their current episode under this rule set on this date."""
    query = (
        select(episodes.c.patient_id)
        .select_from(episodes.outerjoin(assessments, _current_assessment(ruleset_id, as_of, ruleset_version)))
        .where(assessments.c.patient_id.is_(None))
        .order_by(episodes.c.patient_id)
    )
    if among is not None:
        query = query.where(episodes.c.patient_id.in_(list(among)))
    return [row.patient_id for row in connection.execute(query)]


def _current_assessment(ruleset_id: str, as_of: dt.date, ruleset_version: str | None) -> ColumnElement[bool]:
    """The stored assessment of an episode's current version under a rule set (in the version in force, when
    given: after an upgrade an older version's cached step is not current) on a date."""
    condition = and_(
        assessments.c.patient_id == episodes.c.patient_id,
        assessments.c.ruleset_id == ruleset_id,
        assessments.c.as_of == as_of,
        assessments.c.fingerprint == episodes.c.fingerprint,
    )
    return and_(condition, assessments.c.ruleset_version == ruleset_version) if ruleset_version else condition
