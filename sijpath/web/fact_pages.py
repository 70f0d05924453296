"""The patient page's forms: add a block, an injection, a PT course or an imaging study; remove a fact entered in
error (after a confirmation page) and undo the removal; resolve a disputed fact."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sijpath.errors import EpisodeValidationError, InputError, NotFoundError
from sijpath.store import episodes as store
from sijpath.store.database import transaction
from sijpath.web.forms import FACT_FORMS, FACT_LIST_NAMES, add_fact, form_text, form_version
from sijpath.web.pages import render, services_of
from sijpath.web.record import record_groups
from sijpath.web.removal import remove_fact, resolve, restore_fact
from sijpath.web.security import Principal, authorize, check_csrf, principal, remote_of
from sijpath.web.services import App

__all__ = ["form_fields", "router"]

router = APIRouter(include_in_schema=False)


async def form_fields(request: Request) -> dict[str, list[str]]:
    """A posted form's fields, each with all its values (a file field counts as empty text)."""
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        fields.setdefault(name, []).append(value if isinstance(value, str) else "")
    return fields


async def _clinicians_form(request: Request) -> tuple[App, Principal, dict[str, list[str]]]:
    """The services, the caller (who may write) and the form they posted (with the session's CSRF token)."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "write")
    form = await form_fields(request)
    check_csrf(who, (form.get("csrf_token") or [""])[-1])
    return services, who, form


def _page(patient_id: str, query: str) -> RedirectResponse:
    return RedirectResponse(f"/patients/{quote(patient_id, safe='')}?{query}", status_code=303)


@router.post("/patients/{patient_id}/disputes/resolve")
async def resolve_dispute_form(request: Request, patient_id: str) -> Response:
    """Settle a disputed fact: keep the record's value (`choice=record`) or the other source's (`other`); audited."""
    services, who, form = await _clinicians_form(request)
    ref, choice = form_text(form, "ref"), form_text(form, "choice")
    resolve(services, who.user, patient_id, ref, choice, form_version(form), remote_of(request))
    return _page(patient_id, "resolved=1")


@router.post("/patients/{patient_id}/{kind}")
async def add_fact_form(request: Request, patient_id: str, kind: str) -> Response:
    """Add a block, an injection, a PT course or an imaging study (`kind`: blocks, injections, therapy, imaging)."""
    services, who, form = await _clinicians_form(request)
    if kind not in FACT_FORMS:
        raise NotFoundError(f"no form `{kind}` (forms: {', '.join(FACT_FORMS)})")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
    try:
        episode, version = add_fact(stored.episode, kind, form, services.today())
    except InputError as exc:
        return render(
            request, "error.html", who, status=422, status_code=422, error=exc, back=f"/patients/{patient_id}"
        )
    services.save(who.user, episode, version, remote_of(request), action=FACT_FORMS[kind].action)
    return _page(patient_id, f"saved={kind}")


@router.get("/patients/{patient_id}/{list_name}/{position}/remove", response_class=HTMLResponse)
def confirm_removal(request: Request, patient_id: str, list_name: str, position: int) -> HTMLResponse:
    """Ask before removing: the page names the fact, says it will no longer count, and that the removal can be
    undone."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "write")
    if list_name not in FACT_LIST_NAMES:
        raise NotFoundError(f"no list `{list_name}` in an episode")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        services.audit(connection, who.user, "view-patient", patient_id, remote_of(request), "confirm removal")
    group = next((g for g in record_groups(stored.episode) if g.list_name == list_name), None)
    row = next((r for r in group.rows if r.position == position), None) if group else None
    if group is None or row is None:
        raise NotFoundError(f"no {list_name}[{position}] in this episode (reload the page)")
    return render(request, "confirm_remove.html", who, stored=stored, group=group, row=row)


@router.post("/patients/{patient_id}/{list_name}/{position}/remove")
async def remove_fact_form(request: Request, patient_id: str, list_name: str, position: int) -> Response:
    """Remove a fact entered in error, once confirmed; it is kept for undo, and the audit trail records who
    removed which fact, and when."""
    services, who, form = await _clinicians_form(request)
    if list_name not in FACT_LIST_NAMES:
        raise NotFoundError(f"no list `{list_name}` in an episode")
    if form_text(form, "confirm") != "yes":
        raise EpisodeValidationError("the removal was not confirmed: nothing was removed (use Remove, then confirm)")
    removal = remove_fact(services, who.user, patient_id, list_name, position, form_version(form), remote_of(request))
    return _page(patient_id, f"removed={removal}")


@router.post("/patients/{patient_id}/removed/{removal_id}/restore")
async def restore_fact_form(request: Request, patient_id: str, removal_id: int) -> Response:
    """Undo a removal: the fact counts again, where it was, with the provenance it had (audited)."""
    services, who, form = await _clinicians_form(request)
    restore_fact(services, who.user, patient_id, removal_id, form_version(form), remote_of(request))
    return _page(patient_id, "restored=1")
