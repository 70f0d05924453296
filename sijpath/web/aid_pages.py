"""The patient decision aid per joint: the printable page, the patient's answers recorded, the PDF and the EHR note."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sijpath.errors import InputError, NotFoundError
from sijpath.store import episodes as store
from sijpath.store.database import transaction
from sijpath.store.decision_aid_answers import RecordedAnswers, latest_answers, record_answers
from sijpath.web.aids import DecisionAid, answers_from_form
from sijpath.web.fact_pages import form_fields
from sijpath.web.pages import as_of_of, render, ruleset_of, services_of
from sijpath.web.security import Permission, Principal, authorize, check_csrf, principal, remote_of
from sijpath.web.services import App

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
BASE = "/patients/{patient_id}/decision-aid/{joint}"
JOINTS = ("left", "right")


def _aid(services: App, patient_id: str, joint: str, ruleset_id: str, as_of: dt.date) -> DecisionAid:
    """The joint's aid under the rule set on the date, from the stored episode (its assessment kept, as pages do)."""
    if joint not in JOINTS:
        raise NotFoundError(f"no joint `{joint[:20]}` (joints: left, right)")
    if services.decision_aid is None:
        raise NotFoundError("this server makes no decision aids")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        assessment = services.assess(connection, stored, ruleset_id, as_of)
    return services.decision_aid(assessment, services.load_ruleset(ruleset_id, as_of), stored.episode, joint)


def _caller(request: Request, permission: Permission = "read") -> tuple[App, Principal]:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, permission)
    return services, who


def _query(ruleset_id: str, as_of: dt.date) -> str:
    return urlencode({"ruleset": ruleset_id, "as_of": as_of.isoformat()})


@router.get(BASE, response_class=HTMLResponse)
def aid_page(request: Request, patient_id: str, joint: str, saved: str = "") -> HTMLResponse:
    """The aid for the patient to read with the clinician (printable), the answers recorded, and the form for them."""
    services, who = _caller(request)
    ruleset_id, as_of = ruleset_of(request, services), as_of_of(request, services)
    aid = _aid(services, patient_id, joint, ruleset_id, as_of)
    with transaction(services.engine) as connection:
        recorded = latest_answers(connection, patient_id, joint)
        services.audit(connection, who.user, "view-decision-aid", patient_id, remote_of(request), f"{joint} joint")
    answered: tuple[tuple[str, str], ...] = ()
    stale = ""
    if recorded is not None:
        try:
            answered = aid.answered(recorded.answers)
        except InputError as exc:  # the record changed since: the leaning is no longer an option this aid shows
            stale = "; ".join(str(p) for p in exc.problems) or exc.message
    return render(
        request,
        "decision_aid.html",
        who,
        patient_id=patient_id,
        aid=aid,
        ruleset_id=ruleset_id,
        as_of=as_of,
        query=_query(ruleset_id, as_of),
        recorded=recorded,
        answered=answered,
        stale=stale,
        message="The patient's answers are recorded" if saved == "answers" else "",
        can_write=who.user.role == "clinician" and who.token_scope is None,
    )


@router.post(BASE + "/answers")
async def record_answers_form(request: Request, patient_id: str, joint: str) -> Response:
    """Record the patient's values and SURE answers for the aid they were shown; audited like every write."""
    services, who = _caller(request, "write")
    form = await form_fields(request)
    check_csrf(who, (form.get("csrf_token") or [""])[-1])
    ruleset_id, as_of = ruleset_of(request, services, form), as_of_of(request, services, form)
    aid = _aid(services, patient_id, joint, ruleset_id, as_of)
    back = f"/patients/{quote(patient_id, safe='')}/decision-aid/{joint}?{_query(ruleset_id, as_of)}"
    try:
        answers = aid.checked(answers_from_form(aid, form))
    except InputError as exc:
        return render(request, "error.html", who, status=422, status_code=422, error=exc, back=back)
    with transaction(services.engine) as connection:
        store.load_episode(connection, patient_id)  # a patient that is not there gets no answers
        kept = record_answers(
            connection,
            patient_id=patient_id,
            joint=joint,
            aid_date=as_of,
            ruleset_id=ruleset_id,
            answers=answers,
            actor=who.user.username,
            now=services.now(),
        )
        detail = f"{joint} joint; aid of {as_of.isoformat()} under {ruleset_id}; {_summary(kept)}"
        services.audit(connection, who.user, "record-decision-aid", patient_id, remote_of(request), detail)
    return RedirectResponse(f"{back}&saved=answers", status_code=303)


def _summary(kept: RecordedAnswers) -> str:
    answers: dict[str, Any] = kept.answers
    return f"{len(answers.get('values', {}))} values, {len(answers.get('sure', {}))} SURE answers"


def _download(request: Request, patient_id: str, joint: str, kind: str) -> tuple[DecisionAid, dict[str, Any]]:
    """The aid to download and the answers that go with it: the newest recorded, with the aid they were given for."""
    services, who = _caller(request)
    ruleset_id, as_of = ruleset_of(request, services), as_of_of(request, services)
    with transaction(services.engine) as connection:
        recorded = latest_answers(connection, patient_id, joint) if kind != "pdf" else None
    if recorded is not None and recorded.ruleset_id in services.ruleset_ids:
        # The note documents the conversation that took place: the aid as it was on the day it was recorded for.
        ruleset_id, as_of = recorded.ruleset_id, recorded.aid_date
    aid = _aid(services, patient_id, joint, ruleset_id, as_of)
    with transaction(services.engine) as connection:
        detail = f"{joint} joint; {kind}; aid of {as_of.isoformat()} under {ruleset_id}"
        services.audit(connection, who.user, "download-decision-aid", patient_id, remote_of(request), detail)
    return aid, recorded.answers if recorded is not None else {}


def _attachment(patient_id: str, joint: str, suffix: str) -> dict[str, str]:
    name = f"decision-aid-{patient_id}-{joint}{suffix}"
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"}


@router.get(BASE + "/pdf")
def aid_pdf(request: Request, patient_id: str, joint: str) -> Response:
    aid, _ = _download(request, patient_id, joint, "pdf")
    headers = _attachment(patient_id, joint, ".pdf")
    return Response(aid.pdf(), media_type="application/pdf", headers=headers)


@router.get(BASE + "/note")
def aid_note(request: Request, patient_id: str, joint: str) -> Response:
    aid, answers = _download(request, patient_id, joint, "note")
    headers = _attachment(patient_id, joint, "-note.md")
    return Response(aid.note(answers), media_type="text/markdown; charset=utf-8", headers=headers)


@router.get(BASE + "/fhir")
def aid_fhir(request: Request, patient_id: str, joint: str) -> Response:
    aid, answers = _download(request, patient_id, joint, "fhir")
    headers = _attachment(patient_id, joint, "-note.fhir.json")
    return Response(aid.fhir(answers), media_type="application/fhir+json", headers=headers)
