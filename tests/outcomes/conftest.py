"""Outcomes fixtures: an upgraded SQLite database, and an invented EQ-5D-5L value set (no real valuation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sijpath.store.database import connect, upgrade

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)

# An invented value set in the shape the loader reads: sijpath ships none (EuroQol's sets need a licence), so the
# numbers here are made up for the arithmetic and come from no country's valuation study.
INVENTED_VALUE_SET = """
[value_set]
id = "invented-test"
title = "Invented value set for tests (not a real valuation)"
licence = "none: invented numbers"
source = "tests/outcomes/conftest.py"
constant = 0.05

[value_set.decrements]
mobility = [0, 0.05, 0.08, 0.20, 0.30]
self_care = [0, 0.04, 0.07, 0.15, 0.20]
usual_activities = [0, 0.03, 0.06, 0.14, 0.18]
pain_discomfort = [0, 0.06, 0.09, 0.25, 0.33]
anxiety_depression = [0, 0.07, 0.10, 0.24, 0.29]
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An upgraded, empty SQLite database."""
    db = connect(f"sqlite:///{tmp_path / 'outcomes.db'}")
    upgrade(db)
    yield db
    db.dispose()
