"""The opioid dose flag: what it warns about, and what it does not assert."""

from __future__ import annotations

import datetime as dt

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 12, 1)


def _opioid_flag(medication: dict[str, object]) -> str:
    episode = Episode.model_validate(
        {
            "patient": {"id": "opioid"},
            "pain": {"onset_date": "2024-01-01", "below_l5": True, "laterality": "left"},
            "medications": [medication],
        }
    )
    assessment = evaluate(episode, wiring.load_ruleset("source-articles", AS_OF), AS_OF)
    (flag,) = [f for f in assessment.units[0].flags if f.code == "opioid-dose-high"]
    return flag.message


def test_an_unconfirmed_open_ended_opioid_warns_but_asks_to_reconcile_instead_of_calling_it_current() -> None:
    message = _opioid_flag({"start_date": "2023-01-01", "drug_class": "opioid", "drug": "oxycodone", "daily_mme": 120})
    assert "never confirmed as still taken" in message
    assert "reconcile the medicines" in message
    assert "current opioids total" not in message


def test_a_confirmed_opioid_is_called_current() -> None:
    message = _opioid_flag(
        {
            "start_date": "2023-01-01",
            "last_confirmed": "2026-11-20",
            "drug_class": "opioid",
            "drug": "oxycodone",
            "daily_mme": 120,
        }
    )
    assert message.startswith("current opioids total 120 MME/day")
