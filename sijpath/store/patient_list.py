"""The patient list: episodes joined with their stored assessment under a rule set and date, searched and sorted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, and_, func, literal, select

from sijpath.store.tables import assessments, episodes

__all__ = ["COUNT_CAP", "JointRow", "PatientRow", "SortKey", "list_patients", "unassessed"]


SortKey = Literal["patient", "next_step", "stage", "updated"]
COUNT_CAP = 1000  # a list counted by the assessment stops here ("more than"): a count must not read everyone


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
    count_cap: int | None = None,
    after: str | None = None,
) -> tuple[int, list[PatientRow]]:
    """(total matching, one page) of patients with their assessment under a rule set on a date, if stored. With
    `count_cap`, a list filtered or sorted by the assessment is counted only up to one more than the cap (the page
    shows "more than"), so counting never reads the whole population. `after` (a patient id, in patient order only)
    starts the page after that patient, instead of `offset`: the next page costs what the first does."""
    # The join names the rule set and date in ON, so each episode finds its row through the unique index
    # (patient_id first); a filtered subquery here made SQLite scan assessments once per episode.
    current = assessments
    condition = _current_assessment(ruleset_id, as_of, ruleset_version)
    searched: list[ColumnElement[bool]] = []
    if search:
        searched.append(episodes.c.patient_id.icontains(search, autoescape=True))  # `%` and `_` are literal
    assessed: list[ColumnElement[bool]] = []
    if next_step:  # any joint at this step: the column holds `joint:step` tokens
        padded_steps = literal(" ") + current.c.next_step + literal(" ")
        assessed.append(padded_steps.contains(f":{next_step} ", autoescape=True))
    if flag:
        padded = literal(" ") + current.c.flags + literal(" ")
        assessed.append(padded.contains(f" {flag} ", autoescape=True))  # a whole flag code, literally
    # Once every patient is assessed, an inner join lets the database walk the by-step index in order.
    joined = episodes.join(current, condition) if assessed_only else episodes.outerjoin(current, condition)
    # Without a filter on the assessment, the outer join keeps one row per episode: count the episodes alone.
    counted = select(literal(1)).select_from(joined if assessed or assessed_only else episodes)
    counted = counted.where(*searched, *assessed)
    if count_cap is not None and (assessed or assessed_only):
        counted = counted.limit(count_cap + 1)
    total = connection.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    keyset: list[ColumnElement[bool]] = []
    if after is not None and sort == "patient" and not descending:
        keyset.append((current.c.patient_id if assessed_only else episodes.c.patient_id) > after)
        offset = 0
    if not assessed and not assessed_only and sort in ("patient", "updated"):
        return total, _episodes_first(connection, condition, [*searched, *keyset], sort, descending, limit, offset)
    order = {
        "patient": current.c.patient_id if assessed_only else episodes.c.patient_id,
        "next_step": current.c.next_step,
        "stage": current.c.stage,
        "updated": episodes.c.updated_at,
    }[sort]
    # Ties broken by the same patient id, taken from the table whose index gives the order.
    tie = current.c.patient_id if assessed_only and sort != "updated" else episodes.c.patient_id
    query = (
        select(*_COLUMNS)
        .select_from(joined)
        .where(*searched, *assessed, *keyset)
        .order_by(order.desc() if descending else order.asc(), tie.desc() if descending else tie.asc())
        .limit(limit)
        .offset(offset)
    )
    return total, _rows(connection.execute(query))


_COLUMNS = (
    episodes.c.patient_id,
    episodes.c.version,
    episodes.c.updated_at,
    assessments.c.next_step,
    assessments.c.stage,
    assessments.c.flags,
    assessments.c.as_of,
)


def _episodes_first(
    connection: Connection,
    condition: ColumnElement[bool],
    searched: list[ColumnElement[bool]],
    sort: SortKey,
    descending: bool,
    limit: int,
    offset: int,
) -> list[PatientRow]:
    """A page of an unfiltered list: the page's episodes chosen (and skipped) in the episodes' own index, then only
    those joined with their assessment, so a later page costs no join for the rows before it."""
    key = episodes.c.updated_at if sort == "updated" else episodes.c.patient_id
    ordering = (key.desc(), episodes.c.patient_id.desc()) if descending else (key.asc(), episodes.c.patient_id.asc())
    page = select(episodes.c.patient_id).where(*searched).order_by(*ordering).limit(limit).offset(offset)
    ids = [row.patient_id for row in connection.execute(page)]
    if not ids:
        return []
    query = select(*_COLUMNS).select_from(episodes.outerjoin(assessments, condition))
    found = {row.patient_id: row for row in connection.execute(query.where(episodes.c.patient_id.in_(ids)))}
    return _rows(found[i] for i in ids)


def _rows(rows: Iterable[Any]) -> list[PatientRow]:
    return [
        PatientRow(
            r.patient_id,
            r.version,
            r.updated_at,
            _joints(r.stage, r.next_step),
            tuple(r.flags.split()) if r.flags else (),
            r.as_of,
        )
        for r in rows
    ]


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
