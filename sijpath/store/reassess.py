"""Batch re-assessment in the store: episodes read in pages, assessments written in batches, runs and step changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, insert, select, update

from sijpath.store.episodes import worklist_tokens
from sijpath.store.tables import assessments, episodes, reassess_runs, step_changes

__all__ = [
    "EpisodePage",
    "ReassessRun",
    "StepChange",
    "count_episodes",
    "current_pairs",
    "episode_page",
    "finish_run",
    "latest_run",
    "record_progress",
    "run_changes",
    "start_run",
    "store_batch",
]


@dataclass(frozen=True, slots=True)
class EpisodePage:
    """Stored episodes as their columns: (patient id, document, record issues, fingerprint) each."""

    rows: tuple[tuple[str, str, str, str], ...]

    @property
    def last(self) -> str | None:
        return self.rows[-1][0] if self.rows else None


@dataclass(frozen=True, slots=True)
class ReassessRun:
    id: int
    rulesets: tuple[str, ...]
    as_of: dt.date
    changed_since: dt.date | None
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    patients_total: int
    patients_done: int
    assessed: int
    changed: int
    note: str


@dataclass(frozen=True, slots=True)
class StepChange:
    """A patient whose stored next step under a rule set differs after a run from the one stored before it."""

    patient_id: str
    ruleset_id: str
    before_as_of: dt.date
    before: tuple[tuple[str, str], ...]  # (joint, step code) per joint
    after: tuple[tuple[str, str], ...]


def _since(changed_since: dt.date | None) -> Any:
    if changed_since is None:
        return True
    start = dt.datetime.combine(changed_since, dt.time(), tzinfo=dt.UTC)
    return episodes.c.updated_at >= start


def count_episodes(connection: Connection, changed_since: dt.date | None) -> int:
    query = select(func.count()).select_from(episodes).where(_since(changed_since))
    return int(connection.execute(query).scalar_one())


def episode_page(connection: Connection, after: str | None, limit: int, changed_since: dt.date | None) -> EpisodePage:
    """The next `limit` stored episodes in patient order after patient `after` (keyset paging: no OFFSET scans)."""
    query = select(episodes.c.patient_id, episodes.c.document, episodes.c.record_issues, episodes.c.fingerprint)
    query = query.where(_since(changed_since)).order_by(episodes.c.patient_id).limit(limit)
    if after is not None:
        query = query.where(episodes.c.patient_id > after)
    return EpisodePage(tuple((r[0], r[1], r[2], r[3]) for r in connection.execute(query)))


def current_pairs(
    connection: Connection, fingerprints: Mapping[str, str], versions: Mapping[str, str], as_of: dt.date
) -> set[tuple[str, str]]:
    """(patient, rule set) pairs that already have a stored assessment of this episode, version and day."""
    if not fingerprints:
        return set()
    table = assessments.c
    query = select(table.patient_id, table.ruleset_id, table.ruleset_version, table.fingerprint).where(
        table.patient_id.in_(list(fingerprints)), table.ruleset_id.in_(list(versions)), table.as_of == as_of
    )
    return {
        (patient_id, ruleset_id)
        for patient_id, ruleset_id, version, fingerprint in connection.execute(query)
        if versions[ruleset_id] == version and fingerprints[patient_id] == fingerprint
    }


def store_batch(connection: Connection, run_id: int, rows: Sequence[dict[str, Any]]) -> int:
    """Store assessment rows (`episodes.assessment_row`) and record each patient whose next step changed from the
    one stored before (the most recently stored of any day); returns how many changed. A row whose episode was
    changed or deleted since it was read is not stored: the list assesses the new episode on request."""
    if not rows:
        return 0
    ids = sorted({r["patient_id"] for r in rows})
    now_prints = dict(
        connection.execute(
            select(episodes.c.patient_id, episodes.c.fingerprint).where(episodes.c.patient_id.in_(ids))
        ).all()
    )
    rows = [r for r in rows if now_prints.get(r["patient_id"]) == r["fingerprint"]]
    if not rows:
        return 0
    # Stored meanwhile (the web list assesses on request): kept, not inserted twice.
    versions = {r["ruleset_id"]: r["ruleset_version"] for r in rows}
    stored = current_pairs(connection, now_prints, versions, rows[0]["as_of"])
    rows = [r for r in rows if (r["patient_id"], r["ruleset_id"]) not in stored]
    before = _previous(connection, {(r["patient_id"], r["ruleset_id"]) for r in rows})
    changes = []
    for row in rows:
        found = before.get((row["patient_id"], row["ruleset_id"]))
        if found is not None and found[1] != row["next_step"]:
            _add_new_steps(row, found)
            changes.append(
                {
                    "run_id": run_id,
                    "patient_id": row["patient_id"],
                    "ruleset_id": row["ruleset_id"],
                    "before_as_of": found[0],
                    "before_step": found[1],
                    "after_step": row["next_step"],
                }
            )
    connection.execute(insert(assessments), list(rows))
    if changes:
        connection.execute(insert(step_changes), changes)
    return len(changes)


def _add_new_steps(row: dict[str, Any], before: tuple[dt.date, str]) -> None:
    """Put each joint whose next step changed on the worklist (`joint:new-step`), saying what it was."""
    was = dict(_pairs(before[1]))
    work = [tuple(item) for item in orjson.loads(row.get("worklist_detail") or "[]")]
    new = [
        (joint, "new-step", f"was {was[joint]} on {before[0]}, now {step}" if joint in was else f"now {step}")
        for joint, step in _pairs(row["next_step"])
        if was.get(joint) != step
    ]
    row["worklist_detail"] = orjson.dumps([list(item) for item in (*new, *work)]).decode()
    row["worklist"] = worklist_tokens([(j, r, d) for j, r, d in (*new, *work)])


def _previous(connection: Connection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[dt.date, str]]:
    """Per (patient, rule set): the as-of day and next step of the assessment stored most recently."""
    ids = sorted({p for p, _ in pairs})
    query = select(
        assessments.c.patient_id,
        assessments.c.ruleset_id,
        assessments.c.as_of,
        assessments.c.next_step,
        assessments.c.stored_at,
    ).where(assessments.c.patient_id.in_(ids), assessments.c.ruleset_id.in_(sorted({r for _, r in pairs})))
    newest: dict[tuple[str, str], tuple[Any, dt.date, str]] = {}
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    for patient_id, ruleset_id, as_of, step, stored_at in connection.execute(query):
        stored = floor if stored_at is None else (stored_at if stored_at.tzinfo else stored_at.replace(tzinfo=dt.UTC))
        order = (stored, as_of)
        key = (patient_id, ruleset_id)
        if key in pairs and (key not in newest or order > newest[key][0]):
            newest[key] = (order, as_of, step)
    return {key: (as_of, step) for key, (_, as_of, step) in newest.items()}


def start_run(
    connection: Connection,
    rulesets: Sequence[tuple[str, str]],
    as_of: dt.date,
    changed_since: dt.date | None,
    actor: str,
    total: int,
    now: dt.datetime,
) -> int:
    values = {
        "rulesets": " ".join(f"{i}@{v}" for i, v in rulesets)[:400],
        "as_of": as_of,
        "changed_since": changed_since,
        "started_by": actor[:64],
        "started_at": now,
        "status": "running",
        "patients_total": total,
        "patients_done": 0,
        "assessed": 0,
        "changed": 0,
        "note": "",
    }
    return int(connection.execute(insert(reassess_runs).values(**values).returning(reassess_runs.c.id)).scalar_one())


def record_progress(connection: Connection, run_id: int, patients: int, assessed: int, changed: int) -> None:
    """Inside each batch's transaction, so the journal counts exactly what is committed."""
    table = reassess_runs.c
    connection.execute(
        update(reassess_runs)
        .where(table.id == run_id)
        .values(
            patients_done=table.patients_done + patients,
            assessed=table.assessed + assessed,
            changed=table.changed + changed,
        )
    )


