"""Registry entries as FHIR R4: Observations (LOINC only where verified) and QuestionnaireResponses, per patient."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection

from sijpath.fhir.shapes import coding, drop_none, ext, observation, own, quantity
from sijpath.fhir.vocabulary import BASE, EXT, LOINC, LOINC_ODI_SCORE, LOINC_PAIN_NRS, UCUM
from sijpath.outcomes.eq5d import EQ5D_DIMENSIONS
from sijpath.outcomes.odi import ODI_SECTIONS
from sijpath.store import outcomes as rows

__all__ = [
    "MME_UNIT",
    "PROCEDURE_CODES",
    "QUESTIONNAIRE_EQ5D",
    "QUESTIONNAIRE_ODI",
    "SYNTHETIC_LABEL",
    "entry_resources",
    "outcome_ids",
    "patient_outcomes_bundle",
    "questionnaires",
]

QUESTIONNAIRE_ODI = f"{BASE}/Questionnaire/oswestry-disability-index"
QUESTIONNAIRE_EQ5D = f"{BASE}/Questionnaire/eq-5d-5l"
QUESTIONNAIRE_VERSION = "1"
# The registry's procedure kinds as codes of our CodeSystem (the registry does not know the CPT code: a fusion may
# be 27279, 27280 or 27278 by approach, and claiming one would be a guess).
PROCEDURE_CODES = {"fusion": "sij-fusion", "rfa": "sij-rfa", "therapeutic-injection": "therapeutic-injection"}
MME_UNIT = "{MME}/d"  # UCUM with an annotation: milligrams of morphine equivalent per day
# The security label HL7 gives test data (v3-ActReason HTEST, "test health data"): every resource of a synthetic
# procedure carries it, so generated patients stay labelled synthetic outside sijpath too.
SYNTHETIC_LABEL = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/outcomes")
_DIMENSION_TEXT = {
    "mobility": "Mobility",
    "self_care": "Self-care",
    "usual_activities": "Usual activities",
    "pain_discomfort": "Pain / discomfort",
    "anxiety_depression": "Anxiety / depression",
}


def outcome_ids(procedure: Any) -> tuple[str, str]:
    """The index procedure's resource id and the seed of its entries' ids: the same in every deployment, since
    they come from what the procedure is (patient, joint, kind, day), never from a database key."""
    seed = f"{procedure.patient_id}|{procedure.joint}|{procedure.procedure}|{procedure.performed_on.isoformat()}"
    return str(uuid.uuid5(_NAMESPACE, seed)), seed


def questionnaires() -> list[dict[str, Any]]:
    """The two Questionnaires the QuestionnaireResponses name: structure only (section and dimension names, answer
    ranges), never the instruments' wording, whose use their licences govern (docs/outcomes.md)."""
    odi_items = [
        _question(f"odi-{i + 1}", name.capitalize(), 0, 5, required=False) for i, name in enumerate(ODI_SECTIONS)
    ]
    eq5d_items = [_question(d, _DIMENSION_TEXT[d], 1, 5, required=True) for d in EQ5D_DIMENSIONS]
    eq5d_items.append(_question("vas", "EQ VAS (0 to 100)", 0, 100, required=False))
    return [
        _questionnaire(QUESTIONNAIRE_ODI, "OswestryDisabilityIndex", "Oswestry Disability Index (ODI)", odi_items),
        _questionnaire(QUESTIONNAIRE_EQ5D, "Eq5d5l", "EQ-5D-5L", eq5d_items),
    ]


def _question(link_id: str, text: str, low: int, high: int, *, required: bool) -> dict[str, Any]:
    bounds = [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": low},
        {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": high},
    ]
    return {"linkId": link_id, "text": text, "type": "integer", "required": required, "extension": bounds}


def _questionnaire(url: str, name: str, title: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": url.rsplit("/", 1)[1],
        "url": url,
        "version": QUESTIONNAIRE_VERSION,
        "name": name,
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "sijpath",
        "description": "Answer structure only: the instrument's own wording is not reproduced (see docs/outcomes.md).",
        "item": items,
    }


def _procedure(procedure: Any, rid: str, subject: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": "completed",
        "code": own(PROCEDURE_CODES[procedure.procedure]),
        "subject": subject,
        "performedDateTime": procedure.performed_on.isoformat(),
        "bodySite": [own(f"{procedure.joint}-sij")],
    }


def _response(rid: str, url: str, subject: dict[str, str], day: str, answers: Sequence[tuple[str, int | None]]) -> Any:
    # An unanswered question stays in the response without an answer: it was asked and left blank.
    items = [drop_none({"linkId": k, "answer": [{"valueInteger": v}] if v is not None else None}) for k, v in answers]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": f"{url}|{QUESTIONNAIRE_VERSION}",
        "status": "completed",
        "subject": subject,
        "authored": day,
        "item": items,
    }


