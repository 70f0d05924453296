"""Exclusions a rule set adds to the screen: they hold what their source excludes, under that rule set only."""

from __future__ import annotations

import datetime as dt
from typing import get_args

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.pathway.assess import evaluate
from sijpath.pathway.red_flags import SCREENED
from sijpath.pathway.thresholds import ScreenedCondition
from tests.golden.scenarios import REPO

AS_OF = dt.date(2026, 11, 1)
CLAUDICATION = {"code": "M48.062", "display": "lumbar stenosis with claudication", "recorded_date": "2026-09-01"}


def _referral(*diagnoses: dict[str, str]) -> Episode:
    episode = wiring.load_episode(REPO / "examples" / "new-referral.yaml")
    return Episode.model_validate({**episode.model_dump(mode="json", exclude_none=True), "diagnoses": list(diagnoses)})


def test_the_conditions_a_rule_set_may_name_are_exactly_the_screens_value_sets() -> None:
    assert set(get_args(ScreenedCondition)) == set(SCREENED)


def test_claudication_holds_the_block_under_the_medicare_injection_lcd_only() -> None:
    episode = _referral(CLAUDICATION)
    medicare = evaluate(episode, wiring.load_ruleset("cms-sij-injection", AS_OF), AS_OF).units[0]
    articles = evaluate(episode, wiring.load_ruleset("source-articles", AS_OF), AS_OF).units[0]
    assert medicare.criterion("no-injection-exclusion").status == "not-met"
    assert medicare.next_step.code == "conservative-care"
    assert articles.next_step.code == "diagnostic-block"


def test_a_resolved_claudication_diagnosis_excludes_nothing() -> None:
    episode = _referral({**CLAUDICATION, "status": "resolved"})
    unit = evaluate(episode, wiring.load_ruleset("cms-sij-injection", AS_OF), AS_OF).units[0]
    assert unit.criterion("no-injection-exclusion").status == "met"
    assert unit.next_step.code == "diagnostic-block"
