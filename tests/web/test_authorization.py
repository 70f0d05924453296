"""Who may do what, route by route: one table of every route of the app, tried by every role and by nobody.

The table is checked against `app.routes`, so a route added without an entry here fails the suite. Callers get a
server-side session straight from the store (the sign-in form is tested in test_pages), so the table runs fast.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath import wiring
from sijpath.store.database import transaction
from sijpath.store.tables import api_tokens, episodes, letter_narratives, patient_coverage, users
from sijpath.store.tokens import create_token, token_id
from sijpath.web.app import create_app
from sijpath.web.services import App
from tests.web import seeded
from tests.web.conftest import EXAMPLES, PASSWORD, POSITIVE_BLOCK, ROLES

PUBLIC = frozenset({"anonymous", *ROLES})  # no sign-in needed
SIGNED_IN = frozenset(ROLES)  # any role, no permission beyond being signed in
READ = frozenset({"clinician", "staff", "admin", "auditor"})
WRITE = frozenset({"clinician"})
OUTCOMES = frozenset({"clinician", "staff"})
AUDIT = frozenset({"admin", "auditor"})
ADMIN = frozenset({"admin"})
LETTERS = frozenset({"clinician", "staff"})  # prior-authorization letters and packets
COVERAGE = frozenset({"clinician", "staff"})  # the patient's payer, plan and member ID
PRIOR_AUTH = "/patients/payer-smoker/prior-auth"
CALLERS = ("anonymous", *ROLES)


def _episode_json(patient_id: str) -> dict[str, Any]:
    episode = wiring.load_episode(EXAMPLES / "new-referral.yaml")
    body: dict[str, Any] = episode.model_dump(mode="json", exclude_defaults=True)
    body["patient"]["id"] = patient_id
    return body


def _block_form() -> dict[str, str]:
    return {"version": "1", **POSITIVE_BLOCK}


BUNDLE = (EXAMPLES / "fhir" / "new-referral.json").read_bytes()
AID = "/patients/{patient_id}/decision-aid/{joint}"


@dataclass(frozen=True)
class Route:
    """One route: what to send (`csrf` is the caller's token, "" for none), who may, and what they get."""

    method: str
    template: str  # the route's path as the app declares it
    path: str  # a concrete path to call
    allowed: frozenset[str]
    ok: int  # the status an allowed caller gets for this request
    request: Callable[[str], dict[str, Any]] = field(default=lambda csrf: {})
    write: bool = False  # a state-changing route: needs the CSRF token from a browser session

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def _form(extra: dict[str, str]) -> Callable[[str], dict[str, Any]]:
    return lambda csrf: {"data": {**extra, "csrf_token": csrf} if csrf else dict(extra)}


def _api(extra_headers: dict[str, str] | None = None, **kwargs: Any) -> Callable[[str], dict[str, Any]]:
    def build(csrf: str) -> dict[str, Any]:
        headers = dict(extra_headers or {})
        if csrf:
            headers["X-CSRF-Token"] = csrf
        return {**kwargs, "headers": headers}

    return build


ROUTES: tuple[Route, ...] = (
    # Pages
    Route("GET", "/login", "/login", PUBLIC, 200),
    Route(
        "POST",
        "/login",
        "/login",
        PUBLIC,
        303,
        lambda csrf: {"data": {"username": "clinician", "password": PASSWORD, "next": "/"}},
    ),
    Route("POST", "/logout", "/logout", SIGNED_IN, 303, _form({}), write=True),
    Route("GET", "/", "/", READ, 200),
    Route("GET", "/patients/{patient_id}", "/patients/new-referral", READ, 200),
    Route(
        "POST", "/patients/{patient_id}/{kind}", "/patients/new-referral/blocks", WRITE, 303, _form(_block_form()), True
    ),
    Route(
        "GET",
        "/patients/{patient_id}/{list_name}/{position}/remove",
        "/patients/new-referral/pain_scores/0/remove",
        WRITE,
        200,
    ),
    Route(
        "POST",
        "/patients/{patient_id}/{list_name}/{position}/remove",
        "/patients/new-referral/pain_scores/0/remove",
        WRITE,
        303,
        _form({"version": "1", "confirm": "yes"}),
        True,
    ),
    # No removal is open in the seeded database: an allowed caller is told so (404), the others are refused first.
    Route(
        "POST",
        "/patients/{patient_id}/removed/{removal_id}/restore",
        "/patients/new-referral/removed/1/restore",
        WRITE,
        404,
        _form({"version": "1"}),
        True,
    ),
    # No dispute is open in the seeded database: an allowed caller is told so (404), the others are refused first.
    Route(
        "POST",
        "/patients/{patient_id}/disputes/resolve",
        "/patients/new-referral/disputes/resolve",
        WRITE,
        404,
        _form({"version": "1", "ref": "inj-1", "choice": "record"}),
        True,
    ),
    Route(
        "POST",
        "/import",
        "/import",
        WRITE,
        200,
        lambda csrf: {
            "files": {"bundle": ("new-referral.json", BUNDLE, "application/fhir+json")},
            "data": {"csrf_token": csrf} if csrf else {},
        },
        write=True,
    ),
    Route("GET", "/patients/{patient_id}/audit", "/patients/new-referral/audit", AUDIT, 200),
    # The outcomes registry, and the patient's questionnaire link (no account: anyone holding the link)
    Route("GET", "/patients/{patient_id}/outcomes", "/patients/new-referral/outcomes", READ, 200),
    Route(
        "POST",
        "/patients/{patient_id}/outcomes/procedures",
        "/patients/new-referral/outcomes/procedures",
        OUTCOMES,
        303,
        _form({"joint": "left", "procedure": "rfa", "performed_on": "2026-09-01"}),
        True,
    ),
    Route(
        "POST",
        "/patients/{patient_id}/outcomes/{procedure_id}/entries",
        "/patients/new-referral/outcomes/1/entries",
        OUTCOMES,
        303,
        _form({"measured_on": "2026-10-30", "nrs_back": "3"}),
        True,
    ),
    Route(
        "POST",
        "/patients/{patient_id}/outcomes/{procedure_id}/links",
        "/patients/new-referral/outcomes/1/links",
        OUTCOMES,
        200,
        _form({"time_point": "3m"}),
        True,
    ),
    Route("GET", "/outcomes/report", "/outcomes/report", READ, 200),
    Route("GET", "/q/{token}", f"/q/{seeded.SEEDED_LINK}", PUBLIC, 200),
    Route("POST", "/q/{token}", f"/q/{seeded.SEEDED_LINK}", PUBLIC, 200, lambda csrf: {"data": {"nrs_back": "4"}}),
    # The decision aid per joint: read by every role, answers recorded by clinicians
    Route("GET", AID, "/patients/rfa-candidate/decision-aid/right", READ, 200),
    Route(
        "POST",
        AID + "/answers",
        "/patients/rfa-candidate/decision-aid/right/answers",
        WRITE,
        303,
        _form({"value-avoid-surgery": "a-lot", "sure-sure-of-myself": "yes", "as_of": "2026-11-01"}),
        True,
    ),
    Route("GET", AID + "/pdf", "/patients/rfa-candidate/decision-aid/right/pdf", READ, 200),
    Route("GET", AID + "/note", "/patients/rfa-candidate/decision-aid/right/note", READ, 200),
    Route("GET", AID + "/fhir", "/patients/rfa-candidate/decision-aid/right/fhir", READ, 200),
    # Prior authorization: gaps, letter and packet for clinicians and staff
    Route("GET", "/patients/{patient_id}/prior-auth", PRIOR_AUTH, LETTERS, 200),
    Route("GET", "/patients/{patient_id}/prior-auth/letter.pdf", f"{PRIOR_AUTH}/letter.pdf", LETTERS, 200),
    Route("GET", "/patients/{patient_id}/prior-auth/packet.pdf", f"{PRIOR_AUTH}/packet.pdf", LETTERS, 200),
    Route(
        "POST",
        "/patients/{patient_id}/prior-auth/narrative",
        f"{PRIOR_AUTH}/narrative",
        WRITE,
        303,
        _form({"procedure": "27279", "joint": "right", "narrative": "Pain for 18 months."}),
        True,
    ),
    Route(
        "POST",
        "/patients/{patient_id}/coverage",
        "/patients/new-referral/coverage",
        COVERAGE,
        303,
        _form({"payer": "Medicare", "member_id": "1EG4-TE5-MK73"}),
        True,
    ),
    Route("GET", "/static", "/static/app.css", PUBLIC, 200),
    Route("GET", "/admin", "/admin", ADMIN, 200),
    Route("GET", "/changes", "/changes", READ, 200),
    Route("GET", "/audit", "/audit", AUDIT, 200),
    Route("GET", "/audit/verify", "/audit/verify", AUDIT, 200),
    Route("GET", "/worklist", "/worklist", READ, 200),
    Route("GET", "/worklist.csv", "/worklist.csv", READ, 200),
    Route("POST", "/admin/users/{username}/{change}", "/admin/users/staff/disable", ADMIN, 303, _form({}), True),
    Route(
        "POST",
        "/admin/tokens/{token_id}/revoke",
        f"/admin/tokens/{token_id(seeded.SEEDED_TOKEN)}/revoke",
        ADMIN,
        303,
        _form({}),
        True,
    ),
    # The API and its description
    Route("GET", "/api/openapi.json", "/api/openapi.json", PUBLIC, 200),
    Route("GET", "/api/docs", "/api/docs", PUBLIC, 200),
    Route("GET", "/api/worklist", "/api/worklist", READ, 200),
    Route("GET", "/api/patients", "/api/patients", READ, 200),
    Route("POST", "/api/patients", "/api/patients", WRITE, 201, _api(json=_episode_json("table-new")), write=True),
    Route("GET", "/api/patients/{patient_id}", "/api/patients/new-referral", READ, 200),
    Route(
        "PUT",
        "/api/patients/{patient_id}",
        "/api/patients/new-referral",
        WRITE,
        200,
        _api({"If-Match": '"1"'}, json=_episode_json("new-referral")),
        write=True,
    ),
    Route("DELETE", "/api/patients/{patient_id}", "/api/patients/fibromyalgia", WRITE, 204, _api(), write=True),
    Route("POST", "/api/fhir/import", "/api/fhir/import", WRITE, 200, _api(content=BUNDLE), write=True),
    Route("GET", "/api/patients/{patient_id}/assessment", "/api/patients/new-referral/assessment", READ, 200),
    Route("GET", "/api/patients/{patient_id}/comparison", "/api/patients/new-referral/comparison", READ, 200),
    Route("GET", "/api/rulesets", "/api/rulesets", READ, 200),
)
WRITES = tuple(r for r in ROUTES if r.write)
API_ROUTES = tuple(r for r in ROUTES if r.api and r.allowed != PUBLIC)


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, included routers flattened."""
    try:  # FastAPI ≥ 0.16x keeps included routers as one entry each; this flattens them
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI lists every route directly
        routes = list(app.routes)
    found = set()
    for route in routes:
        methods = set(route.methods or {"GET"}) - {"HEAD"}  # a mount answers GET; HEAD comes with GET
        found |= {(method, route.path) for method in methods}
    return found


@dataclass
class Caller:
    client: TestClient
    csrf: str  # the session's CSRF token; "" for an anonymous caller


@pytest.fixture
def as_caller(services: App) -> Iterator[Callable[[str], Caller]]:
    """`as_caller(name)`: a client with a session for that role ("anonymous": none). Redirects are not followed."""
    clients: list[TestClient] = []

    def make(name: str) -> Caller:
        if name == "anonymous":
            clients.append(TestClient(create_app(services), follow_redirects=False))
            return Caller(clients[-1], "")
        client = seeded.signed_in(services, clients, name, follow_redirects=False)
        return Caller(client, client.csrf)  # type: ignore[attr-defined]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def token_for(services: App) -> Callable[[str], str]:
    def make(role: str) -> str:
        with transaction(services.engine) as connection:
            return create_token(connection, role, f"integration of {role}", services.now(), scope="read-write")

    return make


def _snapshot(services: App) -> list[tuple[str, object]]:
    """The episodes' versions, the accounts' states and the tokens' revocations: what any write route changes."""
    with services.engine.connect() as connection:
        rows = connection.execute(select(episodes.c.patient_id, episodes.c.version).order_by(episodes.c.patient_id))
        found: list[tuple[str, object]] = [(r.patient_id, r.version) for r in rows]
        found += [
            (f"user:{r.username}", r.active) for r in connection.execute(select(users).order_by(users.c.username))
        ]
        found += [(f"token:{r.label}", r.revoked) for r in connection.execute(select(api_tokens))]
        found += [(f"narrative:{r.patient_id}", r.text) for r in connection.execute(select(letter_narratives))]
        found += [(f"coverage:{r.patient_id}", r.member_id) for r in connection.execute(select(patient_coverage))]
        return found


def _with_token(route: Route, token: str) -> dict[str, Any]:
    """The route's request as an integration sends it: a bearer token and no CSRF token."""
    kwargs = route.request("")
    return {**kwargs, "headers": {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}}


def test_the_table_lists_every_route_of_the_app_and_no_other(services: App) -> None:
    table = {(r.method, r.template) for r in ROUTES}
    served = app_routes(create_app(services))
    assert served - table == set(), "routes without an entry in ROUTES (say who may call them)"
    assert table - served == set(), "entries in ROUTES for routes the app no longer has"
    assert len(table) == len(ROUTES), "a route is listed twice"


def test_the_route_lister_sees_routes_added_after_the_fact(services: App) -> None:
    app = create_app(services)
    app.get("/api/new-thing")(lambda: {})
    assert ("GET", "/api/new-thing") in app_routes(app)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_role_gets_exactly_what_the_table_allows(
    route: Route, caller: str, as_caller: Callable[[str], Caller]
) -> None:
    who = as_caller(caller)
    response = who.client.request(route.method, route.path, **route.request(who.csrf))
    assert response.headers["content-security-policy"].startswith("default-src 'none'")  # refusals too
    assert response.headers["x-frame-options"] == "DENY"
    if caller in route.allowed:
        assert response.status_code == route.ok, response.text[:500]
        if response.status_code == 303:
            assert not response.headers["location"].startswith("/login?"), "sent to sign in although allowed"
    elif caller == "anonymous" and route.api:
        assert response.status_code == 401, response.text[:500]
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]
    elif caller == "anonymous":
        assert response.status_code == 303, response.text[:500]
        assert response.headers["location"] == f"/login?next={route.path}"
    else:
        assert response.status_code == 403, response.text[:500]
        assert "may not" in response.text


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "GET"], ids=str)
def test_every_html_page_loads_only_what_its_content_security_policy_allows(
    route: Route, as_caller: Callable[[str], Caller]
) -> None:
    caller = "anonymous" if "anonymous" in route.allowed else min(route.allowed)
    response = as_caller(caller).client.get(route.path)
    assert response.status_code == 200
    if not response.headers["content-type"].startswith("text/html"):
        return
    html = response.text
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"<script(?![^>]*\ssrc=\"/[^/])", html), "inline or off-site script"
    for url in re.findall(r'\s(?:src|href|action)="([^"]*)"', html):
        assert urlsplit(url).scheme == "", url  # nothing from another host, no javascript: URLs
        assert urlsplit(url).netloc == "", url