def entry_resources(procedure: Any, entry: Any, seed: str, ordinal: int) -> Iterator[dict[str, Any]]:
    """The resources of one registry entry: one Observation per measure, and a QuestionnaireResponse for the ODI
    answers and for the EQ-5D-5L levels, which their score Observations are `derivedFrom`."""
    subject = {"reference": f"Patient/{procedure.patient_id}"}
    prid, _ = outcome_ids(procedure)
    day = entry.measured_on.isoformat()

    def rid(part: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{seed}|{day}|{ordinal}|{part}"))

    def measure(part: str, code: dict[str, Any], **value: Any) -> dict[str, Any]:
        more = {"partOf": [{"reference": f"Procedure/{prid}"}], "bodySite": own(f"{procedure.joint}-sij"), **value}
        return observation(rid(part), subject, code, entry.measured_on, **more)

    for part, score in (("nrs-back-pain", entry.nrs_back), ("nrs-leg-pain", entry.nrs_leg)):
        if score is not None:
            code = {"coding": [{"system": LOINC, "code": LOINC_PAIN_NRS}, own(part)["coding"][0]]}
            yield measure(part, code, valueQuantity=quantity(score, "{score}"))
    if entry.odi is not None:
        derived = None
        if entry.odi_items is not None:
            answers = [(f"odi-{i + 1}", int(a) if a else None) for i, a in enumerate(entry.odi_items.split(","))]
            yield _response(rid("odi-answers"), QUESTIONNAIRE_ODI, subject, day, answers)
            derived = [{"reference": f"QuestionnaireResponse/{rid('odi-answers')}"}]
        yield measure(
            "odi", coding(LOINC, LOINC_ODI_SCORE), valueQuantity=quantity(entry.odi, "%"), derivedFrom=derived
        )
    yield from _eq5d(entry, subject, day, rid, measure)
    if entry.opioid_mme is not None:
        yield measure("mme", own("opioid-daily-mme"), valueQuantity=_mme(entry.opioid_mme))
    elif entry.opioid_use is not None:
        yield measure("opioids", own("taking-opioids"), valueBoolean=entry.opioid_use)
    if entry.ct_bridging is not None:
        yield measure("bridging", own("ct-bridging"), valueCodeableConcept=own(f"ct-bridging-{entry.ct_bridging}"))
    if entry.satisfaction is not None:
        level = own(f"satisfaction-{entry.satisfaction}")
        yield measure("satisfaction", own("satisfaction-with-result"), valueCodeableConcept=level)
    if entry.complication is not None:
        yield measure("complication", own("complication"), valueString=entry.complication)
    for part, flag in (
        ("working", entry.working),
        ("revision-surgery", entry.revision),
        ("readmission", entry.readmission),
    ):
        if flag is not None:
            yield measure(part, own(part), valueBoolean=flag)


def _mme(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "MME/day", "system": UCUM, "code": MME_UNIT}


def _eq5d(entry: Any, subject: dict[str, str], day: str, rid: Any, measure: Any) -> Iterator[dict[str, Any]]:
    if entry.eq5d_state is None and entry.eq5d_vas is None:
        return
    levels = [int(c) for c in entry.eq5d_state] if entry.eq5d_state else [None] * len(EQ5D_DIMENSIONS)
    answers = [*zip(EQ5D_DIMENSIONS, levels, strict=True), ("vas", entry.eq5d_vas)]
    yield _response(rid("eq5d-answers"), QUESTIONNAIRE_EQ5D, subject, day, answers)
    derived = [{"reference": f"QuestionnaireResponse/{rid('eq5d-answers')}"}]
    if entry.eq5d_state is not None:
        yield measure("eq5d-state", own("eq5d-5l-health-state"), valueString=entry.eq5d_state, derivedFrom=derived)
    if entry.eq5d_index is not None:
        value_set = ext(EXT.EQ5D_VALUE_SET, valueString=entry.eq5d_value_set)
        yield measure(
            "eq5d-index",
            own("eq5d-5l-index"),
            valueQuantity={"value": entry.eq5d_index, "unit": "1", "system": UCUM, "code": "1"},
            derivedFrom=derived,
            extension=[value_set] if value_set else None,
        )
    if entry.eq5d_vas is not None:
        yield measure(
            "eq5d-vas", own("eq5d-vas"), valueQuantity=quantity(entry.eq5d_vas, "{score}"), derivedFrom=derived
        )


def patient_outcomes_bundle(connection: Connection, patient_id: str) -> dict[str, Any]:
    """A collection Bundle of one patient's index procedures and every registry entry after (or before) them."""
    procedures = rows.patient_procedures(connection, patient_id)
    entries = rows.procedure_entries(connection, (p.id for p in procedures))
    resources: list[dict[str, Any]] = []
    for procedure in procedures:
        prid, seed = outcome_ids(procedure)
        own_resources = [_procedure(procedure, prid, {"reference": f"Patient/{patient_id}"})]
        per_day: dict[Any, int] = {}
        for entry in entries[procedure.id]:
            ordinal = per_day[entry.measured_on] = per_day.get(entry.measured_on, -1) + 1
            own_resources.extend(entry_resources(procedure, entry, seed, ordinal))
        if procedure.synthetic:
            own_resources = [{**r, "meta": {"security": [SYNTHETIC_LABEL]}} for r in own_resources]
        resources.extend(own_resources)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
