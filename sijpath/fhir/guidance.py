"""An assessment out as FHIR R4: GuidanceResponse, RequestGroup of next steps, DetectedIssues, criteria, issues."""

from __future__ import annotations

import uuid
from typing import Any

from sijpath.engine.assessment import NOTICE, Assessment, Criterion, Flag
from sijpath.engine.results import Evidence
from sijpath.engine.steps import Action
from sijpath.evidence.catalog import Source
from sijpath.fhir.bundle import reference_key
from sijpath.fhir.shapes import drop_none
from sijpath.fhir.vocabulary import BASE

__all__ = ["CRITERION_SYSTEM", "FLAG_SYSTEM", "STEP_SYSTEM", "assessment_bundle", "ruleset_canonical"]

STEP_SYSTEM = f"{BASE}/CodeSystem/next-step"
FLAG_SYSTEM = f"{BASE}/CodeSystem/flag"
CRITERION_SYSTEM = f"{BASE}/CodeSystem/criterion"
_SEVERITY = {"info": "low", "warning": "moderate", "critical": "high"}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/assessment")


def ruleset_canonical(assessment: Assessment) -> str:
    return f"{BASE}/PlanDefinition/{assessment.ruleset_id}|{assessment.ruleset_version}"


def assessment_bundle(assessment: Assessment) -> dict[str, Any]:
    """A collection Bundle: the GuidanceResponse first, then what it points to; ids derive from the patient,
    rule-set version and as-of date, so the same assessment always gives the same Bundle."""
    a = assessment
    seed = f"{a.patient_id}|{a.ruleset_id}|{a.ruleset_version}|{a.as_of.isoformat()}"

    def rid(part: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{seed}|{part}"))

    subject = {"reference": f"Patient/{a.patient_id}"}
    issues = [_detected_issue(rid(f"flag-{f.code}"), f, subject, a) for f in a.flags]
    plan = _request_group(rid("plan"), a, subject)
    params = _parameters(rid("criteria"), a)
    outcome = _operation_outcome(rid("data-issues"), a) if a.data_issues else None
    response = drop_none(
        {
            "resourceType": "GuidanceResponse",
            "id": rid("response"),
            "identifier": [{"system": f"{BASE}/assessment", "value": rid("response")}],
            "moduleCanonical": ruleset_canonical(a),
            "status": "data-required" if a.next_step.code == "gather-information" else "success",
            "subject": subject,
            "occurrenceDateTime": a.as_of.isoformat(),
            "note": [{"text": NOTICE}],
            "evaluationMessage": [{"reference": f"OperationOutcome/{outcome['id']}"}] if outcome else None,
            "outputParameters": {"reference": f"Parameters/{params['id']}"},
            "result": {"reference": f"RequestGroup/{plan['id']}"},
        }
    )
    resources = [response, plan, *issues, params, *([outcome] if outcome else [])]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def _related(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    return [
        drop_none({"type": "citation", "label": s.id, "display": s.title, "citation": s.label(), "url": s.url})
        for s in sources
    ]


def _action(action: Action, cites: tuple[Source, ...], kind: str) -> dict[str, Any]:
    return drop_none(
        {
            "prefix": kind,
            "title": action.title,
            "description": action.rationale,
            "code": [{"coding": [{"system": STEP_SYSTEM, "code": action.code, "display": action.title}]}],
            "documentation": _related(cites),
            "priority": "routine",
        }
    )


def _request_group(rid: str, a: Assessment, subject: dict[str, str]) -> dict[str, Any]:
    actions = [_action(a.next_step, a.next_step_citations, "Next step")]
    actions += [_action(action, cites, "Also") for action, cites in a.other_actions]
    return {
        "resourceType": "RequestGroup",
        "id": rid,
        "instantiatesCanonical": [ruleset_canonical(a)],
        "status": "active",
        "intent": "proposal",
        "subject": subject,
        "authoredOn": a.as_of.isoformat(),
        "note": [{"text": f"Stage: {a.stage}. {NOTICE}"}],
        "action": actions,
    }


def _implicated(evidence: tuple[Evidence, ...]) -> list[dict[str, str]]:
    refs = [e.ref for e in evidence if e.ref is not None and reference_key(e.ref) == e.ref]
    return [{"reference": ref} for ref in dict.fromkeys(refs)]


def _detected_issue(rid: str, flag: Flag, subject: dict[str, str], a: Assessment) -> dict[str, Any]:
    cites = "; ".join(s.label() for s in flag.citations)
    return drop_none(
        {
            "resourceType": "DetectedIssue",
            "id": rid,
            "status": "final",
            "code": {
                "coding": [{"system": FLAG_SYSTEM, "code": flag.code}],
                "text": flag.code.replace("-", " ").capitalize(),
            },
            "severity": _SEVERITY[flag.severity],
            "patient": subject,
            "identifiedDateTime": a.as_of.isoformat(),
            "implicated": _implicated(flag.evidence),
            "detail": f"{flag.message.rstrip('.')}. Sources: {cites}." if cites else flag.message,
            "reference": next((s.url for s in flag.citations if s.url), None),
        }
    )


def _criterion(c: Criterion) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"name": "id", "valueCode": c.id},
        {"name": "title", "valueString": c.title},
        {"name": "stage", "valueCode": c.stage},
        {"name": "status", "valueCode": c.status},
        {"name": "summary", "valueString": c.summary},
    ]
    for e in c.evidence:
        fact = f"{e.date}: {e.fact}" if e.date else e.fact
        parts.append({"name": "evidence", "valueString": f"{fact} [{e.ref}]" if e.ref else fact})
    parts += [{"name": "missing", "valueString": m} for m in c.missing]
    parts += [{"name": "citation", "valueString": s.label()} for s in c.citations]
    return {"name": "criterion", "part": parts}


def _parameters(rid: str, a: Assessment) -> dict[str, Any]:
    parameters = [_criterion(c) for c in a.criteria]
    for m in a.missing_data:
        needed = [{"name": "needed-for", "valueCode": c} for c in m.needed_for]
        parameters.append({"name": "missing-data", "part": [{"name": "item", "valueString": m.item}, *needed]})
    for measurement, _ in a.measurements:
        value = measurement.value
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        unit = f" {measurement.unit}" if measurement.unit else ""
        text = "not available" if value is None else f"{shown}{unit}"
        parameters.append(
            {
                "name": "measurement",
                "part": [
                    {"name": "name", "valueCode": measurement.name},
                    {"name": "value", "valueString": text},
                ],
            }
        )
    return {"resourceType": "Parameters", "id": rid, "parameter": parameters}


def _operation_outcome(rid: str, a: Assessment) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "id": rid,
        "issue": [
            {
                "severity": "warning" if d.severity == "warning" else "information",
                "code": "incomplete" if d.severity == "warning" else "informational",
                "diagnostics": f"{d.location}: {d.message}",
            }
            for d in a.data_issues
        ],
    }