@pytest.mark.parametrize("route", WRITES, ids=str)
@pytest.mark.parametrize("csrf", ["", "forged-token"], ids=["missing", "wrong"])
def test_a_browser_write_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    route: Route, csrf: str, as_caller: Callable[[str], Caller], services: App
) -> None:
    who = as_caller(min(route.allowed))  # a caller the route allows, so only the CSRF check can refuse
    before = _snapshot(services)
    response = who.client.request(route.method, route.path, **route.request(csrf))
    assert response.status_code == 403, response.text[:500]
    assert "CSRF" in response.text
    assert _snapshot(services) == before
    # ...and the session survives a refused logout
    assert who.client.get("/").status_code == 200


def test_the_csrf_token_of_another_session_does_not_pass(as_caller: Callable[[str], Caller]) -> None:
    mine, theirs = as_caller("clinician"), as_caller("clinician")
    route = next(r for r in WRITES if r.template == "/patients/{patient_id}/{kind}")
    assert mine.csrf != theirs.csrf
    response = mine.client.request(route.method, route.path, **route.request(theirs.csrf))
    assert response.status_code == 403


@pytest.mark.parametrize("route", [r for r in WRITES if r.api], ids=str)
def test_an_api_token_caller_writes_without_a_csrf_token(
    route: Route, services: App, token_for: Callable[[str], str]
) -> None:
    with TestClient(create_app(services)) as client:
        response = client.request(route.method, route.path, **_with_token(route, token_for("clinician")))
    assert response.status_code == route.ok, response.text[:500]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_an_api_token_carries_its_users_role(
    route: Route, role: str, services: App, token_for: Callable[[str], str]
) -> None:
    with TestClient(create_app(services)) as client:
        response = client.request(route.method, route.path, **_with_token(route, token_for(role)))
    assert response.status_code == (route.ok if role in route.allowed else 403), response.text[:500]


