"""One SQLite writer at a time across server processes, woken the moment the lock frees.

SQLite lets one connection write at a time; one that finds the database locked polls through its busy handler,
which sleeps 1, 2, 5, … up to 100 ms between tries. With several worker processes those sleeps were the tail of
every call that writes (a CDS call writes its jti, its cards and its audit row). So a connection takes an
exclusive `flock` on `<database>.writer-lock` before its first writing statement and gives it back when it goes
back to the pool (after its commit or rollback): waiting writers queue in the kernel and wake at once. Reads take
no lock. pysqlite begins a transaction only at the first writing statement, so the lock is always taken before
SQLite's own.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["serialize_writers"]

_READS = ("SELECT", "PRAGMA")


def serialize_writers(engine: Engine, database: str) -> None:
    """Install the lock on an SQLite engine whose database file is `database`."""
    lock_path = f"{database}.writer-lock"

    @event.listens_for(engine, "connect")
    def _open(dbapi_connection: Any, record: Any) -> None:
        record.info["writer_lock"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        record.info["writer_lock_held"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        info = connection.connection._connection_record.info
        if info.get("writer_lock_held") or statement.lstrip()[:6].upper() in _READS:
            return
        fcntl.flock(info["writer_lock"], fcntl.LOCK_EX)
        info["writer_lock_held"] = True

    @event.listens_for(engine, "checkin")
    def _release(dbapi_connection: Any, record: Any) -> None:
        if record.info.get("writer_lock_held"):
            fcntl.flock(record.info["writer_lock"], fcntl.LOCK_UN)
            record.info["writer_lock_held"] = False

    @event.listens_for(engine, "close")
    def _close(dbapi_connection: Any, record: Any) -> None:
        descriptor = record.info.pop("writer_lock", None)
        if descriptor is not None:
            os.close(descriptor)  # closing releases a lock still held
