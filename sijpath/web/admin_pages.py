"""The admin page: accounts and API tokens listed, an account disabled, enabled or given another role, a token
revoked (each audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sijpath.errors import NotFoundError
from sijpath.store.accounts import ROLES, list_users, set_active, set_role
from sijpath.store.database import transaction
from sijpath.store.tokens import list_tokens, revoke_token
from sijpath.web.pages import render, services_of
from sijpath.web.security import authorize, check_csrf, principal, remote_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_DONE = {
    "disabled": "Account disabled",
    "enabled": "Account enabled",
    "role-changed": "Role changed",
    "revoked": "Token revoked",
}


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, done: str = "") -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "admin")
    with transaction(services.engine) as connection:
        accounts, tokens = list_users(connection), list_tokens(connection)
        services.audit(connection, who.user, "view-accounts", None, remote_of(request))
    message = _DONE.get(done, "")
    return render(
        request, "admin.html", who, accounts=accounts, tokens=tokens, now=services.now(), message=message, roles=ROLES
    )


@router.post("/admin/users/{username}/{change}")
def change_account(
    request: Request,
    username: str,
    change: str,
    csrf_token: Annotated[str, Form()] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "admin")
    check_csrf(who, csrf_token)
    if change not in ("disable", "enable", "role"):
        raise NotFoundError(f"no account change `{change[:40]}` (disable, enable or role)")
    by = {"actor": who.user.username, "remote": remote_of(request)}
    with transaction(services.engine) as connection:
        if change == "role":
            set_role(connection, username, role, services.now(), **by)
        else:
            set_active(connection, username, change == "enable", services.now(), **by)
    done = {"disable": "disabled", "enable": "enabled", "role": "role-changed"}[change]
    return RedirectResponse(f"/admin?done={done}", status_code=303)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: str, csrf_token: Annotated[str, Form()] = "") -> Response:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "admin")
    check_csrf(who, csrf_token)
    with transaction(services.engine) as connection:
        revoke_token(connection, token_id, services.now(), actor=who.user.username, remote=remote_of(request))
    return RedirectResponse("/admin?done=revoked", status_code=303)
