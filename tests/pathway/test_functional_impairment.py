"""Functional impairment as each rule set's source documents it: an ODI, limited daily activities, a work limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.results import Outcome
from sijpath.pathway.assess import evaluate
from tests.golden.scenarios import REPO

AS_OF = dt.date(2026, 11, 1)


def _impairment(ruleset: str, odi: list[dict[str, Any]], status: list[dict[str, Any]]) -> Outcome:
    base = wiring.load_episode(REPO / "examples" / "payer-fusion-candidate.yaml").model_dump(
        mode="json", exclude_none=True
    )
    episode = Episode.model_validate({**base, "odi_scores": odi, "functional_status": status})
    unit = evaluate(episode, wiring.load_ruleset(ruleset, AS_OF), AS_OF).unit("right")
    return unit.criterion("functional-impairment")


def test_under_mp_555_a_work_limit_with_daily_activities_not_limited_is_not_impairment() -> None:
    outcome = _impairment("commercial-strict", [], [{"date": "2026-10-05", "work": "unable", "adl_limited": False}])
    assert outcome.status == "not-met"
    assert "daily activities not limited" in outcome.summary
    assert "work" not in outcome.summary


def test_the_same_work_limit_is_impairment_under_the_source_articles_and_the_medicare_template() -> None:
    status = [{"date": "2026-10-05", "work": "unable", "adl_limited": False}]
    assert _impairment("source-articles", [], status).status == "met"
    assert _impairment("cms-mis-fusion", [], status).status == "met"


def test_an_odi_above_the_minimal_band_alone_shows_impairment_under_every_rule_set_that_reads_function() -> None:
    for ruleset in ("source-articles", "commercial-strict", "cms-mis-fusion"):
        assert _impairment(ruleset, [{"date": "2026-10-05", "percent": 46}], []).status == "met"


def test_a_note_without_work_or_daily_activities_is_not_documentation_of_function() -> None:
    outcome = _impairment("source-articles", [], [{"date": "2026-10-05", "note": "doing ok"}])
    assert (outcome.status, outcome.summary) == ("unknown", "function not documented")
