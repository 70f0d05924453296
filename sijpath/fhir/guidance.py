"""An assessment out as FHIR R4: GuidanceResponse, a RequestGroup with one action per joint (and a ServiceRequest for
each suggested procedure, with its CPT code and body site), DetectedIssues, criteria per joint, data issues."""

from __future__ import annotations

import uuid
from typing import Any

from sijpath.engine.assessment import NOTICE, Assessment, CriterionResult, RaisedFlag, UnitAssessment
from sijpath.engine.decision import Action
from sijpath.engine.results import Evidence
from sijpath.evidence.catalog import Source
from sijpath.fhir.bundle import reference_key
from sijpath.fhir.shapes import drop_none, site
from sijpath.fhir.vocabulary import BASE, CPT

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
    issues = [_detected_issue(rid(f"flag-{u.key}-{f.code}"), f, u, subject, a) for u in a.units for f in u.flags]
    orders = {u.key: _service_request(rid(f"order-{u.key}"), u, subject, a) for u in a.units if u.next_step.procedure}
    plan = _request_group(rid("plan"), a, subject, orders)
    params = _parameters(rid("criteria"), a)
    outcome = _operation_outcome(rid("data-issues"), a) if a.data_issues else None
    response = drop_none(
        {
            "resourceType": "GuidanceResponse",
            "id": rid("response"),
            "identifier": [{"system": f"{BASE}/assessment", "value": rid("response")}],
            "moduleCanonical": ruleset_canonical(a),
            "status": "data-required"
            if any(u.next_step.code in ("gather-information", "record-side") for u in a.units)
            else "success",
            "subject": subject,
            "occurrenceDateTime": a.as_of.isoformat(),
            "note": [{"text": NOTICE}],
            "evaluationMessage": [{"reference": f"OperationOutcome/{outcome['id']}"}] if outcome else None,
            "outputParameters": {"reference": f"Parameters/{params['id']}"},
            "result": {"reference": f"RequestGroup/{plan['id']}"},
        }
    )
    resources = [response, plan, *orders.values(), *issues, params, *([outcome] if outcome else [])]
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


def _action(suggested: Action, cites: tuple[Source, ...], kind: str, **more: Any) -> dict[str, Any]:
    return drop_none(
        {
            "prefix": kind,
            "title": suggested.title,
            "description": suggested.rationale,
            "code": [{"coding": [{"system": STEP_SYSTEM, "code": suggested.code, "display": suggested.title}]}],
            "documentation": _related(cites),
            "priority": "routine",
            **more,
        }
    )


def _request_group(
    rid: str, a: Assessment, subject: dict[str, str], orders: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """One action per joint (its next step, with the actions alongside as sub-actions), each naming its side."""
    actions = []
    for u in a.units:
        order = orders.get(u.key)
        actions.append(
            _action(
                u.next_step,
                u.next_step_citations,
                f"{u.title}: next step",
                resource={"reference": f"ServiceRequest/{order['id']}"} if order else None,
                action=[_action(action, cites, "Also") for action, cites in u.other_actions] or None,
                textEquivalent=f"{u.title} (stage {u.stage}): {u.next_step.title}",
            )
        )
    return {
        "resourceType": "RequestGroup",
        "id": rid,
        "instantiatesCanonical": [ruleset_canonical(a)],
        "status": "active",
        "intent": "proposal",
        "subject": subject,
        "authoredOn": a.as_of.isoformat(),
        "note": [{"text": f"{a.summary} {NOTICE}"}],
        "action": actions,
    }


def _service_request(rid: str, u: UnitAssessment, subject: dict[str, str], a: Assessment) -> dict[str, Any]:
    """The suggested procedure for one joint as a proposal: CPT code and the joint as body site."""
    procedure = u.next_step.step.procedure
    assert procedure is not None
    return drop_none(
        {
            "resourceType": "ServiceRequest",
            "id": rid,
            "status": "draft",
            "intent": "proposal",
            "code": {"coding": [{"system": CPT, "code": procedure.code, "display": procedure.description}]},
            "subject": subject,
            "authoredOn": a.as_of.isoformat(),
            "bodySite": [site(u.key)],
            "note": [{"text": f"{u.next_step.rationale} {NOTICE}"}],
        }
    )


def _implicated(evidence: tuple[Evidence, ...]) -> list[dict[str, str]]:
    refs = [e.ref for e in evidence if e.ref is not None and reference_key(e.ref) == e.ref]
    return [{"reference": ref} for ref in dict.fromkeys(refs)]


def _detected_issue(
    rid: str, flag: RaisedFlag, unit: UnitAssessment, subject: dict[str, str], a: Assessment
) -> dict[str, Any]:
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
            "detail": f"{unit.title}: {flag.message.rstrip('.')}." + (f" Sources: {cites}." if cites else ""),
            "reference": next((s.url for s in flag.citations if s.url), None),
        }
    )


def _criterion(c: CriterionResult, joint: str) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"name": "joint", "valueCode": joint},
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
    parameters = []
    for u in a.units:
        parameters += _unit_parameters(u)
    return {"resourceType": "Parameters", "id": rid, "parameter": parameters}


def _unit_parameters(u: UnitAssessment) -> list[dict[str, Any]]:
    joint = {"name": "joint", "valueCode": u.key}
    parameters = [_criterion(c, u.key) for c in u.criteria]
    for m in u.missing_data:
        needed = [{"name": "needed-for", "valueCode": c} for c in m.needed_for]
        parameters.append({"name": "missing-data", "part": [joint, {"name": "item", "valueString": m.item}, *needed]})
    for measurement, _ in u.measurements:
        value = measurement.value
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        unit = f" {measurement.unit}" if measurement.unit else ""
        text = "not available" if value is None else f"{shown}{unit}"
        parameters.append(
            {
                "name": "measurement",
                "part": [
                    joint,
                    {"name": "name", "valueCode": measurement.name},
                    {"name": "value", "valueString": text},
                ],
            }
        )
    return parameters


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
