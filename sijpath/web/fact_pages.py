"""The patient page's forms: add a block, an injection, a PT course or an imaging study; remove a fact in error."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sijpath.errors import InputError, NotFoundError
from sijpath.store import episodes as store
from sijpath.store.database import transaction
from sijpath.web.forms import FACT_FORMS, add_fact, remove_fact
from sijpath.web.pages import render, services_of
from sijpath.web.security import authorize, check_csrf, principal, remote_of

__all__ = ["form_fields", "router"]

router = APIRouter(include_in_schema=False)


async def form_fields(request: Request) -> dict[str, list[str]]:
    """A posted form's fields, each with all its values (a file field counts as empty text)."""
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        fields.setdefault(name, []).append(value if isinstance(value, str) else "")
    return fields


@router.post("/patients/{patient_id}/{kind}")
async def add_fact_form(request: Request, patient_id: str, kind: str) -> Response:
    """Add a block, an injection, a PT course or an imaging study (`kind`: blocks, injections, therapy, imaging)."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "write")
    form = await form_fields(request)
    check_csrf(who, (form.get("csrf_token") or [""])[-1])
    if kind not in FACT_FORMS:
        raise NotFoundError(f"no form `{kind}` (forms: {', '.join(FACT_FORMS)})")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
    try:
        episode, version = add_fact(stored.episode, kind, form)
    except InputError as exc:
        return render(
            request, "error.html", who, status=422, status_code=422, error=exc, back=f"/patients/{patient_id}"
        )
    services.save(who.user, episode, version, remote_of(request), action=FACT_FORMS[kind].action)
    return RedirectResponse(f"/patients/{quote(patient_id, safe='')}?saved={kind}", status_code=303)


@router.post("/patients/{patient_id}/{list_name}/{position}/remove")
async def remove_fact_form(request: Request, patient_id: str, list_name: str, position: int) -> Response:
    """Remove a fact entered in error; the audit trail records who removed which fact, and when."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "write")
    form = await form_fields(request)
    check_csrf(who, (form.get("csrf_token") or [""])[-1])
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
    episode, version = remove_fact(stored.episode, stored.version, list_name, position, form)
    removed = getattr(stored.episode, list_name)[position]
    detail = f"removed {list_name}[{position}] {getattr(removed, 'id', None) or ''}".strip()
    services.save(who.user, episode, version, remote_of(request), action="remove-fact", detail=detail)
    return RedirectResponse(f"/patients/{quote(patient_id, safe='')}?removed=1", status_code=303)
