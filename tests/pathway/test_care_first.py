"""Care before a first injection: with nothing recorded, the step says plainly what to record first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.assessment import UnitAssessment
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 12, 1)


def _unit(ruleset: str = "source-articles", **facts: Any) -> UnitAssessment:
    episode = Episode.model_validate(
        {
            "patient": {"id": "acute"},
            "pain": {"onset_date": "2026-11-10", "below_l5": True, "laterality": "left"},
            "pain_scores": [{"date": "2026-11-28", "nrs": 7}],
            **facts,
        }
    )
    return evaluate(episode, wiring.load_ruleset(ruleset, AS_OF), AS_OF).unit("left")


def test_acute_pain_with_nothing_recorded_asks_first_for_what_was_tried_not_for_an_injection() -> None:
    unit = _unit()
    assert unit.next_step.code == "gather-information"
    assert unit.next_step.rationale.startswith("Record first: any physical therapy or pain medication")
    assert "may come next" not in unit.next_step.rationale
    assert {a.code for a, _ in unit.other_actions} >= {"physical-therapy", "medications"}


def test_acute_pain_with_an_nsaid_recorded_is_not_asked_what_was_tried() -> None:
    unit = _unit(medications=[{"start_date": "2026-11-12", "end_date": "2026-11-26", "drug_class": "nsaid"}])
    assert "Record first" not in unit.next_step.rationale
    assert unit.criterion("conservative-care-before-injection").status == "not-met"
