"""Failed sign-ins in the database, so every server process counts the same ones (the sign-in throttle's memory)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, select

from sijpath.store.tables import login_failures

__all__ = ["FailureCounts", "failure_counts", "record_failure"]

WINDOW = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class FailureCounts:
    """Failures within the window: of this name from this address, from this address, of this name anywhere."""

    pair: int
    address: int
    user: int


def failure_counts(connection: Connection, username: str, remote: str, now: dt.datetime) -> FailureCounts:
    since = now - WINDOW
    recent = login_failures.c.at > since

    def count(*where: object) -> int:
        query = select(func.count()).select_from(login_failures).where(recent, *where)  # type: ignore[arg-type]
        return int(connection.execute(query).scalar_one())

    return FailureCounts(
        pair=count(and_(login_failures.c.username == username, login_failures.c.remote == remote)),
        address=count(login_failures.c.remote == remote),
        user=count(login_failures.c.username == username),
    )


def record_failure(connection: Connection, username: str, remote: str, now: dt.datetime) -> None:
    """Count one failure; failures older than the window are dropped, so the table holds one minute's worth."""
    connection.execute(delete(login_failures).where(login_failures.c.at <= now - WINDOW))
    connection.execute(insert(login_failures).values(username=username[:64], remote=remote[:64], at=now))
