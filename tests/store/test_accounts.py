"""Accounts on SQLite and PostgreSQL: argon2 passwords, one answer for every failed sign-in, idle sessions that
expire and sessions that end however busy, and account changes (disable, password, role) that are audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import Engine, select, text

from sijpath.errors import ConflictError, NotFoundError, UsageError
from sijpath.store.accounts import (
    User,
    add_user,
    authenticate,
    create_session,
    end_expired_sessions,
    end_session,
    list_users,
    session_user,
    set_active,
    set_password,
    set_role,
    user_exists,
)
from sijpath.store.database import transaction
from sijpath.store.tables import audit_log, sessions, users

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
IDLE = dt.timedelta(minutes=30)


@pytest.fixture
def alice(engine: Engine) -> User:
    with transaction(engine) as connection:
        return add_user(connection, "alice", PASSWORD, "clinician", NOW)


def sign_in(engine: Engine, username: str, password: str) -> User | None:
    with transaction(engine) as connection:
        return authenticate(connection, username, password)


def session_at(engine: Engine, cookie: str, now: dt.datetime) -> object:
    with transaction(engine) as connection:
        return session_user(connection, cookie, now, IDLE)


# Users


def test_a_new_user_is_stored_with_an_argon2_hash_and_never_the_password(engine: Engine, alice: User) -> None:
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.username == "alice")).one()

    assert alice == User("alice", "clinician")
    assert row.password_hash.startswith("$argon2")
    assert PASSWORD not in row.password_hash
    assert (row.role, row.active) == ("clinician", True)


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_a_password_shorter_than_twelve_characters_is_refused(engine: Engine, password: str) -> None:
    with pytest.raises(UsageError, match="at least 12 characters"), transaction(engine) as connection:
        add_user(connection, "alice", password, "clinician", NOW)

    with engine.connect() as connection:
        assert not user_exists(connection, "alice")


@pytest.mark.parametrize("role", ["", "root", "Clinician", "superuser"])
def test_a_role_that_is_not_one_of_the_four_is_refused(engine: Engine, role: str) -> None:
    with pytest.raises(UsageError, match="clinician, staff, admin, auditor"), transaction(engine) as connection:
        add_user(connection, "alice", PASSWORD, role, NOW)

    with engine.connect() as connection:
        assert not user_exists(connection, "alice")


@pytest.mark.parametrize("username", ["", "a" * 65, "alice smith", "alice;drop", "---"])
def test_a_user_name_outside_letters_digits_and_dot_dash_underscore_is_refused(engine: Engine, username: str) -> None:
    with pytest.raises(UsageError, match="user name"), transaction(engine) as connection:
        add_user(connection, username, PASSWORD, "clinician", NOW)


def test_adding_a_user_that_exists_is_a_conflict_and_keeps_the_first_password_and_role(
    engine: Engine, alice: User
) -> None:
    with pytest.raises(ConflictError, match="user `alice` already exists"), transaction(engine) as connection:
        add_user(connection, "alice", "another long password", "admin", NOW)

    assert sign_in(engine, "alice", PASSWORD) == User("alice", "clinician")
    assert sign_in(engine, "alice", "another long password") is None


# Signing in


def test_the_right_password_signs_the_user_in_with_their_role(engine: Engine, alice: User) -> None:
    assert sign_in(engine, "alice", PASSWORD) == User("alice", "clinician")


def test_a_wrong_password_an_unknown_user_and_a_deactivated_account_all_get_the_same_none(
    engine: Engine, alice: User
) -> None:
    with transaction(engine) as connection:
        add_user(connection, "bob", PASSWORD, "staff", NOW)
        connection.execute(users.update().where(users.c.username == "bob").values(active=False))

    outcomes = [
        sign_in(engine, "alice", PASSWORD + "!"),
        sign_in(engine, "alice", ""),
        sign_in(engine, "mallory", PASSWORD),
        sign_in(engine, "bob", PASSWORD),
    ]

    assert outcomes == [None, None, None, None]


def test_a_corrupt_stored_hash_refuses_the_sign_in_instead_of_failing(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        connection.execute(text("UPDATE users SET password_hash = 'not a hash' WHERE username = 'alice'"))

    assert sign_in(engine, "alice", PASSWORD) is None


# Sessions


def test_a_session_is_found_by_its_cookie_and_only_the_cookies_hash_is_stored(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, session = create_session(connection, alice, NOW)

    found = session_at(engine, cookie, NOW + dt.timedelta(minutes=1))

    assert found == session
    assert session.user == alice
    with engine.connect() as connection:
        row = connection.execute(select(sessions)).one()
    assert row.session_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in {str(value) for value in row}


def test_a_session_expires_once_idle_longer_than_the_limit_and_stays_expired(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)

    assert session_at(engine, cookie, NOW + IDLE) is not None  # exactly at the limit: still alive
    assert session_at(engine, cookie, NOW + IDLE + IDLE + dt.timedelta(seconds=1)) is None
    assert session_at(engine, cookie, NOW) is None  # the expired session was removed, not just refused
    with engine.connect() as connection:
        assert connection.execute(select(sessions)).all() == []


def test_using_a_session_keeps_it_alive_beyond_the_idle_limit_from_its_start(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)

    assert session_at(engine, cookie, NOW + dt.timedelta(minutes=20)) is not None
    assert session_at(engine, cookie, NOW + dt.timedelta(minutes=45)) is not None  # 25 minutes after the last use
    assert session_at(engine, cookie, NOW + dt.timedelta(minutes=76)) is None  # 31 minutes after the last use


def test_an_ended_session_and_an_unknown_cookie_find_no_one(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)
        end_session(connection, cookie)

    assert session_at(engine, cookie, NOW) is None
    assert session_at(engine, "made-up", NOW) is None


def test_a_deactivated_users_session_ends(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)
        connection.execute(users.update().where(users.c.username == "alice").values(active=False))

    assert session_at(engine, cookie, NOW) is None


# Account changes


def audited(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail).order_by(audit_log.c.seq)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_session_ends_at_its_absolute_lifetime_however_busy_it_is(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)
    lifetime = dt.timedelta(hours=12)
    for minutes in range(0, 12 * 60, 20):  # used every 20 minutes, never idle for long
        with transaction(engine) as connection:
            assert session_user(connection, cookie, NOW + dt.timedelta(minutes=minutes), IDLE, lifetime) is not None
    with transaction(engine) as connection:
        assert session_user(connection, cookie, NOW + lifetime, IDLE, lifetime) is None
    with engine.connect() as connection:
        assert connection.execute(select(sessions)).all() == []


def test_disabling_a_user_ends_their_sessions_refuses_sign_in_and_is_audited(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)
        set_active(connection, "alice", False, NOW, actor="cli:root")

    assert session_at(engine, cookie, NOW) is None
    assert sign_in(engine, "alice", PASSWORD) is None
    with transaction(engine) as connection:
        set_active(connection, "alice", True, NOW, actor="cli:root")
    assert sign_in(engine, "alice", PASSWORD) == alice
    assert [a[:2] for a in audited(engine)][-2:] == [("cli:root", "user-disable"), ("cli:root", "user-enable")]


def test_a_password_reset_takes_the_new_password_only_and_signs_every_session_out(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)
        set_password(connection, "alice", "a brand new passphrase", NOW, actor="admin-bob")

    assert session_at(engine, cookie, NOW) is None
    assert sign_in(engine, "alice", PASSWORD) is None
    assert sign_in(engine, "alice", "a brand new passphrase") == alice
    assert audited(engine)[-1] == ("admin-bob", "user-password", "alice")
    with pytest.raises(UsageError, match="12 characters"), transaction(engine) as connection:
        set_password(connection, "alice", "short", NOW, actor="admin-bob")


def test_a_role_change_applies_to_the_open_session_and_is_audited(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        cookie, _ = create_session(connection, alice, NOW)
        set_role(connection, "alice", "staff", NOW, actor="cli:root")

    found = session_at(engine, cookie, NOW)
    assert getattr(found, "user", None) == User("alice", "staff")
    assert audited(engine)[-1] == ("cli:root", "user-role", "alice: clinician → staff")


def test_the_last_active_admin_cannot_be_disabled_or_demoted(engine: Engine) -> None:
    with transaction(engine) as connection:
        add_user(connection, "root-admin", PASSWORD, "admin", NOW)
    for change in (
        lambda c: set_active(c, "root-admin", False, NOW, actor="x"),
        lambda c: set_role(c, "root-admin", "staff", NOW, actor="x"),
    ):
        with pytest.raises(UsageError, match="last active admin"), transaction(engine) as connection:
            change(connection)
    with transaction(engine) as connection:
        add_user(connection, "second-admin", PASSWORD, "admin", NOW)
        set_active(connection, "root-admin", False, NOW, actor="second-admin")
    with engine.connect() as connection:
        listed = list_users(connection)
    assert [(u.username, u.active) for u in listed] == [
        ("root-admin", False),
        ("second-admin", True),
    ]


def test_changing_an_unknown_user_is_not_found_and_changes_nothing(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="nobody"), transaction(engine) as connection:
        set_active(connection, "nobody", False, NOW, actor="x")
    assert audited(engine) == []


def test_adding_a_user_is_audited_without_the_password(engine: Engine, alice: User) -> None:
    [(actor, action, detail)] = audited(engine)
    assert (actor, action, detail) == ("sijpath", "user-add", "alice (clinician)")
    assert PASSWORD not in detail


def test_sessions_past_their_idle_timeout_or_lifetime_are_deleted_and_live_ones_kept(
    engine: Engine, alice: User
) -> None:
    lifetime = dt.timedelta(hours=12)
    with transaction(engine) as connection:
        create_session(connection, alice, NOW - dt.timedelta(hours=13))  # past its lifetime
        create_session(connection, alice, NOW - dt.timedelta(minutes=31))  # idle too long
        live, _ = create_session(connection, alice, NOW - dt.timedelta(minutes=5))
        assert end_expired_sessions(connection, NOW, IDLE, lifetime) == 2
    assert session_at(engine, live, NOW) is not None
