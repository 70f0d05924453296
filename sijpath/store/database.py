"""Opening the database: engine settings per backend, schema version checks, and `upgrade`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from sijpath.errors import SchemaBehindError, StoreError
from sijpath.store.sqlite_writers import serialize_writers

__all__ = ["connect", "current_revision", "head_revision", "require_current_schema", "transaction", "upgrade"]


def connect(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout, so readers never block the writer."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database URL {url!r} is not a SQLAlchemy URL (e.g. sqlite:///data/sijpath.db)") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        if parsed.database and parsed.database != ":memory:":
            serialize_writers(engine, parsed.database)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back entirely on any error."""
    try:
        with engine.begin() as connection:
            yield connection
    except OperationalError as exc:
        raise StoreError(f"the database cannot be used: {exc.orig}") from None


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("sijpath.store") / "migrations"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The schema revision this sijpath expects."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("sijpath.store") / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to this sijpath's revision; returns (before, after)."""
    before = current_revision(engine)
    with transaction(engine) as connection:
        command.upgrade(_config(connection), "head")
    return before, head_revision()


def require_current_schema(engine: Engine, url_for_humans: str) -> None:
    """Refuse to serve a database whose schema is behind (or ahead of) this sijpath."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        found = "empty" if current is None else f"at revision {current}"
        raise SchemaBehindError(
            f"the database {url_for_humans} is {found}, this sijpath needs revision {head}: "
            "run `sijpath db upgrade` (back it up first)"
        )
