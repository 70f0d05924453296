"""The schema: Alembic creates it from nothing, re-upgrading is a no-op, and a database that is behind is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text

from sijpath import wiring
from sijpath.errors import SchemaBehindError, StoreError
from sijpath.settings import Settings
from sijpath.store.database import (
    connect,
    current_revision,
    head_revision,
    require_current_schema,
    transaction,
    upgrade,
)
from sijpath.store.tables import audit_log, metadata, users

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def test_upgrade_from_an_empty_database_creates_every_table_at_the_head_revision(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None

    before, after = upgrade(empty_engine)

    assert (before, after) == (None, head_revision())
    assert current_revision(empty_engine) == head_revision()
    assert set(inspect(empty_engine).get_table_names()) == {*metadata.tables, "alembic_version"}


def test_the_migrations_build_exactly_the_schema_the_code_declares(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []


def test_upgrading_again_changes_nothing_and_keeps_the_data(engine: Engine) -> None:
    with transaction(engine) as connection:
        connection.execute(
            users.insert().values(username="alice", password_hash="x", role="admin", active=True, created_at=NOW)
        )

    before, after = upgrade(engine)

    assert before == after == head_revision()
    with engine.connect() as connection:
        assert connection.execute(select(users.c.username)).scalars().all() == ["alice"]


def test_an_empty_database_is_refused_with_a_message_naming_sijpath_db_upgrade(empty_engine: Engine) -> None:
    with pytest.raises(SchemaBehindError) as raised:
        require_current_schema(empty_engine, "the-db")

    assert "the-db is empty" in str(raised.value)
    assert "`sijpath db upgrade`" in str(raised.value)


def test_a_database_behind_this_sijpath_is_refused_with_a_message_naming_sijpath_db_upgrade(engine: Engine) -> None:
    with transaction(engine) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))

    with pytest.raises(SchemaBehindError) as raised:
        require_current_schema(engine, "the-db")

    message = str(raised.value)
    assert "at revision 0000" in message
    assert f"needs revision {head_revision()}" in message
    assert "`sijpath db upgrade`" in message


def test_a_database_at_the_head_revision_is_accepted(engine: Engine) -> None:
    require_current_schema(engine, "the-db")  # does not raise


def test_a_failing_statement_rolls_back_the_whole_transaction(engine: Engine) -> None:
    def insert_then_fail() -> None:
        with transaction(engine) as connection:
            connection.execute(
                users.insert().values(username="alice", password_hash="x", role="admin", active=True, created_at=NOW)
            )
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError):
        insert_then_fail()

    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(users)).scalar_one() == 0


def test_the_default_database_is_sqlite_in_wal_mode_inside_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "not-yet-there"
    engine = wiring.open_database(Settings(data_dir=data_dir), require_current=False)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(select(func.count()).select_from(audit_log)).scalar_one() == 0
    finally:
        engine.dispose()
    assert (data_dir / "sijpath.db").is_file()


def test_opening_a_database_that_is_behind_through_wiring_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaBehindError, match="sijpath db upgrade"):
        wiring.open_database(Settings(data_dir=tmp_path))


def test_a_url_that_is_not_a_database_url_is_a_store_error_naming_it() -> None:
    with pytest.raises(StoreError, match="'not a url' is not a SQLAlchemy URL"):
        connect("not a url")
