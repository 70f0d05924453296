"""The outcomes pages: a patient's scores over time per joint with the schedule and responder status, entry forms,
questionnaire links for the patient, and the clinic's cohort report; every view and change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sijpath.errors import NotFoundError, OutcomeEntryError, Problem, UsageError
from sijpath.outcomes.form_answers import EQ5D_FIELDS, ODI_FIELDS, entry_from_form
from sijpath.outcomes.links import create_link
from sijpath.outcomes.odi import ODI_SECTIONS
from sijpath.outcomes.patient_view import patient_view
from sijpath.outcomes.registry import record_entry, register_procedure
from sijpath.outcomes.rendering import report_html
from sijpath.outcomes.report import build_report
from sijpath.outcomes.schedule import PROCEDURES, SCHEDULES
from sijpath.store import outcomes as rows
from sijpath.store.database import transaction
from sijpath.web.pages import render, services_of
from sijpath.web.security import Principal, authorize, check_csrf, principal, remote_of
from sijpath.web.services import App

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_SAVED = {"procedure": "Index procedure added to the registry", "entry": "Outcome entry saved"}
_DIMENSIONS = ("Mobility", "Self-care", "Usual activities", "Pain / discomfort", "Anxiety / depression")


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


def _day(text: str | None, name: str, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{name} {text[:20]!r} is not a date (YYYY-MM-DD)") from None


def _page(request: Request, services: App, who: Principal, patient_id: str, **more: Any) -> HTMLResponse:
    as_of = _day(request.query_params.get("as_of"), "as_of", services.today())
    with transaction(services.engine) as connection:
        views = patient_view(connection, patient_id, as_of)
        services.audit(connection, who.user, "view-outcomes", patient_id, remote_of(request))
    return render(
        request,
        "outcomes.html",
        who,
        patient_id=patient_id,
        as_of=as_of,
        views=views,
        sources=services.source_labels,
        procedures=PROCEDURES,
        schedules={p: [t for t in SCHEDULES[p]] for p in PROCEDURES},
        odi=list(zip(ODI_FIELDS, ODI_SECTIONS, strict=True)),
        eq5d=list(zip(EQ5D_FIELDS, _DIMENSIONS, strict=True)),
        value_set=services.eq5d_value_set,
        can_record=who.user.role in ("clinician", "staff"),
        rulesets=services.ruleset_ids,
        **more,
    )


@router.get("/patients/{patient_id}/outcomes", response_class=HTMLResponse)
def outcomes_page(request: Request, patient_id: str, saved: str = "") -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    return _page(request, services, who, patient_id, message=_SAVED.get(saved, ""))


def _writer(request: Request) -> tuple[App, Principal]:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "outcomes")
    return services, who


def _own_procedure(services: App, patient_id: str, procedure_id: int) -> None:
    with services.engine.connect() as connection:
        if rows.procedure_row(connection, procedure_id).patient_id != patient_id:
            raise NotFoundError(f"no index procedure {procedure_id} for this patient")


def _back(patient_id: str, saved: str) -> Response:
    return RedirectResponse(f"/patients/{quote(patient_id, safe='')}/outcomes?saved={saved}", status_code=303)


def _refused(request: Request, who: Principal, patient_id: str, exc: OutcomeEntryError) -> HTMLResponse:
    back = f"/patients/{quote(patient_id, safe='')}/outcomes"
    return render(request, "error.html", who, status=422, status_code=422, error=exc, back=back)


@router.post("/patients/{patient_id}/outcomes/procedures")
async def add_procedure(request: Request, patient_id: str) -> Response:
    services, who = _writer(request)
    fields = await _fields(request)
    check_csrf(who, fields.get("csrf_token"))
    data = {k: fields[k] for k in ("joint", "procedure", "performed_on") if fields.get(k)}
    data.update({k: fields[k].strip() for k in ("payer", "ruleset_id") if fields.get(k, "").strip()})
    try:
        if "ruleset_id" in data and data["ruleset_id"] not in services.ruleset_ids:
            known = ", ".join(services.ruleset_ids)
            problem = Problem("ruleset_id", f"{data['ruleset_id'][:80]!r} is not a rule set of this app ({known})")
            raise OutcomeEntryError("the index procedure cannot be stored", [problem])
        with transaction(services.engine) as connection:
            register_procedure(
                connection,
                {"patient_id": patient_id, **data},
                actor=who.user.username,
                now=services.now(),
                remote=remote_of(request),
            )
    except OutcomeEntryError as exc:
        return _refused(request, who, patient_id, exc)
    return _back(patient_id, "procedure")


@router.post("/patients/{patient_id}/outcomes/{procedure_id}/entries")
async def add_entry(request: Request, patient_id: str, procedure_id: int) -> Response:
    services, who = _writer(request)
    fields = await _fields(request)
    check_csrf(who, fields.get("csrf_token"))
    _own_procedure(services, patient_id, procedure_id)
    try:
        with transaction(services.engine) as connection:
            record_entry(
                connection,
                procedure_id,
                entry_from_form(fields),
                actor=who.user.username,
                now=services.now(),
                value_set=services.eq5d_value_set,
                remote=remote_of(request),
            )
    except OutcomeEntryError as exc:
        return _refused(request, who, patient_id, exc)
    return _back(patient_id, "entry")


@router.post("/patients/{patient_id}/outcomes/{procedure_id}/links", response_class=HTMLResponse)
async def add_link(request: Request, patient_id: str, procedure_id: int) -> HTMLResponse:
    """A single-use questionnaire link for the patient, shown once on this page (only its hash is stored)."""
    services, who = _writer(request)
    fields = await _fields(request)
    check_csrf(who, fields.get("csrf_token"))
    _own_procedure(services, patient_id, procedure_id)
    with transaction(services.engine) as connection:
        token = create_link(
            connection,
            procedure_id,
            fields.get("time_point", ""),
            actor=who.user.username,
            now=services.now(),
            remote=remote_of(request),
        )
    link = str(request.base_url).rstrip("/") + f"/q/{token}"
    return _page(request, services, who, patient_id, new_link=link, message="")


@router.get("/outcomes/report", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    """The clinic's cohort report beside the published results, with the CLI's filters."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    params = request.query_params
    as_of = _day(params.get("as_of"), "as_of", services.today())
    procedure = params.get("procedure") or None
    if procedure is not None and procedure not in PROCEDURES:
        raise UsageError(f"procedure {procedure[:30]!r} is not one of {', '.join(PROCEDURES)}")
    start = _day(params.get("from"), "from", dt.date.min) if params.get("from") else None
    end = _day(params.get("to"), "to", dt.date.max) if params.get("to") else None
    payer, ruleset = (params.get("payer") or "")[:80] or None, (params.get("ruleset") or "")[:80] or None
    chosen = {"procedure": procedure, "payer": payer, "from": start, "to": end, "rule set": ruleset}
    filters = {k: str(v) for k, v in chosen.items() if v}
    where = rows.cohort_filter(
        procedure=procedure, payer=payer, performed_from=start, performed_to=end, ruleset_id=ruleset
    )
    with transaction(services.engine) as connection:
        report = build_report(
            rows.cohort_rows(connection, where),
            as_of,
            services.published,
            filters=filters,
            sources=dict(services.source_labels),
        )
        services.audit(connection, who.user, "view-outcomes-report", None, remote_of(request), str(filters))
    return render(
        request,
        "outcomes_report.html",
        who,
        report=report_html(report),
        as_of=as_of,
        params=params,
        procedures=PROCEDURES,
        rulesets=services.ruleset_ids,
    )
