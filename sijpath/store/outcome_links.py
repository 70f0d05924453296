"""The rows of patients' single-use questionnaire links: a token's hash, its expiry, and when it was used."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from sijpath.store.tables import outcome_links

__all__ = ["add_link", "claim_link", "link_by_hash"]


def add_link(
    connection: Connection,
    *,
    token_hash: str,
    procedure_id: int,
    time_point: str,
    created_by: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    """Store a new link (its token's hash only) and return its id."""
    values = {"token_hash": token_hash, "procedure_id": procedure_id, "time_point": time_point}
    values.update(created_by=created_by, created_at=created_at, expires_at=expires_at)
    key = connection.execute(insert(outcome_links).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def link_by_hash(connection: Connection, token_hash: str) -> Row[Any] | None:
    """The link whose token has this SHA-256, if any."""
    return connection.execute(select(outcome_links).where(outcome_links.c.token_hash == token_hash)).first()


def claim_link(connection: Connection, link_id: int, now: dt.datetime) -> bool:
    """Mark the link used, only if nobody used it in between: two submissions cannot both get through."""
    claimed = connection.execute(
        update(outcome_links)
        .where(outcome_links.c.id == link_id, outcome_links.c.used_at.is_(None))
        .values(used_at=now)
    )
    return claimed.rowcount == 1
