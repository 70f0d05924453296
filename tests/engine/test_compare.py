"""Comparing one patient under several rule sets: rows, divergences and their sentences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.engine.compare import Row, compare
from sijpath.errors import UsageError
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def assess(example: str, *rulesets: str):  # type: ignore[no-untyped-def]
    episode = wiring.load_episode(EXAMPLES / f"{example}.yaml")
    return [evaluate(episode, wiring.load_ruleset(r, AS_OF), AS_OF) for r in rulesets]


def test_a_row_diverges_when_rule_sets_disagree() -> None:
    assert Row("x", "X", ("met", "not-met")).divergent
    assert not Row("x", "X", ("met", "met")).divergent


def test_a_required_criterion_failed_under_one_rule_set_and_unused_elsewhere_is_a_divergence() -> None:
    assert Row("nicotine-free", "Nicotine", (None, "not-met")).divergent
    assert not Row("nicotine-free", "Nicotine", (None, "met")).divergent
    assert not Row("shortening", "Shortening", (None, "unknown"), supporting=True).divergent


def test_the_smoker_fails_only_the_commercial_nicotine_criterion() -> None:
    comparison = compare(assess("payer-smoker", "cms-mis-fusion", "commercial-strict"))
    (right,) = comparison.units
    assert right.key == "right"
    steps = next(r for r in right.rows if r.key == "next-step")
    assert steps.cells == ("fusion-evaluation", "conservative-care")
    assert right.divergences[0] == (
        "Next step: Consider referral for a minimally invasive SI-joint fusion evaluation under cms-mis-fusion; "
        "Consider continuing conservative care (physical therapy, medications) under commercial-strict."
    )
    assert (
        "Nicotine-free (never-smoker or cotinine under the limit): not met under commercial-strict (cotinine "
        "150 ng/mL on 2026-10-05, above 10); not used by cms-mis-fusion."
    ) in right.divergences
    assert comparison.divergences[0].startswith("Right SI joint — Next step:")


def test_one_block_meets_the_articles_but_not_a_two_block_payer() -> None:
    comparison = compare(assess("fusion-candidate", "source-articles", "commercial-strict"))
    block = next(r for r in comparison.units[0].rows if r.key == "diagnostic-block-confirms-sij")
    assert block.cells == ("met", "not-met")
    assert any("1 of 2 required blocks" in sentence for sentence in comparison.divergences)


def test_rule_sets_that_agree_on_a_patient_produce_no_divergence() -> None:
    # New referral: no procedures yet. Both give a diagnostic block; ASPN adds only a met care criterion.
    comparison = compare(assess("new-referral", "source-articles", "aspn-2024"))
    assert comparison.divergences == ()
    assert not any(row.divergent for unit in comparison.units for row in unit.rows)


def test_a_rule_set_cannot_appear_twice() -> None:
    with pytest.raises(UsageError, match="only once"):
        compare(assess("new-referral", "source-articles", "source-articles"))


def test_diverging_flags_get_their_own_sentence() -> None:
    comparison = compare(assess("payer-fusion-candidate", "source-articles", "controlled-block"))
    assert "Flags: source-articles: none; controlled-block: coverage-conflict, evidence-caution." in (
        comparison.units[0].divergences
    )


def test_assessments_of_different_dates_cannot_be_compared() -> None:
    episode = wiring.load_episode(EXAMPLES / "new-referral.yaml")
    ruleset = wiring.load_ruleset("source-articles")
    with pytest.raises(UsageError, match="different patients or dates"):
        compare([evaluate(episode, ruleset, AS_OF), evaluate(episode, ruleset, dt.date(2026, 10, 1))])


def test_json_carries_every_assessment_and_the_divergences() -> None:
    data = compare(assess("payer-smoker", "source-articles", "commercial-strict")).to_dict()
    assert data["format"] == "sijpath-comparison/2"
    assert [r["id"] for r in data["rulesets"]] == ["source-articles", "commercial-strict"]
    assert set(data["assessments"]) == {"source-articles", "commercial-strict"}
    (right,) = data["joints"]
    assert right["joint"] == "right"
    nicotine = next(r for r in right["rows"] if r["key"] == "nicotine-free")
    assert nicotine["values"] == {"source-articles": None, "commercial-strict": "not-met"}
    assert nicotine["divergent"] is True
