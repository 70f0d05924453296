"""What each procedure needs under a rule set (the gates its criteria declare), and the gaps a joint's record leaves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis, ImagingStudy
from sijpath.errors import UsageError
from sijpath.pathway.assess import evaluate
from sijpath.pathway.definition import SIJ_PATHWAY
from sijpath.pathway.requests import request_gaps, request_requirements
from sijpath.pathway.vocabulary import PROCEDURES

AS_OF = dt.date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_fusion_under_the_source_articles_needs_confirmation_failed_injections_and_every_gate() -> None:
    needed = {(r.criterion.id, r.needed) for r in request_requirements("27279", wiring.load_ruleset("source-articles"))}
    assert ("diagnostic-block-confirms-sij", "met") in needed
    assert ("repeat-block-fails-to-confirm", "not-met") in needed
    assert ("injection-relief-lasting", "not-met") in needed
    assert ("no-fusion-contraindication", "met") in needed
    assert ("nicotine-free", "met") not in needed  # the articles set no nicotine criterion


def test_injections_under_medicare_need_the_lcd_indications() -> None:
    needed = [r.criterion.id for r in request_requirements("27096", wiring.load_ruleset("cms-sij-injection", AS_OF))]
    assert needed == [
        "no-injection-exclusion",
        "sij-pain-presentation",
        "provocation-cluster",
        "pain-duration",
        "injection-pain-severity",
        "diagnostic-block-confirms-sij",
        "repeat-block-fails-to-confirm",
        "diagnostic-block-limit",
        "injection-count-limit",
        "conservative-care-before-injection",
    ]


def test_the_smoker_has_one_commercial_gap_and_none_under_medicare() -> None:
    episode = wiring.load_episode(EXAMPLES / "payer-smoker.yaml")
    strict = wiring.load_ruleset("commercial-strict", AS_OF)
    medicare = wiring.load_ruleset("cms-mis-fusion", AS_OF)
    found = request_gaps(evaluate(episode, strict, AS_OF).unit("right"), strict, "27279")
    assert [g.criterion.id for g in found] == ["nicotine-free"]
    assert found[0].settle == [next(c for c in SIJ_PATHWAY.criteria if c.id == "nicotine-free").remedy]
    assert request_gaps(evaluate(episode, medicare, AS_OF).unit("right"), medicare, "27279") == []


def test_an_unknown_criterion_is_settled_by_exactly_the_missing_data() -> None:
    episode = wiring.load_episode(EXAMPLES / "missing-imaging.yaml")
    ruleset = wiring.load_ruleset("source-articles")
    found = {g.criterion.id: g for g in request_gaps(evaluate(episode, ruleset, AS_OF).unit("left"), ruleset, "27279")}
    assert found["imaging-structural-change"].settle == ["CT or MRI of the SI joint"]


def test_unknown_procedure_codes_are_rejected_with_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown procedure code '99999'.*27096"):
        request_requirements("99999", wiring.load_ruleset("source-articles"))


def test_every_criterion_a_request_can_need_says_what_settles_it() -> None:
    for code in PROCEDURES:
        for ruleset_id in wiring.builtin_ruleset_ids():
            for requirement in request_requirements(code, wiring.load_ruleset(ruleset_id)):
                assert requirement.criterion.remedy, requirement.criterion.id


def test_established_radiculopathy_blocks_a_fusion_request_under_every_payer() -> None:
    episode = wiring.load_episode(EXAMPLES / "payer-fusion-candidate.yaml")
    radiculopathy = Diagnosis(code="M54.17", recorded_date=dt.date(2026, 6, 1))
    mri = ImagingStudy(
        date=dt.date(2026, 6, 1), modality="mri", region="lumbar", findings=("lumbar-stenosis-or-disc-herniation",)
    )
    radicular = episode.model_copy(
        update={"diagnoses": (*episode.diagnoses, radiculopathy), "imaging": (*episode.imaging, mri)}
    )
    for ruleset_id in ("cms-mis-fusion", "commercial-strict", "source-articles"):
        ruleset = wiring.load_ruleset(ruleset_id, AS_OF)
        unit = evaluate(radicular, ruleset, AS_OF).unit("right")
        assert unit.next_step.code != "fusion-evaluation", ruleset_id
        assert "sij-pain-presentation" in [g.criterion.id for g in request_gaps(unit, ruleset, "27279")]


def test_a_fusion_request_for_the_other_joint_rests_on_that_joints_own_record() -> None:
    # A right fusion candidate whose pain is (now) on both sides: the left joint's own record has no block and no
    # imaging, so a request for the left joint has those gaps, whatever the right joint's record holds.
    episode = wiring.load_episode(EXAMPLES / "payer-fusion-candidate.yaml")
    bilateral = episode.model_copy(update={"pain": episode.pain.model_copy(update={"laterality": "bilateral"})})
    ruleset = wiring.load_ruleset("commercial-strict", AS_OF)
    assessment = evaluate(bilateral, ruleset, AS_OF)
    assert request_gaps(assessment.unit("right"), ruleset, "27279") == []
    left = {g.criterion.id for g in request_gaps(assessment.unit("left"), ruleset, "27279")}
    assert {"diagnostic-block-confirms-sij", "imaging-recency", "injection-relief-lasting"} <= left


BLOCK = {
    "side": "left",
    "guidance": "fluoroscopy",
    "contrast": True,
    "anesthetics": [{"drug": "lidocaine"}],
    "pre_block_nrs": 8,
    "post_block_nrs": 1,
    "post_block_minutes": 30,
}
INJECTION = {"side": "left", "guidance": "fluoroscopy", "steroid": {"drug": "triamcinolone", "dose_mg": 40}}


def _lcd_patient(**facts: object) -> Episode:
    """Left SI-joint pain meeting the Medicare injections LCD's indications (pain, tests, four weeks of care)."""
    tests = [
        {"date": "2026-03-01", "test": t, "side": "left", "result": "familiar-pain"}
        for t in ("faber", "thigh-thrust", "compression")
    ]
    return Episode.model_validate(
        {
            "patient": {"id": "lcd-patient"},
            "pain": {"onset_date": "2024-01-01", "below_l5": True, "laterality": "left"},
            "pain_scores": [{"date": "2026-10-20", "nrs": 7}],
            "provocation_tests": tests,
            "physical_therapy": [{"start_date": "2026-01-01", "end_date": "2026-03-01", "setting": "supervised"}],
            **facts,
        }
    )


