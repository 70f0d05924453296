"""The decision-aid note as a FHIR DocumentReference and the answers as a QuestionnaireResponse, in one Bundle."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sijpath.decisionaid.aid import NAMES, Aid
from sijpath.decisionaid.answers import IMPORTANCE, SURE_QUESTIONS, VALUE_QUESTIONS, AidAnswers, ValueId
from sijpath.decisionaid.note import note_markdown
from sijpath.fhir.shapes import drop_none
from sijpath.fhir.vocabulary import BASE

__all__ = ["DOCUMENT_TYPE_SYSTEM", "QUESTIONNAIRE", "note_bundle"]

QUESTIONNAIRE = f"{BASE}/Questionnaire/sij-decision-aid"
DOCUMENT_TYPE_SYSTEM = f"{BASE}/CodeSystem/document-type"
IMPORTANCE_SYSTEM = f"{BASE}/CodeSystem/importance"
OPTION_SYSTEM = f"{BASE}/CodeSystem/decision-aid-option"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/decision-aid")


def _answered(link_id: str, text: str, answer: dict[str, Any] | None) -> dict[str, Any]:
    # An unanswered question is kept with no answer, so the record shows it was asked but not answered.
    return drop_none({"linkId": link_id, "text": text, "answer": [answer] if answer else None})


def _importance(answers: AidAnswers, key: ValueId) -> dict[str, Any] | None:
    level = answers.values.get(key)
    if level is None:
        return None
    return {"valueCoding": {"system": IMPORTANCE_SYSTEM, "code": level, "display": IMPORTANCE[level]}}


def _questionnaire_response(rid: str, aid: Aid, answers: AidAnswers, subject: dict[str, str]) -> dict[str, Any]:
    values = [_answered(key, text, _importance(answers, key)) for key, text in VALUE_QUESTIONS]
    sure = [
        _answered(key, text, {"valueBoolean": answers.sure[key]} if key in answers.sure else None)
        for key, text in SURE_QUESTIONS
    ]
    score = answers.sure_score
    leaning = answers.leaning
    items = [
        {"linkId": "values", "text": "What matters to you", "item": values},
        {"linkId": "sure", "text": "Are you ready to decide? (SURE test)", "item": sure},
        _answered(
            "sure-score", "SURE score (yes answers of 4)", {"valueInteger": score} if score is not None else None
        ),
        _answered(
            "leaning",
            "The option the patient leans toward",
            {"valueCoding": {"system": OPTION_SYSTEM, "code": leaning, "display": NAMES.get(leaning, "Not sure yet")}}
            if leaning
            else None,
        ),
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": QUESTIONNAIRE,
        "status": "completed" if answers.complete else "in-progress",
        "subject": subject,
        "authored": aid.made_on.isoformat(),
        "item": items,
    }


def _document_reference(rid: str, aid: Aid, answers: AidAnswers, subject: dict[str, str], qr: str) -> dict[str, Any]:
    note = note_markdown(aid, answers)
    title = f"Shared decision-making note: SI-joint pain, {aid.joint}"
    return {
        "resourceType": "DocumentReference",
        "id": rid,
        "status": "current",
        "docStatus": "final",
        "type": {
            "coding": [{"system": DOCUMENT_TYPE_SYSTEM, "code": "shared-decision-making-note", "display": title}],
            "text": "Shared decision-making note",
        },
        "subject": subject,
        "description": f"{title}. {aid.statement}",
        "content": [
            {
                "attachment": {
                    "contentType": "text/markdown; charset=utf-8",
                    "language": "en",
                    "data": base64.b64encode(note.encode("utf-8")).decode("ascii"),
                    "title": title,
                    "creation": aid.made_on.isoformat(),
                }
            }
        ],
        "context": {
            "period": {"start": aid.made_on.isoformat()},
            "related": [{"reference": f"QuestionnaireResponse/{qr}"}],
        },
    }


def note_bundle(aid: Aid, answers: AidAnswers) -> dict[str, Any]:
    """A collection Bundle: the DocumentReference (the note), then the QuestionnaireResponse (the answers)."""
    seed = f"{aid.patient_id}|{aid.joint_key}|{aid.made_on.isoformat()}"
    doc_id, qr_id = (str(uuid.uuid5(_NAMESPACE, f"{seed}|{part}")) for part in ("note", "answers"))
    subject = {"reference": f"Patient/{aid.patient_id}"}
    resources = [
        _document_reference(doc_id, aid, answers, subject, qr_id),
        _questionnaire_response(qr_id, aid, answers, subject),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
