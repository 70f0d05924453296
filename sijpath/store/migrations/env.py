"""Alembic environment: migrations run on the connection sijpath hands in (no alembic.ini, no URL in files)."""

from __future__ import annotations

from alembic import context

from sijpath.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
