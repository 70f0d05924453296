"""Every golden scenario assesses, joint by joint, to its hand-written expectations."""

from __future__ import annotations

from typing import Any

import pytest

from sijpath.engine.assessment import UnitAssessment
from sijpath.pathway.vocabulary import NEXT_STEPS
from tests.golden.scenarios import Scenario, load_scenarios

SCENARIOS = load_scenarios()


def check_joint(unit: UnitAssessment, expect: dict[str, Any]) -> None:
    where = f"{unit.key} joint"
    assert unit.next_step.code == expect["next_step"], f"{where}: {unit.next_step.rationale}"
    if "stage" in expect:
        assert unit.stage == expect["stage"], where
    assert sorted(f.code for f in unit.flags) == sorted(expect["flags"]), where
    statuses = {c.id: c.status for c in unit.criteria}
    for criterion_id, status in expect.get("criteria", {}).items():
        assert statuses.get(criterion_id) == status, f"{where}, {criterion_id}: {unit.criterion(criterion_id).summary}"
    for criterion_id in expect.get("absent_criteria", []):
        assert criterion_id not in statuses, where
    codes = [action.code for action, _ in unit.other_actions]
    for code in expect.get("other_actions_contains", []):
        assert code in codes, where
    for code in expect.get("other_actions_absent", []):
        assert code not in codes, f"{where}: {unit.other_actions}"
    missing = [m.item for m in unit.missing_data]
    for item in expect.get("missing_data_contains", []):
        assert item in missing, where
    for words in expect.get("missing_data_absent_words", []):
        assert not any(words in m for m in missing), f"{where}: {missing}"
    for words in expect.get("rationale_contains", []):
        assert words in unit.next_step.rationale, f"{where}: {unit.next_step.rationale}"
    for words in expect.get("rationale_absent", []):
        assert words not in unit.next_step.rationale, f"{where}: {unit.next_step.rationale}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_matches_expectations(scenario: Scenario) -> None:
    assessment = scenario.assess()
    expect = scenario.expect
    if "ruleset_version" in expect:
        assert assessment.ruleset_version == expect["ruleset_version"]
    if "data_issues" in expect:
        assert len(assessment.data_issues) == expect["data_issues"], assessment.data_issues
    messages = [issue.message for issue in assessment.data_issues]
    for words in expect.get("data_issues_contain", []):
        assert any(words in m for m in messages), messages
    joints = scenario.joint_expectations()
    if joints is None:
        assert len(assessment.units) == 1, f"assessed joints: {[u.key for u in assessment.units]}"
        check_joint(assessment.units[0], expect)
        return
    assert [u.key for u in assessment.units] == sorted(joints, key=("left", "right").index)
    for unit in assessment.units:
        check_joint(unit, joints[unit.key])


def test_every_example_patient_has_a_golden_scenario(repo) -> None:
    examples = {p.stem for p in (repo / "examples").glob("*.yaml")}
    covered = {s.source.removeprefix("examples/").removesuffix(".yaml") for s in SCENARIOS}
    assert examples <= covered, f"examples without a golden scenario: {sorted(examples - covered)}"


def test_examples_reach_every_next_step_and_every_flag() -> None:
    examples = [s for s in SCENARIOS if s.source.startswith("examples/")]
    reached = {step for s in examples for step in s.next_steps}
    flags = {f for s in examples for f in s.flags}
    assert reached == {s.code for s in NEXT_STEPS}
    assert flags >= {
        "diminishing-injection-relief",
        "injection-frequency-exceeded",
        "cumulative-steroid-exposure",
        "block-technique-invalid",
        "coverage-conflict",
        "red-flag-pregnancy",
        "exclusion-generalized-pain-disorder",
        "exclusion-inflammatory-arthropathy",
    }


def test_every_safety_scenario_cites_the_clause_it_tests_from_the_catalog() -> None:
    from sijpath.wiring import load_catalog

    catalog = load_catalog()
    safety = [s for s in SCENARIOS if s.name.startswith("safety-")]
    assert safety, "no safety scenarios"
    for scenario in safety:
        assert scenario.cites, f"{scenario.name} cites no source clause"
        for cite in scenario.cites:
            assert cite.get("clause"), f"{scenario.name}: a cite without its clause"
            catalog.check([(f"{scenario.name}.cites", cite["source"])])