def test_a_27096_request_after_the_two_allowed_blocks_is_judged_as_the_therapeutic_injection() -> None:
    # Two confirming blocks reach the LCD's limit of diagnostic sessions; the 27096 the joint has reached is the
    # therapeutic injection, which that limit does not gate.
    episode = _lcd_patient(diagnostic_blocks=[{**BLOCK, "date": "2026-07-01"}, {**BLOCK, "date": "2026-08-01"}])
    ruleset = wiring.load_ruleset("cms-sij-injection", AS_OF)
    unit = evaluate(episode, ruleset, AS_OF).unit("left")
    assert unit.next_step.code == "therapeutic-injection"
    assert unit.criterion("diagnostic-block-limit").status == "not-met"
    assert [g.criterion.id for g in request_gaps(unit, ruleset, "27096")] == []


def test_a_repeat_injection_request_needs_the_last_injections_lasting_relief() -> None:
    # Medicare: a repeat only after >=50% (or improved function) for >=3 months. Two failed injections: a 27096
    # request for a third is a repeat, and its gap is the repeat rule, whatever step the joint has reached.
    episode = _lcd_patient(
        diagnostic_blocks=[{**BLOCK, "date": "2026-03-10"}],
        therapeutic_injections=[
            {**INJECTION, "date": "2026-05-01", "relief_percent": 30, "relief_duration_days": 14},
            {**INJECTION, "date": "2026-08-01", "relief_percent": 20, "relief_duration_days": 7},
        ],
    )
    ruleset = wiring.load_ruleset("cms-sij-injection", AS_OF)
    unit = evaluate(episode, ruleset, AS_OF).unit("left")
    assert unit.criterion("injection-relief-lasting").status == "not-met"
    assert unit.next_step.code != "therapeutic-injection"
    assert "injection-relief-lasting" in [g.criterion.id for g in request_gaps(unit, ruleset, "27096")]
