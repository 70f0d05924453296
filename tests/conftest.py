"""Shared fixtures: the repository root, the shipped catalog and the default rule set."""

from __future__ import annotations

from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.engine.ruleset import RuleSet

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def source_articles() -> RuleSet:
    return wiring.load_ruleset("source-articles")
