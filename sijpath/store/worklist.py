"""The worklist in the store: stored assessments of one rule set and day that need action, a keyset page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import orjson
from sqlalchemy import ColumnElement, Connection, and_, exists, func, literal, select

from sijpath.store.patient_list import COUNT_CAP
from sijpath.store.reassess import latest_run
from sijpath.store.tables import assessments, episodes, patient_coverage

__all__ = ["COUNT_CAP", "WorklistFilter", "WorklistPage", "WorklistRow", "worklist_day", "worklist_page"]


@dataclass(frozen=True, slots=True)
class WorklistFilter:
    """Which stored assessments: a rule set, a day, and optionally a reason, joint, next step, flag and the payer
    of the patient's stored coverage."""

    ruleset_id: str
    ruleset_version: str
    as_of: dt.date
    reason: str = ""
    joint: str = ""
    step: str = ""
    flag: str = ""
    payer: str = ""


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """A patient on the worklist: the next step per joint, the flags, and why (joint, reason, detail) each."""

    patient_id: str
    steps: tuple[tuple[str, str], ...]
    flags: tuple[str, ...]
    items: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class WorklistPage:
    rows: tuple[WorklistRow, ...]
    total: int  # at most COUNT_CAP + 1: more than COUNT_CAP when it is
    after: str | None  # the last patient id of this page, when another page follows

    @property
    def total_text(self) -> str:
        return f"more than {COUNT_CAP}" if self.total > COUNT_CAP else str(self.total)


def worklist_day(connection: Connection, ruleset_id: str, today: dt.date) -> dt.date | None:
    """The day of the stored batch the worklist shows: that of the latest `sijpath reassess` run under the rule set,
    else the newest day up to today with stored assessments under it (None: nothing stored yet)."""
    run = latest_run(connection, ruleset_id)
    if run is not None:
        return run.as_of
    newest = select(func.max(assessments.c.as_of)).where(
        assessments.c.ruleset_id == ruleset_id, assessments.c.as_of <= today
    )
    day: dt.date | None = connection.execute(newest).scalar_one_or_none()
    return day


def _padded(column: ColumnElement[str]) -> ColumnElement[str]:
    return literal(" ") + column + literal(" ")


def _conditions(f: WorklistFilter) -> list[ColumnElement[bool]]:
    a = assessments.c
    conditions = [
        a.ruleset_id == f.ruleset_id,
        a.as_of == f.as_of,
        a.ruleset_version == f.ruleset_version,
        a.worklist.is_not(None),
        a.worklist != "",
    ]
    joint = f" {f.joint}:" if f.joint else ":"
    if f.reason or f.joint:  # the tokens are `joint:reason`
        token = f"{joint}{f.reason} " if f.reason else joint
        conditions.append(_padded(a.worklist).contains(token, autoescape=True))
    if f.step:
        conditions.append(_padded(a.next_step).contains(f"{joint}{f.step} ", autoescape=True))
    if f.flag:
        conditions.append(_padded(a.flags).contains(f" {f.flag} ", autoescape=True))
    if f.payer:  # the payer on the patient's stored coverage (a patient with none recorded is not this payer's)
        c = patient_coverage.c
        conditions.append(exists().where(c.patient_id == a.patient_id, c.payer == f.payer))
    return conditions


def worklist_page(connection: Connection, f: WorklistFilter, after: str | None = None, limit: int = 50) -> WorklistPage:
    """One page in patient order after patient `after` (keyset: no OFFSET scan), and the matches counted up to the
    cap. Only assessments of each episode as it is now count: a patient changed since waits for the next batch."""
    joined = assessments.join(
        episodes,
        and_(episodes.c.patient_id == assessments.c.patient_id, episodes.c.fingerprint == assessments.c.fingerprint),
    )
    conditions = _conditions(f)
    counted = select(literal(1)).select_from(joined).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = int(connection.execute(select(func.count()).select_from(counted)).scalar_one())
    a = assessments.c
    query = select(a.patient_id, a.next_step, a.flags, a.worklist_detail).select_from(joined).where(*conditions)
    if after is not None:
        query = query.where(a.patient_id > after)
    found = connection.execute(query.order_by(a.patient_id).limit(limit + 1)).all()
    rows = tuple(
        WorklistRow(
            r.patient_id,
            tuple((j, s) for j, s in (t.split(":", 1) for t in r.next_step.split())),
            tuple(r.flags.split()),
            tuple((str(j), str(w), str(d)) for j, w, d in orjson.loads(r.worklist_detail or "[]")),
        )
        for r in found[:limit]
    )
    return WorklistPage(rows, total, rows[-1].patient_id if len(found) > limit else None)
