"""Bracing and activity modification count as conservative care only under rule sets whose sources list them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.results import Outcome
from sijpath.pathway.assess import evaluate
from tests.golden.scenarios import REPO

AS_OF = dt.date(2026, 11, 1)
BRACING = {"start_date": "2025-06-01", "end_date": "2026-10-01", "kind": "bracing"}
RESTING = {"start_date": "2025-06-01", "last_confirmed": "2026-10-01", "kind": "activity-modification"}


def _criterion(ruleset: str, criterion: str, **replace: Any) -> Outcome:
    base = wiring.load_episode(REPO / "examples" / "payer-fusion-candidate.yaml").model_dump(
        mode="json", exclude_none=True
    )
    episode = Episode.model_validate({**base, **replace})
    return evaluate(episode, wiring.load_ruleset(ruleset, AS_OF), AS_OF).unit("right").criterion(criterion)


def test_both_recorded_meet_the_components_of_the_rule_sets_whose_sources_list_them() -> None:
    for ruleset in ("commercial-strict", "cms-mis-fusion"):
        outcome = _criterion(ruleset, "conservative-care-components", supportive_care=[BRACING, RESTING])
        assert outcome.status == "met"
        assert "bracing" in outcome.summary


def test_neither_recorded_names_both_as_not_yet_tried() -> None:
    outcome = _criterion("commercial-strict", "conservative-care-components", supportive_care=[])
    assert outcome.status == "not-met"
    assert "activity modification, bracing" in outcome.summary


def test_bracing_started_earlier_extends_the_care_span_only_where_the_rule_set_counts_it() -> None:
    # The example's care begins 2026-01-05: under 6 months by 2026-06-01 unless the bracing from 2025 counts.
    early = {**BRACING, "start_date": "2025-10-01"}
    day = dt.date(2026, 6, 1)
    base = wiring.load_episode(REPO / "examples" / "payer-fusion-candidate.yaml").model_dump(
        mode="json", exclude_none=True
    )
    episode = Episode.model_validate({**base, "supportive_care": [early]})

    def months(ruleset: str) -> str:
        unit = evaluate(episode, wiring.load_ruleset(ruleset, day), day).unit("right")
        return unit.criterion("conservative-care-duration").summary

    assert "(2025-10-01 →" in months("commercial-strict")
    assert "(2025-10-01 →" not in months("source-articles")
