"""The CDS jti replay cache in the database: every server process sees every token used, so each works once."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from sijpath.store.tables import cds_replays

__all__ = ["first_use", "prune"]

_INSERT_ONCE = {
    "sqlite": sqlite.insert(cds_replays).on_conflict_do_nothing().returning(cds_replays.c.token_key),
    "postgresql": postgresql.insert(cds_replays).on_conflict_do_nothing().returning(cds_replays.c.token_key),
}


def _key(issuer: str, jti: str) -> str:
    return hashlib.sha256(f"{issuer}\x1f{jti}".encode()).hexdigest()


def first_use(connection: Connection, issuer: str, jti: str, keep_until: dt.datetime, now: dt.datetime) -> bool:
    """True the first time (issuer, jti) is seen, remembering it until `keep_until`; False for a replay. A jti whose
    remembered token has expired may be used again (its token is refused for its expiry anyway)."""
    key = _key(issuer, jti)
    values = {"token_key": key, "expires_at": keep_until}
    statement = _INSERT_ONCE.get(connection.dialect.name)
    if statement is not None:
        if connection.execute(statement, values).first() is not None:
            return True
    else:
        try:
            with connection.begin_nested():
                connection.execute(insert(cds_replays), values)
            return True
        except IntegrityError:
            pass
    seen = connection.execute(select(cds_replays.c.expires_at).where(cds_replays.c.token_key == key)).scalar_one()
    if (seen if seen.tzinfo else seen.replace(tzinfo=dt.UTC)) >= now:
        return False
    connection.execute(update(cds_replays).where(cds_replays.c.token_key == key).values(expires_at=keep_until))
    return True


def prune(connection: Connection, now: dt.datetime) -> int:
    """Forget the jtis of tokens that have expired; returns how many."""
    return int(connection.execute(delete(cds_replays).where(cds_replays.c.expires_at < now)).rowcount)
