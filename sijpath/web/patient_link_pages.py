"""The patient's questionnaire page, opened by a single-use link without an account: plain, shows nothing of the
record, rate-limited per address, and dead once answered or expired."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sijpath.errors import AccessError, OutcomeEntryError
from sijpath.outcomes.form_answers import EQ5D_FIELDS, ODI_FIELDS, entry_from_form
from sijpath.outcomes.links import open_link, submit_link
from sijpath.outcomes.odi import ODI_SECTIONS
from sijpath.store.database import transaction
from sijpath.store.throttle import failure_counts, record_failure
from sijpath.web.pages import templates
from sijpath.web.security import check_same_origin, remote_of
from sijpath.web.services import App

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_THROTTLE_NAME = "patient-link"  # failures counted beside sign-in failures, under a name no account can have
_DIMENSIONS = ("Mobility", "Self-care", "Usual activities", "Pain or discomfort", "Anxiety or depression")
# The statuses of this page's outcomes, which it renders itself in its own plain layout (no staff navigation):
# a dead link is AccessError's 403, too many tries 429, answers to correct the 422 of an InputError.
_DEAD, _TOO_MANY, _CHECK = 403, 429, 422


def _services(request: Request) -> App:
    services: App = request.app.state.sijpath
    return services


def _plain(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _blocked(services: App, remote: str) -> bool:
    with transaction(services.engine) as connection:
        counts = failure_counts(connection, _THROTTLE_NAME, remote, services.now())
    return counts.address >= services.settings.login_failures_per_address_minute


def _failed(services: App, remote: str) -> None:
    with transaction(services.engine) as connection:
        record_failure(connection, _THROTTLE_NAME, remote, services.now())


def _form(request: Request, view: object, status: int = 200, **more: object) -> HTMLResponse:
    return _plain(
        request,
        "patient_link.html",
        status,
        view=view,
        odi=list(zip(ODI_FIELDS, ODI_SECTIONS, strict=True)),
        eq5d=list(zip(EQ5D_FIELDS, _DIMENSIONS, strict=True)),
        values=more.pop("values", {}),
        **more,
    )


@router.get("/q/{token}", response_class=HTMLResponse)
def questionnaire(request: Request, token: str) -> HTMLResponse:
    services, remote = _services(request), remote_of(request)
    if _blocked(services, remote):
        return _plain(request, "patient_link_closed.html", _TOO_MANY, reason="busy")
    try:
        with transaction(services.engine) as connection:
            view = open_link(connection, token[:128], services.now())
    except AccessError:
        _failed(services, remote)
        return _plain(request, "patient_link_closed.html", _DEAD, reason="dead")
    return _form(request, view)


@router.post("/q/{token}", response_class=HTMLResponse)
async def answer(request: Request, token: str) -> HTMLResponse:
    services, remote = _services(request), remote_of(request)
    check_same_origin(request)  # no session to carry a CSRF token: the unguessable token in the URL is the secret
    if _blocked(services, remote):
        return _plain(request, "patient_link_closed.html", _TOO_MANY, reason="busy")
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        with transaction(services.engine) as connection:
            submit_link(
                connection,
                token[:128],
                entry_from_form(fields, with_date=False),
                now=services.now(),
                remote=remote,
                value_set=services.eq5d_value_set,
            )
    except AccessError:
        _failed(services, remote)
        return _plain(request, "patient_link_closed.html", _DEAD, reason="dead")
    except OutcomeEntryError as exc:
        with transaction(services.engine) as connection:
            view = open_link(connection, token[:128], services.now())
        return _form(request, view, _CHECK, problems=exc.problems, values=fields)
    return _plain(request, "patient_link_closed.html", reason="thanks")
