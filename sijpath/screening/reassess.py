"""Re-assessing the stored patients: episodes read in pages, assessed on every core, stored in batches, journaled."""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine

from sijpath.errors import SijpathError
from sijpath.pathway.assess import evaluate
from sijpath.pathway.worklist import work_items
from sijpath.screening.run import WORKER_RULESETS, Progress, RulesetLoader, worker_pool
from sijpath.store import audit, reassess
from sijpath.store.database import transaction
from sijpath.store.episodes import assessment_row, decode_episode, keep_newest_pairs

__all__ = ["BATCH_PATIENTS", "ReassessRequest", "ReassessSummary", "reassess_store"]

BATCH_PATIENTS = 200
# (patient id, episode document, record issues, fingerprint, the rule sets still to assess it under)
_Item = tuple[str, str, str, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ReassessRequest:
    """Which stored patients to re-assess (all, or those changed since a day), under which rule sets, as of when."""

    engine: Engine
    load_rulesets: RulesetLoader
    as_of: dt.date
    actor: str
    now: Callable[[], dt.datetime]
    changed_since: dt.date | None = None
    workers: int = 1
    batch_patients: int = BATCH_PATIENTS
    keep_dates: int | None = None  # the store's bound on (rule set, as-of) pairs, applied once at the end


@dataclass(slots=True)
class ReassessSummary:
    """What a run did: patients read, (patient, rule set) pairs assessed and already current, next steps changed."""

    run_id: int
    patients: int = 0
    assessed: int = 0
    current: int = 0
    changed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (patient id, reason): not assessed


def _assess_batch(items: list[_Item], as_of: dt.date, stored_at: dt.datetime) -> tuple[list[dict[str, Any]], list[Any]]:
    """The assessment rows of one batch, and the patients that could not be assessed with the reason."""
    rows: list[dict[str, Any]] = []
    failed: list[tuple[str, str]] = []
    for patient_id, document, record_issues, fingerprint, ruleset_ids in items:
        try:
            episode, issues = decode_episode(document, record_issues)
            for ruleset in WORKER_RULESETS:
                if ruleset.id in ruleset_ids:
                    assessment = evaluate(episode, ruleset, as_of, issues)
                    rows.append(assessment_row(assessment, fingerprint, stored_at, work_items(assessment, ruleset)))
        except (SijpathError, ValidationError, ValueError) as exc:
            failed.append((patient_id, (str(exc).splitlines() or [type(exc).__name__])[0][:300]))
    return rows, failed


def reassess_store(request: ReassessRequest, progress: Progress | None = None) -> ReassessSummary:
    """Assess every stored patient (or those changed since a day) whose current episode has no stored assessment
    under each rule set on the day; a stopped run is finished by running it again (what is stored stays)."""
    rulesets = list(request.load_rulesets())
    versions = {r.id: r.version for r in rulesets}
    started = request.now()
    with transaction(request.engine) as connection:
        total = reassess.count_episodes(connection, request.changed_since)
        pairs = [(r.id, r.version) for r in rulesets]
        run_id = reassess.start_run(
            connection, pairs, request.as_of, request.changed_since, request.actor, total, started
        )
    summary = ReassessSummary(run_id)
    pool = worker_pool(request.workers, request.load_rulesets) if request.workers > 1 else None
    if pool is None:
        WORKER_RULESETS[:] = rulesets
    pending: dict[cf.Future[tuple[list[dict[str, Any]], list[Any]]], int] = {}

    def write(result: tuple[list[dict[str, Any]], list[Any]], patients: int) -> None:
        rows, failed = result
        with transaction(request.engine) as connection:
            changed = reassess.store_batch(connection, run_id, rows)
            reassess.record_progress(connection, run_id, patients, len(rows), changed)
        summary.patients += patients
        summary.assessed += len(rows)
        summary.changed += changed
        summary.failed += [tuple(f) for f in failed]
        if progress is not None:
            progress(summary.patients, total)

    def collect(when: str) -> None:
        finished, _ = cf.wait(pending, return_when=when)
        for future in finished:
            write(future.result(), pending.pop(future))

    if progress is not None:
        progress(0, total)
    try:
        after: str | None = None
        while batch := _next_batch(request, versions, after):
            after, items, read = batch
            summary.current += read * len(versions) - sum(len(i[4]) for i in items)
            if pool is None or not items:
                write(_assess_batch(items, request.as_of, started), read)
                continue
            pending[pool.submit(_assess_batch, items, request.as_of, started)] = read
            while len(pending) >= 2 * request.workers:  # bounded: at most two batches per worker in memory
                collect(cf.FIRST_COMPLETED)
        collect(cf.ALL_COMPLETED)
    except BaseException as exc:
        with transaction(request.engine) as connection:
            reassess.finish_run(connection, run_id, "failed", request.now(), f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        WORKER_RULESETS.clear()
    _finish(request, summary, len(rulesets))
    return summary


def _next_batch(
    request: ReassessRequest, versions: dict[str, str], after: str | None
) -> tuple[str, list[_Item], int] | None:
    """The next page of stored episodes after patient `after`: (its last patient, the work still to do, how many
    patients it holds), or None past the last; a (patient, rule set) pair already stored is not redone."""
    with transaction(request.engine) as connection:
        page = reassess.episode_page(connection, after, request.batch_patients, request.changed_since)
        if page.last is None:
            return None
        prints = {patient_id: fingerprint for patient_id, _, _, fingerprint in page.rows}
        current = reassess.current_pairs(connection, prints, versions, request.as_of)
    items = []
    for patient_id, document, record_issues, fingerprint in page.rows:
        todo = tuple(r for r in versions if (patient_id, r) not in current)
        if todo:
            items.append((patient_id, document, record_issues, fingerprint, todo))
    return page.last, items, len(page.rows)


def _finish(request: ReassessRequest, summary: ReassessSummary, rulesets: int) -> None:
    """The run complete in the journal and the audit trail; the store's bound on cached days applied, never to
    this run's own (rule set, day) pairs."""
    note = f"{len(summary.failed)} patient(s) not assessed" if summary.failed else ""
    detail = (
        f"reassess run {summary.run_id} as of {request.as_of}: {summary.patients} patients, {summary.assessed} "
        f"assessed, {summary.current} already current, {summary.changed} next steps changed"
        + (f", {note}" if note else "")
    )
    with transaction(request.engine) as connection:
        if request.keep_dates is not None:
            keep_newest_pairs(connection, max(request.keep_dates, rulesets))
        reassess.finish_run(connection, summary.run_id, "complete", request.now(), note)
        audit.record(
            connection,
            actor=request.actor,
            action="reassess",
            patient_id=None,
            detail=detail,
            remote="cli",
            at=request.now(),
        )
