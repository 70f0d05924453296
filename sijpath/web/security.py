"""Who is asking and what they may do: sessions and API tokens (with their scope), roles per permission, CSRF,
and the sign-in throttle."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request

from sijpath.errors import AccessError
from sijpath.settings import Settings
from sijpath.store.accounts import User, session_user
from sijpath.store.database import transaction
from sijpath.store.throttle import failure_counts
from sijpath.store.tokens import token_user
from sijpath.web.services import App

__all__ = [
    "COOKIE",
    "PERMISSIONS",
    "TOKEN_SCOPES",
    "LoginThrottle",
    "NotSignedIn",
    "Permission",
    "Principal",
    "authorize",
    "check_csrf",
    "check_same_origin",
    "principal",
    "remote_of",
]

COOKIE = "sijpath_session"
Permission = Literal["read", "write", "outcomes", "audit", "admin", "letters", "coverage"]
# The one table of who may do what; every page and API route names the permission it needs.
PERMISSIONS: dict[Permission, frozenset[str]] = {
    "read": frozenset({"clinician", "staff", "admin", "auditor"}),
    "write": frozenset({"clinician"}),
    # Follow-up scores and patient questionnaire links: collecting them is staff work, and it changes no episode.
    "outcomes": frozenset({"clinician", "staff"}),
    "audit": frozenset({"admin", "auditor"}),
    "admin": frozenset({"admin"}),
    "letters": frozenset({"clinician", "staff"}),  # prior-authorization letters and packets
    "coverage": frozenset({"clinician", "staff"}),  # the patient's payer, plan and member ID (not the episode)
}


# What an API token may do at most, by its scope (and never more than its user's role): audit trails and account
# management need a signed-in person, not an integration.
TOKEN_SCOPES: dict[str, frozenset[Permission]] = {
    "read": frozenset({"read"}),
    "read-write": frozenset({"read", "write"}),
}

_ROLE_NAMES = {
    "clinician": "A clinician",
    "staff": "Prior-authorization staff",
    "admin": "An administrator",
    "auditor": "An auditor",
}
_DOING: dict[Permission, str] = {
    "read": "see patient data",
    "write": "change patient data",
    "outcomes": "record outcomes or send questionnaire links",
    "audit": "see the audit trail",
    "admin": "manage users",
    "letters": "prepare prior-authorization letters",
    "coverage": "change a patient's coverage",
}


class NotSignedIn(Exception):
    """No valid session cookie or API token: pages send the browser to the login page, the API answers 401."""


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    csrf_token: str | None  # None for API-token callers, who are not browsers and need no CSRF token
    cookie: str | None
    token_scope: str | None = None  # the scope of the API token used; None for a browser session


def remote_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def principal(app: App, request: Request) -> Principal:
    """The caller, from a bearer token or the session cookie; NotSignedIn otherwise."""
    header = request.headers.get("authorization", "")
    with transaction(app.engine) as connection:
        if header.lower().startswith("bearer "):
            holder = token_user(connection, header[7:].strip(), app.now())
            if holder is not None:
                return Principal(holder.user, None, None, holder.scope)
            raise NotSignedIn("the API token is not valid (unknown, revoked or expired)")
        cookie = request.cookies.get(COOKIE)
        if cookie:
            settings = app.settings
            session = session_user(connection, cookie, app.now(), settings.session_idle, settings.session_lifetime)
            if session is not None:
                return Principal(session.user, session.csrf_token, cookie)
    raise NotSignedIn("sign in first")


def authorize(who: Principal, permission: Permission) -> None:
    if who.token_scope is not None and permission not in TOKEN_SCOPES.get(who.token_scope, frozenset()):
        raise AccessError(f"An API token with the {who.token_scope} scope may not {_DOING[permission]}.")
    if who.user.role not in PERMISSIONS[permission]:
        who_is = _ROLE_NAMES.get(who.user.role, f"The role {who.user.role}")
        raise AccessError(f"{who_is} may not {_DOING[permission]}.")


def check_same_origin(request: Request) -> None:
    """Refuse a form posted from another site. Before sign-in there is no session token to compare, so the
    sign-in form (login CSRF) relies on the Origin header browsers send with every POST."""
    origin = request.headers.get("origin")
    if origin == "null":  # an opaque origin (sandboxed frame, some privacy settings): judge by the Referer
        origin = request.headers.get("referer") or "null"
    if origin is not None and urlsplit(origin).netloc != request.url.netloc:
        raise AccessError("this form was sent from another site; open the sign-in page here and try again")


def check_csrf(who: Principal, submitted: str | None) -> None:
    """A browser write must carry the session's CSRF token (a form field or the X-CSRF-Token header)."""
    if who.csrf_token is None:
        return
    if submitted is None or not hmac.compare_digest(submitted, who.csrf_token):
        raise AccessError("the form is out of date or was not sent by this site (CSRF check failed); reload the page")


class LoginThrottle:
    """Slows a password guesser without locking the right password out from elsewhere. Within a minute, a sign-in
    is refused (429, the password not even checked) once there were too many failures for this name from this
    address, or from this address for any names, or for this name from everywhere if this address has failed for
    it too. A first try from an address that has not failed for the name always gets through. The failures live in
    the database, so every server process counts the same ones."""

    def __init__(self, settings: Settings) -> None:
        self.per_pair = settings.login_attempts_per_minute
        self.per_address = settings.login_failures_per_address_minute
        self.per_user = settings.login_failures_per_user_minute

    def blocked(self, app: App, username: str, remote: str, now: dt.datetime) -> bool:
        with transaction(app.engine) as connection:
            counts = failure_counts(connection, username, remote, now)
        return (
            counts.pair >= self.per_pair
            or counts.address >= self.per_address
            or (counts.user >= self.per_user and counts.pair > 0)
        )
