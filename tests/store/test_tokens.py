"""API tokens on SQLite and PostgreSQL: stored as hashes, with a scope and an expiry, listed by id, revoked by id,
every creation and revocation audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import Engine, select

from sijpath.errors import NotFoundError, UsageError
from sijpath.store.accounts import User, add_user, set_active
from sijpath.store.database import transaction
from sijpath.store.tables import api_tokens, audit_log
from sijpath.store.tokens import TokenHolder, create_token, list_tokens, revoke_token, token_id, token_user

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice(engine: Engine) -> User:
    with transaction(engine) as connection:
        return add_user(connection, "alice", PASSWORD, "clinician", NOW)


def holder(engine: Engine, token: str, now: dt.datetime = NOW) -> TokenHolder | None:
    with engine.connect() as connection:
        return token_user(connection, token, now)


def test_a_token_finds_its_user_with_its_scope_and_only_its_hash_is_stored(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        token = create_token(connection, "alice", "EHR integration", NOW, scope="read-write")

    assert holder(engine, token) == TokenHolder(alice, "read-write", token_id(token))
    with engine.connect() as connection:
        row = connection.execute(select(api_tokens)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in row}
    assert (row.label, row.revoked, row.scope) == ("EHR integration", False, "read-write")


def test_a_token_is_read_only_unless_asked_otherwise_and_expires_on_its_day(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        token = create_token(connection, "alice", "reports", NOW, days=30)

    found = holder(engine, token, NOW + dt.timedelta(days=30, seconds=-1))
    assert found is not None
    assert found.scope == "read"
    assert holder(engine, token, NOW + dt.timedelta(days=30)) is None


@pytest.mark.parametrize(("scope", "days"), [("admin", 30), ("read", 0), ("read", 366)])
def test_a_token_with_an_unknown_scope_or_a_lifetime_out_of_bounds_is_refused(
    engine: Engine, alice: User, scope: str, days: int
) -> None:
    with pytest.raises(UsageError), transaction(engine) as connection:
        create_token(connection, "alice", "x", NOW, scope=scope, days=days, max_days=365)
    with engine.connect() as connection:
        assert connection.execute(select(api_tokens)).all() == []


def test_no_token_is_made_for_an_unknown_or_disabled_user(engine: Engine, alice: User) -> None:
    with pytest.raises(NotFoundError), transaction(engine) as connection:
        create_token(connection, "nobody", "x", NOW)
    with transaction(engine) as connection:
        add_user(connection, "bob", PASSWORD, "staff", NOW)
        set_active(connection, "bob", False, NOW, actor="x")
    with pytest.raises(UsageError, match="disabled"), transaction(engine) as connection:
        create_token(connection, "bob", "x", NOW)


def test_tokens_are_listed_by_id_and_one_revoked_by_id_stops_at_once_leaving_the_others(
    engine: Engine, alice: User
) -> None:
    with transaction(engine) as connection:
        old = create_token(connection, "alice", "old", NOW)
        kept = create_token(connection, "alice", "current", NOW + dt.timedelta(seconds=1))
    with engine.connect() as connection:
        listed = list_tokens(connection)
    assert [(t.token_id, t.label, t.revoked) for t in listed] == [
        (token_id(kept), "current", False),
        (token_id(old), "old", False),
    ]
    assert all(old not in str(t) and kept not in str(t) for t in listed)

    with transaction(engine) as connection:
        revoked = revoke_token(connection, token_id(old), NOW, actor="admin-bob", remote="192.0.2.9")

    assert revoked.label == "old"
    assert holder(engine, old) is None
    assert holder(engine, kept) is not None
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.remote)).all()
    assert [tuple(a) for a in actions][-3:] == [
        ("sijpath", "token-create", "localhost"),
        ("sijpath", "token-create", "localhost"),
        ("admin-bob", "token-revoke", "192.0.2.9"),
    ]


@pytest.mark.parametrize("given", ["0123456789ab", "%", "not-an-id"])
def test_revoking_an_unknown_or_malformed_id_revokes_nothing(engine: Engine, alice: User, given: str) -> None:
    with transaction(engine) as connection:
        token = create_token(connection, "alice", "x", NOW)
    with pytest.raises((NotFoundError, UsageError)), transaction(engine) as connection:
        revoke_token(connection, given, NOW)
    assert holder(engine, token) is not None


def test_a_disabled_users_token_finds_no_one_until_the_account_is_enabled(engine: Engine, alice: User) -> None:
    with transaction(engine) as connection:
        token = create_token(connection, "alice", "x", NOW)
        set_active(connection, "alice", False, NOW, actor="x")
    assert holder(engine, token) is None
    with transaction(engine) as connection:
        set_active(connection, "alice", True, NOW, actor="x")
    assert holder(engine, token) is not None
    assert holder(engine, "sjp_made-up") is None
