"""Accounts: users with argon2-hashed passwords and a role, server-side sessions, and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from sijpath.errors import ConflictError, UsageError
from sijpath.store.tables import api_tokens, sessions, users

__all__ = [
    "ROLES",
    "Role",
    "Session",
    "User",
    "add_user",
    "authenticate",
    "create_session",
    "create_token",
    "end_session",
    "session_user",
    "token_user",
    "user_exists",
]

Role = Literal["clinician", "staff", "admin", "auditor"]
ROLES: tuple[Role, ...] = get_args(Role)
_hasher = PasswordHasher()
# Verifying against this keeps a wrong user name as slow as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("not a password")


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def add_user(connection: Connection, username: str, password: str, role: str, now: dt.datetime) -> User:
    """Create a user; the password is stored only as an argon2 hash."""
    if role not in ROLES:
        raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not 1 <= len(username) <= 64 or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise UsageError("a user name is 1–64 letters, digits, '.', '-' or '_'")
    if len(password) < 12:
        raise UsageError("a password needs at least 12 characters")
    try:
        connection.execute(
            insert(users).values(
                username=username, password_hash=_hasher.hash(password), role=role, active=True, created_at=now
            )
        )
    except IntegrityError:
        raise ConflictError(f"user `{username}` already exists") from None
    return User(username, role)


def user_exists(connection: Connection, username: str) -> bool:
    return connection.execute(select(users.c.username).where(users.c.username == username)).first() is not None


def authenticate(connection: Connection, username: str, password: str) -> User | None:
    """The user when the password is right and the account active; None otherwise (the same for every failure)."""
    row = connection.execute(select(users).where(users.c.username == username)).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        connection.execute(
            update(users).where(users.c.username == username).values(password_hash=_hasher.hash(password))
        )
    return User(row.username, row.role)


def create_session(connection: Connection, user: User, now: dt.datetime) -> tuple[str, Session]:
    """A new session: (cookie value, session); only the cookie's hash is stored."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    connection.execute(
        insert(sessions).values(
            session_hash=_sha(cookie), username=user.username, csrf_token=csrf, created_at=now, last_seen=now
        )
    )
    return cookie, Session(user, csrf)


def session_user(connection: Connection, cookie: str, now: dt.datetime, idle: dt.timedelta) -> Session | None:
    """The session behind a cookie if it has been used within `idle`; touching it keeps it alive."""
    row = connection.execute(
        select(sessions.c.csrf_token, sessions.c.last_seen, users.c.username, users.c.role, users.c.active)
        .join(users, users.c.username == sessions.c.username)
        .where(sessions.c.session_hash == _sha(cookie))
    ).first()
    if row is None:
        return None
    last_seen = row.last_seen if row.last_seen.tzinfo else row.last_seen.replace(tzinfo=dt.UTC)
    if not row.active or now - last_seen > idle:
        connection.execute(delete(sessions).where(sessions.c.session_hash == _sha(cookie)))
        return None
    if now - last_seen > dt.timedelta(seconds=60):  # one write a minute at most, not one per request
        connection.execute(update(sessions).where(sessions.c.session_hash == _sha(cookie)).values(last_seen=now))
    return Session(User(row.username, row.role), row.csrf_token)


def end_session(connection: Connection, cookie: str) -> None:
    connection.execute(delete(sessions).where(sessions.c.session_hash == _sha(cookie)))


def create_token(connection: Connection, username: str, label: str, now: dt.datetime) -> str:
    """A new API token for an integration; shown once, stored only as its hash."""
    token = "sjp_" + secrets.token_urlsafe(32)
    connection.execute(
        insert(api_tokens).values(token_hash=_sha(token), username=username, label=label, created_at=now, revoked=False)
    )
    return token


def token_user(connection: Connection, token: str) -> User | None:
    row = connection.execute(
        select(users.c.username, users.c.role)
        .join(api_tokens, api_tokens.c.username == users.c.username)
        .where(api_tokens.c.token_hash == _sha(token), api_tokens.c.revoked.is_(False), users.c.active.is_(True))
    ).first()
    return User(row.username, row.role) if row is not None else None