def finish_run(connection: Connection, run_id: int, status: str, now: dt.datetime, note: str = "") -> None:
    connection.execute(
        update(reassess_runs)
        .where(reassess_runs.c.id == run_id)
        .values(status=status, finished_at=now, note=note[:2000])
    )


def latest_run(connection: Connection, ruleset_id: str | None = None) -> ReassessRun | None:
    """The most recent run (that covered this rule set, when given)."""
    query = select(reassess_runs).order_by(reassess_runs.c.id.desc())
    for row in connection.execute(query):
        rulesets = tuple(token.split("@", 1)[0] for token in row.rulesets.split())
        if ruleset_id is None or ruleset_id in rulesets:
            return ReassessRun(
                row.id,
                tuple(row.rulesets.split()),
                row.as_of,
                row.changed_since,
                row.started_by,
                row.started_at,
                row.finished_at,
                row.status,
                row.patients_total,
                row.patients_done,
                row.assessed,
                row.changed,
                row.note,
            )
    return None


def run_changes(
    connection: Connection, run_id: int, ruleset_id: str, limit: int = 50, offset: int = 0
) -> tuple[int, list[StepChange]]:
    """(total, one page in patient order) of the patients whose next step the run changed under a rule set."""
    where = and_(step_changes.c.run_id == run_id, step_changes.c.ruleset_id == ruleset_id)
    total = int(connection.execute(select(func.count()).select_from(step_changes).where(where)).scalar_one())
    query = select(step_changes).where(where).order_by(step_changes.c.patient_id).limit(limit).offset(offset)
    return total, [
        StepChange(r.patient_id, r.ruleset_id, r.before_as_of, _pairs(r.before_step), _pairs(r.after_step))
        for r in connection.execute(query)
    ]


def _pairs(tokens: str) -> tuple[tuple[str, str], ...]:
    return tuple((joint, code) for joint, code in (token.split(":", 1) for token in tokens.split()))
