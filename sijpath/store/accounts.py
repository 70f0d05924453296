"""Accounts: users with argon2-hashed passwords and a role, their changes (each audited), and server-side sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sijpath.errors import ConflictError, NotFoundError, UsageError
from sijpath.store import audit
from sijpath.store.tables import sessions, users

__all__ = [
    "ROLES",
    "Role",
    "Session",
    "User",
    "UserRow",
    "add_user",
    "authenticate",
    "create_session",
    "end_expired_sessions",
    "end_session",
    "list_users",
    "session_user",
    "set_active",
    "set_password",
    "set_role",
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


@dataclass(frozen=True, slots=True)
class UserRow:
    username: str
    role: str
    active: bool
    created_at: dt.datetime
    sessions: int


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < 12:
        raise UsageError("a password needs at least 12 characters")
    if len(password) > 256:
        raise UsageError("a password has at most 256 characters")


def add_user(
    connection: Connection,
    username: str,
    password: str,
    role: str,
    now: dt.datetime,
    *,
    actor: str = "sijpath",
    remote: str = "localhost",
) -> User:
    """Create a user (audited); the password is stored only as an argon2 hash."""
    _check_role(role)
    if not 1 <= len(username) <= 64 or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise UsageError("a user name is 1–64 letters, digits, '.', '-' or '_'")
    _check_password(password)
    try:
        connection.execute(
            insert(users).values(
                username=username, password_hash=_hasher.hash(password), role=role, active=True, created_at=now
            )
        )
    except IntegrityError:
        raise ConflictError(f"user `{username}` already exists") from None
    _audit(connection, actor, "user-add", f"{username} ({role})", remote, now)
    return User(username, role)  # type: ignore[arg-type]


def _audit(connection: Connection, actor: str, action: str, detail: str, remote: str, now: dt.datetime) -> None:
    audit.record(connection, actor=actor[:64], action=action, patient_id=None, detail=detail, remote=remote, at=now)


def _current(connection: Connection, username: str) -> Any:
    row = connection.execute(select(users.c.role, users.c.active).where(users.c.username == username)).first()
    if row is None:
        raise NotFoundError(f"no user `{username}`")
    return row


def _keep_an_admin(connection: Connection, username: str) -> None:
    """Refuse to disable or demote the last active admin: nobody could manage accounts from the web app after."""
    others = connection.execute(
        select(func.count())
        .select_from(users)
        .where(users.c.role == "admin", users.c.active.is_(True), users.c.username != username)
    ).scalar_one()
    if not others:
        raise UsageError(f"`{username}` is the last active admin; make another admin first")


def list_users(connection: Connection) -> list[UserRow]:
    live = select(sessions.c.username, func.count().label("n")).group_by(sessions.c.username).subquery()
    rows = connection.execute(
        select(users.c.username, users.c.role, users.c.active, users.c.created_at, live.c.n)
        .outerjoin(live, live.c.username == users.c.username)
        .order_by(users.c.username)
    )
    return [UserRow(r.username, r.role, bool(r.active), r.created_at, int(r.n or 0)) for r in rows]


def set_active(
    connection: Connection, username: str, active: bool, now: dt.datetime, *, actor: str, remote: str = "localhost"
) -> None:
    """Enable or disable an account (audited); disabling ends its sessions, and its tokens stop working."""
    current = _current(connection, username)
    if not active and current.role == "admin" and current.active:
        _keep_an_admin(connection, username)
    connection.execute(update(users).where(users.c.username == username).values(active=active))
    if not active:
        connection.execute(delete(sessions).where(sessions.c.username == username))
    _audit(connection, actor, "user-enable" if active else "user-disable", username, remote, now)


def set_password(
    connection: Connection, username: str, password: str, now: dt.datetime, *, actor: str, remote: str = "localhost"
) -> None:
    """A new password (audited); every session of the account ends, so whoever knew the old one is signed out."""
    _current(connection, username)
    _check_password(password)
    connection.execute(update(users).where(users.c.username == username).values(password_hash=_hasher.hash(password)))
    connection.execute(delete(sessions).where(sessions.c.username == username))
    _audit(connection, actor, "user-password", username, remote, now)


def set_role(
    connection: Connection, username: str, role: str, now: dt.datetime, *, actor: str, remote: str = "localhost"
) -> None:
    """Change a user's role (audited); it applies to the next request of every session and token."""
    _check_role(role)
    current = _current(connection, username)
    if current.role == "admin" and role != "admin" and current.active:
        _keep_an_admin(connection, username)
    connection.execute(update(users).where(users.c.username == username).values(role=role))
    _audit(connection, actor, "user-role", f"{username}: {current.role} → {role}", remote, now)


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


def session_user(
    connection: Connection,
    cookie: str,
    now: dt.datetime,
    idle: dt.timedelta,
    lifetime: dt.timedelta = dt.timedelta(hours=12),
) -> Session | None:
    """The session behind a cookie if it has been used within `idle` and began less than `lifetime` ago (however
    busy, a session ends then); touching it keeps it alive until that absolute end."""
    row = connection.execute(
        select(
            sessions.c.csrf_token,
            sessions.c.created_at,
            sessions.c.last_seen,
            users.c.username,
            users.c.role,
            users.c.active,
        )
        .join(users, users.c.username == sessions.c.username)
        .where(sessions.c.session_hash == _sha(cookie))
    ).first()
    if row is None:
        return None
    last_seen = row.last_seen if row.last_seen.tzinfo else row.last_seen.replace(tzinfo=dt.UTC)
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    if not row.active or now - last_seen > idle or now - created >= lifetime:
        connection.execute(delete(sessions).where(sessions.c.session_hash == _sha(cookie)))
        return None
    if now - last_seen > dt.timedelta(seconds=60):  # one write a minute at most, not one per request
        connection.execute(update(sessions).where(sessions.c.session_hash == _sha(cookie)).values(last_seen=now))
    return Session(User(row.username, row.role), row.csrf_token)


def end_expired_sessions(connection: Connection, now: dt.datetime, idle: dt.timedelta, lifetime: dt.timedelta) -> int:
    """Delete the sessions past their idle timeout or their lifetime (one nobody uses again is otherwise kept)."""
    stale = (sessions.c.last_seen < now - idle) | (sessions.c.created_at <= now - lifetime)
    return int(connection.execute(delete(sessions).where(stale)).rowcount)


def end_session(connection: Connection, cookie: str) -> None:
    connection.execute(delete(sessions).where(sessions.c.session_hash == _sha(cookie)))