@pytest.mark.parametrize("header", ["Bearer sjp_not-a-token", "Bearer ", "bearer nonsense"])
def test_an_unknown_api_token_gets_401_even_with_a_valid_session(
    header: str, as_caller: Callable[[str], Caller]
) -> None:
    who = as_caller("clinician")  # a bad token is not silently ignored in favour of the cookie
    response = who.client.get("/api/patients", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_deactivated_users_token_and_session_stop_working(
    services: App, token_for: Callable[[str], str], as_caller: Callable[[str], Caller]
) -> None:
    token = token_for("clinician")
    who = as_caller("clinician")
    with transaction(services.engine) as connection:
        connection.execute(users.update().where(users.c.username == "clinician").values(active=False))
    with TestClient(create_app(services)) as client:
        assert client.get("/api/patients", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert who.client.get("/api/patients").status_code == 401


def _token(services: App, role: str, scope: str) -> str:
    with transaction(services.engine) as connection:
        return create_token(connection, role, f"{scope} token of {role}", services.now(), scope=scope)


@pytest.mark.parametrize("route", [r for r in API_ROUTES if r.write], ids=str)
def test_a_read_only_token_of_a_clinician_may_not_write(route: Route, services: App) -> None:
    token = _token(services, "clinician", "read")
    before = _snapshot(services)
    with TestClient(create_app(services)) as client:
        response = client.request(route.method, route.path, **_with_token(route, token))
    assert response.status_code == 403, response.text[:500]
    assert "read scope" in response.json()["error"]
    assert _snapshot(services) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r.allowed in (AUDIT, ADMIN)], ids=str)
def test_no_token_reaches_the_audit_trail_or_account_management_whatever_its_users_role(
    route: Route, services: App
) -> None:
    token = _token(services, "admin", "read-write")
    before = _snapshot(services)
    with TestClient(create_app(services), follow_redirects=False) as client:
        response = client.request(route.method, route.path, **_with_token(route, token))
    assert response.status_code == 403, response.text[:500]
    assert _snapshot(services) == before


def test_an_expired_token_gets_401(services: App, clock: Any) -> None:
    token = _token(services, "staff", "read")
    clock.now += dt.timedelta(days=91)
    with TestClient(create_app(services)) as client:
        assert client.get("/api/patients", headers={"Authorization": f"Bearer {token}"}).status_code == 401
