"""API tokens: made for a user with a scope and an expiry, shown once, stored as a hash, listed and revoked by id."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import Connection, insert, select, update

from sijpath.errors import NotFoundError, UsageError
from sijpath.store import audit
from sijpath.store.accounts import User
from sijpath.store.tables import api_tokens, users

__all__ = [
    "SCOPES",
    "Scope",
    "TokenHolder",
    "TokenRow",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_id",
    "token_user",
]

Scope = Literal["read", "read-write"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a valid token speaks for, and how far: a token never carries more than its scope, whatever the role."""

    user: User
    scope: Scope
    token_id: str


@dataclass(frozen=True, slots=True)
class TokenRow:
    token_id: str
    username: str
    label: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def token_id(token: str) -> str:
    """The public id of a token (the start of its hash): listed and used to revoke it, useless to call with."""
    return _sha(token)[:12]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def create_token(
    connection: Connection,
    username: str,
    label: str,
    now: dt.datetime,
    *,
    scope: str = "read",
    days: int = 90,
    max_days: int = 365,
    actor: str = "sijpath",
    remote: str = "localhost",
) -> str:
    """A new token for an active user (shown once; only its hash is stored), audited."""
    if scope not in SCOPES:
        raise UsageError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if not 1 <= days <= max_days:
        raise UsageError(f"a token lasts 1 to {max_days} days, not {days}")
    if not 1 <= len(label) <= 100:
        raise UsageError("a token's label is 1–100 characters")
    active = connection.execute(select(users.c.active).where(users.c.username == username)).scalar()
    if active is None:
        raise NotFoundError(f"no user `{username}`")
    if not active:
        raise UsageError(f"user `{username}` is disabled; enable the account first")
    token = "sjp_" + secrets.token_urlsafe(32)
    expires = now + dt.timedelta(days=days)
    connection.execute(
        insert(api_tokens).values(
            token_hash=_sha(token),
            username=username,
            label=label,
            created_at=now,
            revoked=False,
            scope=scope,
            expires_at=expires,
        )
    )
    detail = f"token {token_id(token)} for {username}: {scope}, expires {expires.date().isoformat()}, {label[:100]}"
    audit.record(connection, actor=actor, action="token-create", patient_id=None, detail=detail, remote=remote, at=now)
    return token


def token_user(connection: Connection, token: str, now: dt.datetime) -> TokenHolder | None:
    """The holder of a token that is not revoked, not expired, and whose user is active; None otherwise."""
    row = connection.execute(
        select(users.c.username, users.c.role, api_tokens.c.scope, api_tokens.c.expires_at)
        .join(api_tokens, api_tokens.c.username == users.c.username)
        .where(api_tokens.c.token_hash == _sha(token), api_tokens.c.revoked.is_(False), users.c.active.is_(True))
    ).first()
    if row is None or _aware(row.expires_at) <= now or row.scope not in SCOPES:
        return None
    return TokenHolder(User(row.username, row.role), row.scope, token_id(token))


def list_tokens(connection: Connection, username: str | None = None) -> list[TokenRow]:
    """Every token (of one user, or all), newest first; never the token itself."""
    query = select(api_tokens).order_by(api_tokens.c.created_at.desc(), api_tokens.c.token_hash)
    if username is not None:
        query = query.where(api_tokens.c.username == username)
    return [
        TokenRow(
            r.token_hash[:12],
            r.username,
            r.label,
            r.scope,
            _aware(r.created_at),
            _aware(r.expires_at),
            bool(r.revoked),
        )
        for r in connection.execute(query)
    ]


def revoke_token(
    connection: Connection, token_id: str, now: dt.datetime, *, actor: str = "sijpath", remote: str = "localhost"
) -> TokenRow:
    """Revoke a token by its id (it stops working at once), audited; NotFoundError for an unknown id."""
    if not _ID.fullmatch(token_id):
        raise UsageError("a token id is the 12 hexadecimal characters `sijpath users tokens` lists")
    found = [t for t in list_tokens(connection) if t.token_id == token_id]
    if not found:
        raise NotFoundError(f"no token `{token_id}`")
    connection.execute(update(api_tokens).where(api_tokens.c.token_hash.like(f"{token_id}%")).values(revoked=True))
    detail = f"token {token_id} of {found[0].username} ({found[0].label[:100]})"
    audit.record(connection, actor=actor, action="token-revoke", patient_id=None, detail=detail, remote=remote, at=now)
    return found[0]
