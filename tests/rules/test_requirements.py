"""What each procedure needs under a rule set, and the gaps a record leaves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.engine.evaluate import evaluate
from sijpath.rules import registry
from sijpath.rules.requirements import PROCEDURES, REMEDIES, gaps, requirements

AS_OF = dt.date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_fusion_under_the_source_articles_needs_confirmation_failed_injections_and_every_gate() -> None:
    needed = {(r.criterion_id, r.needed) for r in requirements("27279", wiring.load_ruleset("source-articles"))}
    assert ("diagnostic-block-confirms-sij", "met") in needed
    assert ("repeat-block-fails-to-confirm", "not-met") in needed
    assert ("injection-relief-lasting", "not-met") in needed
    assert ("no-fusion-contraindication", "met") in needed
    assert ("nicotine-free", "met") not in needed  # the articles set no nicotine criterion


def test_injections_under_medicare_need_the_lcd_indications() -> None:
    needed = [r.criterion_id for r in requirements("27096", wiring.load_ruleset("cms-sij-injection", AS_OF))]
    assert needed == [
        "sij-pain-presentation",
        "conservative-care-before-injection",
        "diagnostic-block-confirms-sij",
        "injection-count-limit",
        "pain-duration",
        "provocation-cluster",
        "diagnostic-block-limit",
    ]


def test_the_smoker_has_one_commercial_gap_and_none_under_medicare() -> None:
    episode = wiring.load_episode(EXAMPLES / "payer-smoker.yaml")
    strict = wiring.load_ruleset("commercial-strict", AS_OF)
    medicare = wiring.load_ruleset("cms-mis-fusion", AS_OF)
    found = gaps(evaluate(episode, strict, AS_OF), strict, "27279")
    assert [g.criterion.id for g in found] == ["nicotine-free"]
    assert found[0].settle == [REMEDIES["nicotine-free"]]
    assert gaps(evaluate(episode, medicare, AS_OF), medicare, "27279") == []


def test_an_unknown_criterion_is_settled_by_exactly_the_missing_data() -> None:
    episode = wiring.load_episode(EXAMPLES / "missing-imaging.yaml")
    ruleset = wiring.load_ruleset("source-articles")
    found = {g.criterion.id: g for g in gaps(evaluate(episode, ruleset, AS_OF), ruleset, "27279")}
    assert found["imaging-structural-change"].settle == ["CT or MRI of the SI joint"]


def test_unknown_procedure_codes_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown procedure code"):
        requirements("99999", wiring.load_ruleset("source-articles"))


def test_every_criterion_a_request_can_need_has_a_remedy() -> None:
    ids = {rule.id for rule in registry.CRITERIA}
    for code in PROCEDURES:
        for ruleset_id in wiring.builtin_ruleset_ids():
            for requirement in requirements(code, wiring.load_ruleset(ruleset_id)):
                assert requirement.criterion_id in REMEDIES, requirement.criterion_id
                assert requirement.criterion_id in ids


def test_radiating_pain_blocks_a_fusion_request_under_every_payer() -> None:
    episode = wiring.load_episode(EXAMPLES / "payer-fusion-candidate.yaml")
    radicular = episode.model_copy(update={"pain": episode.pain.model_copy(update={"radiates_below_knee": True})})
    for ruleset_id in ("cms-mis-fusion", "commercial-strict", "source-articles"):
        ruleset = wiring.load_ruleset(ruleset_id, AS_OF)
        assessment = evaluate(radicular, ruleset, AS_OF)
        assert assessment.next_step.code != "fusion-evaluation", ruleset_id
        assert "sij-pain-presentation" in [g.criterion.id for g in gaps(assessment, ruleset, "27279")]
