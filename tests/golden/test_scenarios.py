"""Every golden scenario assesses to its hand-written expectations (next step, stage, flags, criterion statuses)."""

from __future__ import annotations

import pytest

from tests.golden.scenarios import Scenario, load_scenarios

SCENARIOS = load_scenarios()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_matches_expectations(scenario: Scenario) -> None:
    assessment = scenario.assess()
    expect = scenario.expect
    assert assessment.next_step.code == expect["next_step"], assessment.next_step.rationale
    if "ruleset_version" in expect:
        assert assessment.ruleset_version == expect["ruleset_version"]
    if "stage" in expect:
        assert assessment.stage == expect["stage"]
    assert sorted(f.code for f in assessment.flags) == sorted(expect["flags"])
    statuses = {c.id: c.status for c in assessment.criteria}
    for criterion_id, status in expect.get("criteria", {}).items():
        assert statuses.get(criterion_id) == status, f"{criterion_id}: {assessment.criterion(criterion_id).summary}"
    for criterion_id in expect.get("absent_criteria", []):
        assert criterion_id not in statuses
    if "data_issues" in expect:
        assert len(assessment.data_issues) == expect["data_issues"], assessment.data_issues
    codes = [action.code for action, _ in assessment.other_actions]
    for code in expect.get("other_actions_contains", []):
        assert code in codes
    missing = [m.item for m in assessment.missing_data]
    for item in expect.get("missing_data_contains", []):
        assert item in missing


def test_every_example_patient_has_a_golden_scenario(repo) -> None:
    examples = {p.stem for p in (repo / "examples").glob("*.yaml")}
    covered = {s.source.removeprefix("examples/").removesuffix(".yaml") for s in SCENARIOS}
    assert examples <= covered, f"examples without a golden scenario: {sorted(examples - covered)}"


def test_examples_reach_every_next_step_and_every_flag() -> None:
    from sijpath.engine.steps import NEXT_STEPS

    examples = [s for s in SCENARIOS if s.source.startswith("examples/")]
    reached = {s.expect["next_step"] for s in examples}
    flags = {f for s in examples for f in s.expect["flags"]}
    assert reached == set(NEXT_STEPS)
    assert flags >= {
        "diminishing-injection-relief",
        "injection-frequency-exceeded",
        "cumulative-steroid-exposure",
        "block-technique-invalid",
        "coverage-conflict",
        "fusion-contraindication",
    }
