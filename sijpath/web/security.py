"""Who is asking and what they may do: sessions and API tokens, roles per permission, CSRF, login throttling."""

from __future__ import annotations

import collections
import datetime as dt
import hmac
import threading
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request

from sijpath.errors import AccessError
from sijpath.store.accounts import User, session_user, token_user
from sijpath.store.database import transaction
from sijpath.web.services import App

__all__ = [
    "COOKIE",
    "PERMISSIONS",
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
Permission = Literal["read", "write", "audit", "admin"]
# The one table of who may do what; every page and API route names the permission it needs.
PERMISSIONS: dict[Permission, frozenset[str]] = {
    "read": frozenset({"clinician", "staff", "admin", "auditor"}),
    "write": frozenset({"clinician"}),
    "audit": frozenset({"admin", "auditor"}),
    "admin": frozenset({"admin"}),
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
    "audit": "see the audit trail",
    "admin": "manage users",
}


class NotSignedIn(Exception):
    """No valid session cookie or API token: pages send the browser to the login page, the API answers 401."""


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    csrf_token: str | None  # None for API-token callers, who are not browsers and need no CSRF token
    cookie: str | None


def remote_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def principal(app: App, request: Request) -> Principal:
    """The caller, from a bearer token or the session cookie; NotSignedIn otherwise."""
    header = request.headers.get("authorization", "")
    with transaction(app.engine) as connection:
        if header.lower().startswith("bearer "):
            user = token_user(connection, header[7:].strip())
            if user is not None:
                return Principal(user, None, None)
            raise NotSignedIn("the API token is not valid")
        cookie = request.cookies.get(COOKIE)
        if cookie:
            session = session_user(connection, cookie, app.now(), app.settings.session_idle)
            if session is not None:
                return Principal(session.user, session.csrf_token, cookie)
    raise NotSignedIn("sign in first")


def authorize(who: Principal, permission: Permission) -> None:
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
    """At most `per_minute` failed sign-ins per user name and per address within a minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._failures: dict[str, collections.deque[dt.datetime]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def blocked(self, keys: tuple[str, ...], now: dt.datetime) -> bool:
        with self._lock:
            for key in keys:
                window = self._failures.get(key)  # never create an entry just by asking
                if window is None:
                    continue
                while window and now - window[0] >= dt.timedelta(minutes=1):  # a minute on, it no longer counts
                    window.popleft()
                if not window:
                    del self._failures[key]  # memory stays bounded by recent failures
                elif len(window) >= self.per_minute:
                    return True
        return False

    def failed(self, keys: tuple[str, ...], now: dt.datetime) -> None:
        with self._lock:
            for key in keys:
                self._failures[key].append(now)
