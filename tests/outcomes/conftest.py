"""Outcomes fixtures: an upgraded SQLite database for the registry and synthetic-cohort tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sijpath.store.database import connect, upgrade

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An upgraded, empty SQLite database."""
    db = connect(f"sqlite:///{tmp_path / 'outcomes.db'}")
    upgrade(db)
    yield db
    db.dispose()
