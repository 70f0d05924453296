"""The public API: `sijpath.evaluate` and friends, pinned so a rename is a deliberate, visible change."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

import sijpath

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

PINNED = [
    "Assessment",
    "Comparison",
    "Episode",
    "RuleSet",
    "__version__",
    "compare",
    "evaluate",
    "load_episode",
    "load_record",
    "load_ruleset",
]


def test_the_public_names_are_exactly_the_pinned_ones_and_each_resolves() -> None:
    assert sijpath.__all__ == PINNED
    assert all(getattr(sijpath, name) is not None for name in PINNED)


def test_an_assessment_through_the_public_api_is_the_one_the_core_gives() -> None:
    from sijpath.pathway.assess import evaluate

    episode = sijpath.load_episode(EXAMPLES / "fusion-candidate.yaml")
    ruleset = sijpath.load_ruleset("source-articles")
    as_of = dt.date(2025, 11, 1)
    assert sijpath.evaluate(episode, ruleset, as_of).to_dict() == evaluate(episode, ruleset, as_of).to_dict()
    assert isinstance(episode, sijpath.Episode)
    comparison = sijpath.compare(
        [sijpath.evaluate(episode, r, as_of) for r in (ruleset, sijpath.load_ruleset("aspn-2024"))]
    )
    assert isinstance(comparison, sijpath.Comparison)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'evaluat'"):
        _ = sijpath.evaluat  # type: ignore[attr-defined]


def test_importing_sijpath_loads_neither_the_core_nor_a_web_framework() -> None:
    probe = (
        "import sys, sijpath; "
        "print(sorted(m for m in sys.modules if m.startswith(('sijpath.', 'fastapi', 'pydantic'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
