"""Assessments out as FHIR R4: GuidanceResponse, RequestGroup, DetectedIssue, Parameters, OperationOutcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.assessment import NOTICE, Assessment
from sijpath.fhir.guidance import FLAG_SYSTEM, STEP_SYSTEM, assessment_bundle
from sijpath.fhir.vocabulary import CPT, OWN
from sijpath.fhir.writer import canonical_ids
from sijpath.pathway.assess import evaluate
from tests.fhir.records import EXAMPLES, dumps, example, r4b_problems

AS_OF = dt.date(2026, 11, 1)
VERSIONS = [(v.id, v.effective_to or AS_OF) for r in wiring.builtin_ruleset_ids() for v in wiring.builtin_versions(r)]
EXAMPLE_NAMES = [p.stem for p in EXAMPLES]


def assess(name: str | Episode, ruleset: str = "source-articles", day: dt.date = AS_OF) -> Assessment:
    episode = example(name) if isinstance(name, str) else name
    return evaluate(episode, wiring.load_ruleset(ruleset, day), day)


def resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize(("ruleset", "day"), VERSIONS, ids=[f"{r}-{d}" for r, d in VERSIONS])
def test_the_assessment_of_every_example_conforms_to_r4b_under_every_builtin_ruleset(
    ruleset: str, day: dt.date
) -> None:
    for name in EXAMPLE_NAMES:
        assert r4b_problems(assessment_bundle(assess(name, ruleset, day))) is None, name


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_request_group_has_one_action_per_joint_with_its_next_step_and_the_actions_alongside(name: str) -> None:
    assessment = assess(name)
    document = assessment_bundle(assessment)
    (plan,) = resources(document, "RequestGroup")
    assert len(plan["action"]) == len(assessment.units)
    for action, unit in zip(plan["action"], assessment.units, strict=True):
        assert action["prefix"] == f"{unit.title}: next step"
        step = unit.next_step
        assert action["code"] == [{"coding": [{"system": STEP_SYSTEM, "code": step.code, "display": step.title}]}]
        others = action.get("action", [])
        assert [a["code"][0]["coding"][0]["code"] for a in others] == [a.code for a, _ in unit.other_actions]
        assert all(a["prefix"] == "Also" for a in others)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_suggested_procedure_is_a_service_request_for_its_joint_with_the_cpt_code(name: str) -> None:
    assessment = assess(name)
    document = assessment_bundle(assessment)
    orders = {r["id"]: r for r in resources(document, "ServiceRequest")}
    (plan,) = resources(document, "RequestGroup")
    procedures = [u for u in assessment.units if u.next_step.procedure]
    assert len(orders) == len(procedures)
    for action, unit in zip(plan["action"], assessment.units, strict=True):
        if not unit.next_step.procedure:
            assert "resource" not in action
            continue
        order = orders[action["resource"]["reference"].removeprefix("ServiceRequest/")]
        assert order["code"]["coding"][0]["system"] == CPT
        assert order["code"]["coding"][0]["code"] == unit.next_step.procedure
        assert order["bodySite"] == [
            {
                "coding": [
                    {"system": OWN, "code": f"{unit.key}-sij", "display": f"{unit.key.capitalize()} sacroiliac joint"}
                ]
            }
        ]
        assert (order["status"], order["intent"]) == ("draft", "proposal")


def test_the_guidance_response_comes_first_and_points_to_the_plan_criteria_and_issues() -> None:
    document = assessment_bundle(assess("implausible-block"))
    response = document["entry"][0]["resource"]
    assert response["resourceType"] == "GuidanceResponse"
    ids = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in document["entry"]}
    pointed = [response["result"]["reference"], response["outputParameters"]["reference"]]
    pointed += [m["reference"] for m in response["evaluationMessage"]]
    assert [p.split("/")[0] for p in pointed] == ["RequestGroup", "Parameters", "OperationOutcome"]
    assert set(pointed) <= ids
    assert response["note"] == [{"text": NOTICE}]
    assert response["moduleCanonical"] == "https://sijpath.org/fhir/PlanDefinition/source-articles|1.0.0"


@pytest.mark.parametrize(("name", "status"), [("implausible-block", "data-required"), ("new-referral", "success")])
def test_the_guidance_response_asks_for_data_only_when_the_next_step_is_to_gather_it(name: str, status: str) -> None:
    assessment = assess(name)
    response = assessment_bundle(assessment)["entry"][0]["resource"]
    assert response["status"] == status
    asks = any(u.next_step.code in ("gather-information", "record-side") for u in assessment.units)
    assert asks == (status == "data-required")


@pytest.mark.parametrize(
    ("name", "count"), [("rfa-candidate", 3), ("fibromyalgia", 1), ("fusion-candidate", 1), ("new-referral", 0)]
)
def test_there_is_one_detected_issue_per_flag_in_flag_order(name: str, count: int) -> None:
    assessment = assess(name)
    issues = resources(assessment_bundle(assessment), "DetectedIssue")
    flags = [(u, f) for u in assessment.units for f in u.flags]
    assert len(issues) == len(flags) == count
    assert [i["code"]["coding"] for i in issues] == [[{"system": FLAG_SYSTEM, "code": f.code}] for _, f in flags]
    severities = {"info": "low", "warning": "moderate", "critical": "high"}
    assert [i["severity"] for i in issues] == [severities[f.severity] for _, f in flags]
    assert all(i["detail"].startswith(f"{u.title}: ") for i, (u, _) in zip(issues, flags, strict=True))
    assert all(i["patient"] == {"reference": f"Patient/{assessment.patient_id}"} for i in issues)


def test_a_detected_issue_implicates_the_resources_its_evidence_cites_when_they_are_fhir_references() -> None:
    episode = example("rfa-candidate")
    raw = resources(assessment_bundle(assess(episode)), "DetectedIssue")
    canonical = resources(assessment_bundle(assess(canonical_ids(episode))), "DetectedIssue")
    # Ids like `inj-2` are not references; the same facts under `Procedure/inj-2` are.
    assert all("implicated" not in issue for issue in raw)
    assert canonical[0]["code"]["coding"][0]["code"] == "diminishing-injection-relief"
    assert canonical[0]["implicated"] == [
        {"reference": "Procedure/inj-2"},
        {"reference": "Procedure/inj-3"},
        {"reference": "Procedure/inj-4"},
    ]


def test_unverified_sources_are_marked_in_every_citation_and_only_they_are() -> None:
    assessment = assess("fusion-candidate")
    (unit,) = assessment.units
    document = assessment_bundle(assessment)
    sources = {s.id: s for c in unit.criteria for s in c.citations}
    sources |= {s.id: s for s in unit.next_step_citations}
    sources |= {s.id: s for _, cites in unit.other_actions for s in cites}
    (plan,) = resources(document, "RequestGroup")
    actions = [*plan["action"], *(a for action in plan["action"] for a in action.get("action", []))]
    related = [d for action in actions for d in action.get("documentation", [])]
    assert related, "the plan cites its sources"
    for artifact in related:
        assert artifact["type"] == "citation"
        assert artifact["citation"].endswith("[UNVERIFIED]") == sources[artifact["label"]].unverified
    (parameters,) = resources(document, "Parameters")
    citations = [
        part["valueString"]
        for p in parameters["parameter"]
        if p["name"] == "criterion"
        for part in p["part"]
        if part["name"] == "citation"
    ]
    unverified = [s for c in unit.criteria for s in c.citations if s.unverified]
    assert unverified, "fusion-candidate's criteria cite at least one unverified source"
    marked = [text for text in citations if text.endswith("[UNVERIFIED]")]
    assert len(marked) == len(unverified)


def test_the_assessment_bundle_is_byte_identical_across_two_runs() -> None:
    first = dumps(assessment_bundle(assess("rfa-candidate")))
    second = dumps(assessment_bundle(assess("rfa-candidate")))
    assert first == second


def test_resource_ids_depend_on_the_as_of_date() -> None:
    earlier = assessment_bundle(assess("rfa-candidate", day=dt.date(2026, 10, 1)))
    later = assessment_bundle(assess("rfa-candidate"))
    assert {e["fullUrl"] for e in earlier["entry"]}.isdisjoint(e["fullUrl"] for e in later["entry"])


def test_data_issues_become_an_operation_outcome_naming_their_location() -> None:
    assessment = assess("implausible-block")
    (outcome,) = resources(assessment_bundle(assessment), "OperationOutcome")
    assert [i["diagnostics"] for i in outcome["issue"]] == [
        f"{d.location}: {d.message}" for d in assessment.data_issues
    ]
    assert {i["severity"] for i in outcome["issue"]} <= {"warning", "information"}


def test_an_assessment_without_data_issues_has_no_operation_outcome() -> None:
    document = assessment_bundle(assess("new-referral"))
    assert resources(document, "OperationOutcome") == []
    assert "evaluationMessage" not in document["entry"][0]["resource"]


def test_every_criterion_is_a_parameter_with_its_status_and_evidence_refs() -> None:
    assessment = assess("fusion-candidate")
    (parameters,) = resources(assessment_bundle(assessment), "Parameters")
    criteria = [p for p in parameters["parameter"] if p["name"] == "criterion"]
    assert [(c["part"][0]["valueCode"], c["part"][1]["valueCode"], c["part"][4]["valueCode"]) for c in criteria] == [
        ("left", c.id, c.status) for c in assessment.unit("left").criteria
    ]
    block = next(c for c in criteria if c["part"][1]["valueCode"] == "diagnostic-block-confirms-sij")
    evidence = [p["valueString"] for p in block["part"] if p["name"] == "evidence"]
    assert evidence[0].startswith("2025-01-10: block 2025-01-10 (left)")
    assert evidence[0].endswith("[blk-1]")
