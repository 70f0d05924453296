"""Server-rendered pages: sign-in, patient list, patient page (timeline, assessment, comparison), forms, audit."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sijpath.domain.disputes import disputes
from sijpath.errors import RequestTooLargeError, SijpathError, UsageError
from sijpath.pathway.definition import SIJ_PATHWAY
from sijpath.pathway.thresholds import MIN_LASTING_INJECTION_RELIEF_MONTHS, MIN_LASTING_INJECTION_RELIEF_PERCENT
from sijpath.pathway.vocabulary import NEXT_STEPS
from sijpath.store import audit, removals
from sijpath.store import episodes as store
from sijpath.store.accounts import authenticate, create_session, end_expired_sessions, end_session
from sijpath.store.database import transaction
from sijpath.store.throttle import record_failure
from sijpath.web.chart import timeline_svg
from sijpath.web.forms import FACT_FORMS
from sijpath.web.record import record_groups, removed_rows
from sijpath.web.security import (
    COOKIE,
    NotSignedIn,
    Principal,
    authorize,
    check_csrf,
    check_same_origin,
    principal,
    remote_of,
)
from sijpath.web.services import App

__all__ = ["as_of_of", "error_page", "page_number", "render", "router", "ruleset_of", "services_of"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("sijpath.web") / "templates"))
# A patient id as one URL path segment: `?`, `#` and `/` in an id must not open another page.
templates.env.filters["segment"] = lambda value: quote(str(value), safe="")
PAGE_SIZE = 50
FLAG_CODES = sorted({f.code for f in SIJ_PATHWAY.flags} | {f.code for f in SIJ_PATHWAY.decision_flags})


def services_of(request: Request) -> App:
    services: App = request.app.state.sijpath
    return services


def render(request: Request, name: str, who: Principal | None, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, **context}, status_code=status)


def error_page(request: Request, status: int, exc: SijpathError) -> Response:
    """An error page that keeps the navigation of a signed-in user and leads back where they came from."""
    try:
        who: Principal | None = principal(services_of(request), request)
    except (NotSignedIn, SijpathError):
        who = None
    patient = request.path_params.get("patient_id")
    back = f"/patients/{patient}" if patient and status != 404 and not request.url.path.endswith(f"/{patient}") else "/"
    return render(request, "error.html", who, status=status, status_code=status, error=exc, back=back)


def as_of_of(request: Request, services: App, form: Mapping[str, list[str]] | None = None) -> dt.date:
    """The as-of date a page asks for (query, or a form's field): today when none is given."""
    text = (form.get("as_of") or [""])[-1] if form is not None else request.query_params.get("as_of", "")
    try:
        return dt.date.fromisoformat(text) if text else services.today()
    except ValueError:
        raise UsageError(f"as_of {text[:40]!r} is not a date (YYYY-MM-DD)") from None


def ruleset_of(request: Request, services: App, form: Mapping[str, list[str]] | None = None) -> str:
    """The built-in rule set a page asks for (query, or a form's field); the default when none is given."""
    given = (form.get("ruleset") or [""])[-1] if form is not None else request.query_params.get("ruleset")
    ruleset_id = given or services.settings.default_ruleset
    if ruleset_id not in services.ruleset_ids:  # ids only: a path would make the server read a file
        raise UsageError(f"no rule set `{ruleset_id[:80]}`")
    return ruleset_id


def page_number(request: Request) -> int:
    """The `?page=` of a list, 1 unless a plain number of SQL-sized offsets."""
    text = request.query_params.get("page", "1")
    return max(int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 1, 1)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", None, next=next, demo=services_of(request).settings.demo_login)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=200)] = "/",
) -> Response:
    services = services_of(request)
    check_same_origin(request)
    throttle = request.app.state.throttle
    remote = remote_of(request)
    now = services.now()
    demo = services.settings.demo_login
    if throttle.blocked(services, username, remote, now):
        return render(
            request,
            "login.html",
            None,
            status=429,
            next=next,
            demo=demo,
            message="Too many failed sign-ins: wait a minute and try again.",
        )
    with transaction(services.engine) as connection:
        user = authenticate(connection, username, password)
        if user is None:
            record_failure(connection, username, remote, now)
            # Failed attempts are audited too, so guessing leaves a trace that survives a restart.
            audit.record(
                connection,
                actor=username[:64] or "-",
                action="sign-in-failed",
                patient_id=None,
                detail="",
                remote=remote_of(request),
                at=now,
            )
            return render(
                request,
                "login.html",
                None,
                status=401,
                next=next,
                demo=demo,
                message="User name or password is not right.",
            )
        settings = services.settings
        end_expired_sessions(connection, now, settings.session_idle, settings.session_lifetime)
        cookie, _ = create_session(connection, user, now)
        services.audit(connection, user, "sign-in", None, remote_of(request))
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=services.settings.secure_cookies,
        max_age=services.settings.session_max_hours * 3600,  # the session's absolute end (the server enforces it)
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    services = services_of(request)
    who = principal(services, request)
    check_csrf(who, csrf_token)
    with transaction(services.engine) as connection:
        if who.cookie:
            end_session(connection, who.cookie)
        services.audit(connection, who.user, "sign-out", None, remote_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def patient_list(request: Request) -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    params = request.query_params
    ruleset_id = params.get("ruleset") or services.settings.default_ruleset
    if ruleset_id not in services.ruleset_ids:
        raise UsageError(f"no rule set `{ruleset_id}`")
    as_of = as_of_of(request, services)
    sort = params.get("sort", "patient")
    if sort not in ("patient", "next_step", "stage", "updated"):
        sort = "patient"
    page = page_number(request)
    step, flag = params.get("step") or None, params.get("flag") or None
    everyone = bool(step or flag or sort in ("next_step", "stage"))
    if everyone:
        services.assess_unassessed(ruleset_id, as_of)  # filtering or sorting needs every patient assessed

    def fetch() -> tuple[int, list[store.PatientRow]]:
        with transaction(services.engine) as connection:
            return store.list_patients(
                connection,
                ruleset_id=ruleset_id,
                as_of=as_of,
                ruleset_version=services.load_ruleset(ruleset_id, as_of).version,
                search=params.get("q", "")[:128],
                next_step=step,
                flag=flag,
                sort=sort,  # type: ignore[arg-type]
                descending=params.get("dir") == "desc",
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                assessed_only=everyone,
            )

    total, rows = fetch()
    if any(not r.assessed for r in rows):  # assess only this page: a plain list stays fast
        services.assess_unassessed(ruleset_id, as_of, [r.patient_id for r in rows if not r.assessed])
        total, rows = fetch()
    with transaction(services.engine) as connection:
        services.audit(connection, who.user, "list-patients", None, remote_of(request), f"{total} shown")
    return render(
        request,
        "patients.html",
        who,
        rows=rows,
        total=total,
        page=page,
        pages=max(math.ceil(total / PAGE_SIZE), 1),
        ruleset_id=ruleset_id,
        as_of=as_of,
        rulesets=services.ruleset_ids,
        steps=[s.code for s in NEXT_STEPS],
        step_titles={s.code: s.title for s in NEXT_STEPS},
        flags=FLAG_CODES,
        params=params,
        base_query=urlencode([(k, v) for k, v in params.multi_items() if k != "page"]),
        stale=[r for r in rows if not r.assessed],
    )


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request, patient_id: str, saved: str = "", removed: str = "", restored: str = "", resolved: str = ""
) -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    # The confirmation comes from a code, never from text in the URL (a link could plant any message).
    message = (
        f"{FACT_FORMS[saved].noun.capitalize()} saved"
        if saved in FACT_FORMS
        else "Fact removed: it no longer counts in the assessment"
        if removed
        else "Fact restored"
        if restored
        else "Dispute resolved: the value chosen counts again"
        if resolved
        else ""
    )
    ruleset_id = ruleset_of(request, services)
    as_of = as_of_of(request, services)
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        assessment = services.assess(connection, stored, ruleset_id, as_of)
        removed_facts = removed_rows(removals.removed(connection, patient_id))
        services.audit(connection, who.user, "view-patient", patient_id, remote_of(request), ruleset_id)
    ruleset = services.load_ruleset(ruleset_id, as_of)
    threshold = ruleset.thresholds.get(MIN_LASTING_INJECTION_RELIEF_PERCENT.name)
    relief = float(threshold.value) if threshold is not None and isinstance(threshold.value, int | float) else None
    lasting = ruleset.thresholds.get(MIN_LASTING_INJECTION_RELIEF_MONTHS.name)
    months = lasting.value if lasting is not None and isinstance(lasting.value, int) else None
    comparison = services.comparison(stored, as_of) if request.query_params.get("compare") else None
    return render(
        request,
        "patient.html",
        who,
        stored=stored,
        a=assessment,
        ruleset_id=ruleset_id,
        as_of=as_of,
        rulesets=services.ruleset_ids,
        chart=timeline_svg(stored.episode, as_of, relief, months),
        comparison=comparison,
        record=record_groups(stored.episode),
        removed_facts=removed_facts,
        disputes=disputes(stored.record_issues),
        # Undo is offered for the removal just made, by its id (only an open removal of this patient matches).
        undo=next((r for r in removed_facts if str(r.removal_id) == removed), None),
        forms=FACT_FORMS,
        message=message,
        can_write=who.user.role == "clinician",
        can_audit=who.user.role in ("admin", "auditor"),
    )


@router.post("/import")
async def import_form(request: Request, bundle: UploadFile, csrf_token: Annotated[str, Form()] = "") -> Response:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "write")
    check_csrf(who, csrf_token)
    limit = services.settings.max_request_bytes
    data = await bundle.read(limit + 1)
    if len(data) > limit:
        raise RequestTooLargeError(f"the file is over {services.settings.max_request_mb} MB; send it in parts")
    results = services.import_bundle(who.user, data, bundle.filename or "upload", remote_of(request))
    return render(request, "imported.html", who, results=results)


@router.get("/patients/{patient_id}/audit", response_class=HTMLResponse)
def audit_page(request: Request, patient_id: str) -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "audit")
    with transaction(services.engine) as connection:
        rows = services.history(connection, patient_id)
        services.audit(connection, who.user, "view-audit", patient_id, remote_of(request))
    return render(request, "audit.html", who, rows=rows, patient_id=patient_id)
