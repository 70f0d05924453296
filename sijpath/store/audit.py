"""The append-only audit trail: who did what to which patient, when and from where, each row hash-chained."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import orjson
from sqlalchemy import ColumnElement, Connection, Engine, func, not_, or_, select, text

from sijpath.store.tables import audit_log

__all__ = ["GENESIS", "KINDS", "AuditQuery", "head", "history", "record", "search", "verify"]

GENESIS = "0" * 64
# What an action is, by its name: reads of data, signing in and out, and everything else (writes, the default, so a
# new action is never hidden among the reads).
_READ_PREFIXES = ("view-", "list-", "read-", "download-")
_READ_ACTIONS = ("assess", "compare", "cds-hooks")
_SIGN_INS = ("sign-in", "sign-in-failed", "sign-out")
KINDS = {"writes": "Writes", "reads": "Reads", "sign-ins": "Sign-ins", "all": "Everything"}


def _digest(
    seq: int, at: dt.datetime, actor: str, action: str, patient_id: str | None, detail: str, remote: str, prev_hash: str
) -> str:
    # UTC ISO text with microseconds: the same on every backend, so the chain verifies wherever it is stored.
    stamp = at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = orjson.dumps([seq, stamp, actor, action, patient_id, detail, remote, prev_hash])
    return hashlib.sha256(payload).hexdigest()


def record(
    connection: Connection,
    *,
    actor: str,
    action: str,
    patient_id: str | None,
    detail: str,
    remote: str,
    at: dt.datetime,
) -> None:
    """Append one row inside the caller's transaction, chained to the row before it."""
    if connection.dialect.name == "postgresql":
        # Serialize writers on the chain's tail.
        connection.execute(_PG_LOCK)
    elif connection.dialect.name == "sqlite" and not _has_written(connection):
        # SQLite has one writer at a time, but pysqlite starts the transaction only at its first write: a no-op
        # write takes the write lock now, so no other writer can append between reading the tail and appending.
        connection.execute(_TAKE_WRITE_LOCK)
    last = connection.execute(_TAIL).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
    at = at.astimezone(dt.UTC)
    digest = _digest(seq, at, actor, action, patient_id, detail, remote, prev_hash)
    row = {"seq": seq, "at": at, "actor": actor, "action": action, "patient_id": patient_id, "detail": detail}
    connection.execute(_APPEND, {**row, "remote": remote, "prev_hash": prev_hash, "hash": digest})


def _has_written(connection: Connection) -> bool:
    """Whether this SQLite transaction has written already, and so holds the write lock."""
    return bool(getattr(connection.connection.dbapi_connection, "in_transaction", False))


# Built once: a statement given its values as parameters is much cheaper than one built per row.
_PG_LOCK = text("SELECT pg_advisory_xact_lock(424242)")
_TAKE_WRITE_LOCK = text("UPDATE audit_log SET seq = seq WHERE 0 = 1")
_TAIL = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_APPEND = audit_log.insert()


def history(connection: Connection, patient_id: str, limit: int = 500) -> list[dict[str, object]]:
    """The newest audit rows about one patient, newest first."""
    rows = connection.execute(
        select(audit_log).where(audit_log.c.patient_id == patient_id).order_by(audit_log.c.seq.desc()).limit(limit)
    )
    return [dict(r._mapping) for r in rows]


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which rows of the whole trail: by user, action, patient, days (UTC, both included) and kind; `before` pages."""

    actor: str = ""
    action: str = ""
    patient_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    kind: str = "writes"
    before: int | None = None  # rows with a lower sequence number than this (the next page, newest first)


def _kind(kind: str) -> ColumnElement[bool] | None:
    action = audit_log.c.action
    reads = or_(*(action.startswith(p, autoescape=True) for p in _READ_PREFIXES), action.in_(_READ_ACTIONS))
    sign_ins = action.in_(_SIGN_INS)
    return {"reads": reads, "sign-ins": sign_ins, "writes": not_(or_(reads, sign_ins))}.get(kind)


def search(connection: Connection, query: AuditQuery, limit: int = 100) -> list[dict[str, object]]:
    """The newest rows of the whole trail that match, newest first (a keyset page: `before` the last seq shown)."""
    c = audit_log.c
    conditions = [
        condition
        for condition in (
            c.actor == query.actor if query.actor else None,
            c.action == query.action if query.action else None,
            c.patient_id == query.patient_id if query.patient_id else None,
            c.at >= _midnight(query.since) if query.since else None,
            c.at < _midnight(query.until + dt.timedelta(days=1)) if query.until else None,
            c.seq < query.before if query.before is not None else None,
            _kind(query.kind),
        )
        if condition is not None
    ]
    rows = connection.execute(select(audit_log).where(*conditions).order_by(c.seq.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def head(engine: Engine) -> tuple[int, str] | None:
    """The last row's sequence number and hash: kept outside the database, it lets `verify` catch a cut tail."""
    with engine.connect() as connection:
        row = connection.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc())).first()
    return (row.seq, row.hash) if row is not None else None


def verify(engine: Engine, anchor: tuple[int, str] | None = None) -> tuple[int, list[str]]:
    """Re-compute the chain: (rows checked, problems). A changed row breaks its own hash; a deleted row breaks
    the sequence and the next row's link. Deleting the newest rows leaves a valid chain, so a tail cut is caught
    only against an `anchor` (a head recorded earlier, elsewhere): that row must still be there, unchanged."""
    anchor_seen = anchor is None
    problems: list[str] = []
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    with engine.connect() as connection:
        rows = connection.execution_options(stream_results=True).execute(select(audit_log).order_by(audit_log.c.seq))
        for row in rows:
            checked += 1
            if row.seq != expected_seq:
                problems.append(f"row {expected_seq}…{row.seq - 1} missing (deleted?)")
            if row.prev_hash != expected_prev:
                problems.append(f"row {row.seq}: does not link to the row before it")
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
            digest = _digest(row.seq, at, row.actor, row.action, row.patient_id, row.detail, row.remote, row.prev_hash)
            if digest != row.hash:
                problems.append(f"row {row.seq}: content does not match its hash (altered?)")
            if anchor is not None and row.seq == anchor[0]:
                anchor_seen = True
                if row.hash != anchor[1]:
                    problems.append(f"row {row.seq}: not the row recorded as the head earlier (rewritten?)")
            expected_prev, expected_seq = row.hash, row.seq + 1
        total = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
    if total != checked:
        problems.append(f"{total} rows counted but {checked} read")
    if not anchor_seen and anchor is not None:
        problems.append(f"row {anchor[0]}, the head recorded earlier, is gone: the newest rows were deleted")
    return checked, problems
