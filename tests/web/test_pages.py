"""The clinician's pages: sign-in and sessions, security headers, the patient list and page, forms, upload, audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath import wiring
from sijpath.errors import StoreError
from sijpath.store import episodes as store
from sijpath.store.accounts import User, add_user
from sijpath.store.database import transaction
from sijpath.store.tables import assessments, audit_log, episodes
from sijpath.web import pages
from sijpath.web.app import create_app
from sijpath.web.security import COOKIE
from sijpath.web.services import App
from tests.web.conftest import EXAMPLES, PASSWORD, POSITIVE_BLOCK, Clock

SignIn = Callable[[str], TestClient]
AS_OF = "2026-11-01"
PATIENT_IDS = sorted(path.stem for path in EXAMPLES.glob("*.yaml"))


@pytest.fixture
def sign_in(session_for: SignIn) -> SignIn:
    """`sign_in(user)`: a client with a session for that user, made by the store (the form is tested below)."""
    return session_for


def csrf_of(client: TestClient) -> str:
    token: str = client.csrf  # type: ignore[attr-defined]
    return token


def next_step(html: str) -> str:
    match = re.search(r'<span class="next-step">([^<]*)</span>', html)
    assert match, "no next step on the page"
    return match.group(1)


def listed(html: str) -> list[str]:
    """The patient ids in the patient list, in order."""
    return re.findall(r'<td><a href="/patients/([^"?]+)\?', html)


def problems(html: str) -> dict[str, str]:
    """Field → message of the field-level messages on an error page."""
    return dict(re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", html))


def version_of(services: App, patient_id: str) -> int:
    with services.engine.connect() as connection:
        return connection.execute(select(episodes.c.version).where(episodes.c.patient_id == patient_id)).scalar_one()


def sign_in_form(username: str, password: str = PASSWORD, next_page: str = "/") -> dict[str, str]:
    return {"username": username, "password": password, "next": next_page}


def block_form(client: TestClient, version: int = 1, **changes: str) -> dict[str, str]:
    """A positive anesthetic-only block on the right side (the form's fields, as the page sends them)."""
    return {"csrf_token": csrf_of(client), "version": str(version), **POSITIVE_BLOCK, **changes}


# Signing in and out


def test_signing_in_with_the_right_password_opens_the_patient_list(client: TestClient) -> None:
    response = client.post("/login", data=sign_in_form("clinician"), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "<h1>Patients</h1>" in page.text
    assert "clinician (clinician)" in page.text


@pytest.mark.parametrize("username", ["clinician", "nobody"])
def test_a_wrong_password_or_unknown_user_gets_the_same_message_and_no_session(
    client: TestClient, username: str
) -> None:
    response = client.post("/login", data=sign_in_form(username, "wrong password!"), follow_redirects=False)
    assert response.status_code == 401
    assert "User name or password is not right." in response.text
    assert "set-cookie" not in response.headers
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signing_in_returns_to_the_page_that_asked(client: TestClient) -> None:
    asked = client.get("/patients/new-referral", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=/patients/new-referral"
    assert 'name="next" value="/patients/new-referral"' in client.get(asked.headers["location"]).text
    response = client.post(
        "/login", data=sign_in_form("staff", next_page="/patients/new-referral"), follow_redirects=False
    )
    assert response.headers["location"] == "/patients/new-referral"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"])
def test_signing_in_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.post("/login", data=sign_in_form("staff", next_page=target), follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert urlsplit(location).scheme == "", location
    assert urlsplit(location).netloc == "", location
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location


def test_sign_in_is_throttled_after_the_allowed_failures_and_recovers_a_minute_later(
    client: TestClient, services: App, clock: Clock
) -> None:
    allowed = services.settings.login_attempts_per_minute
    for _ in range(allowed):
        assert client.post("/login", data=sign_in_form("clinician", "wrong password!")).status_code == 401
    throttled = client.post("/login", data=sign_in_form("clinician"), follow_redirects=False)  # even the right one
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.text
    assert "set-cookie" not in throttled.headers
    clock.now += dt.timedelta(seconds=59)
    assert client.post("/login", data=sign_in_form("clinician"), follow_redirects=False).status_code == 429
    clock.now += dt.timedelta(seconds=1)  # "wait a minute and try again"
    assert client.post("/login", data=sign_in_form("clinician"), follow_redirects=False).status_code == 303


def _session_cookie(response: object) -> SimpleCookie:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    cookie: SimpleCookie = SimpleCookie()
    for header in headers:
        cookie.load(header)
    assert COOKIE in cookie, headers
    return cookie


def test_the_session_cookie_is_http_only_same_site_strict_and_not_secure_on_local_http(client: TestClient) -> None:
    response = client.post("/login", data=sign_in_form("clinician"), follow_redirects=False)
    morsel = _session_cookie(response)[COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert not morsel["secure"]
    assert morsel["path"] == "/"
    assert "strict-transport-security" not in response.headers


def test_with_secure_cookies_the_session_cookie_is_secure_and_hsts_is_sent(services: App) -> None:
    secure = dataclasses.replace(services, settings=services.settings.model_copy(update={"secure_cookies": True}))
    with TestClient(create_app(secure), base_url="https://testserver") as client:
        response = client.post("/login", data=sign_in_form("clinician"), follow_redirects=False)
        assert _session_cookie(response)[COOKIE]["secure"] is True
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert client.get("/").status_code == 200  # the secure cookie does come back over HTTPS


def test_a_session_idle_longer_than_the_timeout_ends_but_use_keeps_it_alive(sign_in: SignIn, clock: Clock) -> None:
    client = sign_in("clinician")
    for _ in range(3):  # 87 minutes in all, never 30 idle
        clock.now += dt.timedelta(minutes=29)
        assert client.get("/", follow_redirects=False).status_code == 200
    clock.now += dt.timedelta(minutes=31)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    assert client.get("/api/patients").status_code == 401
    clock.now -= dt.timedelta(minutes=31)  # the session was deleted, not just judged old
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session_on_the_server(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    cookie = client.cookies[COOKIE]
    response = client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.set(COOKIE, cookie)  # replaying the old cookie does not work
    assert client.get("/", follow_redirects=False).status_code == 303


# Security headers


def assert_security_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = dict(
        (directive.split()[0], directive.split()[1:]) for directive in headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in source or source == "*" for sources in policy.values() for source in sources)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/", "/patients/new-referral", "/patients/nobody", "/login", "/api/patients", "/api/patients/nobody"]
)
def test_pages_and_api_answers_carry_the_security_headers_and_a_strict_csp(sign_in: SignIn, path: str) -> None:
    assert_security_headers(sign_in("clinician").get(path))


@pytest.mark.parametrize("path", ["/", "/api/patients"])
def test_answers_to_signed_out_callers_carry_the_security_headers_too(client: TestClient, path: str) -> None:
    assert_security_headers(client.get(path, follow_redirects=False))


def test_static_files_may_be_cached_but_still_carry_the_csp(client: TestClient) -> None:
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_stylesheet_hides_navigation_and_controls_when_printed(client: TestClient) -> None:
    css = client.get("/static/app.css").text
    print_rules = css[css.index("@media print") :]
    assert "nav, form, button" in print_rules


# The patient list


def test_the_patient_list_shows_every_patient_with_stage_and_next_step(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/", params={"as_of": AS_OF})
    assert listed(page.text) == PATIENT_IDS
    assert f"{len(PATIENT_IDS)} patient(s) under source-articles as of 2026-11-01" in page.text
    row = re.search(
        r'new-referral</a></td>\s*<td><div data-joint="right" data-stage="([^"]*)">([^<]*)</div></td>\s*'
        r'<td><div data-joint="right" data-step="([^"]*)">([^<]*)</div></td>',
        page.text,
    )
    assert row
    assert row.groups() == (
        "diagnosis",
        "right: diagnosis",
        "diagnostic-block",
        "right: Consider an image-guided, anesthetic-only diagnostic SI-joint block",
    )


def test_the_patient_list_filters_by_next_step(sign_in: SignIn) -> None:
    client = sign_in("staff")
    everyone = client.get("/", params={"as_of": AS_OF}).text
    rows = re.findall(r'<td><a href="/patients/([^"?]+)\?[^>]*>[^<]*</a></td>(.*?)</tr>', everyone, re.DOTALL)
    steps = {patient: set(re.findall(r'data-step="([^"]*)"', cells)) for patient, cells in rows}
    shown = listed(client.get("/", params={"as_of": AS_OF, "step": "therapeutic-injection"}).text)
    assert shown == sorted(p for p, step in steps.items() if "therapeutic-injection" in step)
    assert 0 < len(shown) < len(PATIENT_IDS)


def test_the_patient_list_filters_by_flag(sign_in: SignIn) -> None:
    flag = "exclusion-generalized-pain-disorder"
    shown = listed(sign_in("staff").get("/", params={"as_of": AS_OF, "flag": flag}).text)
    assert "fibromyalgia" in shown
    assert "new-referral" not in shown


def test_the_patient_list_searches_patient_ids(sign_in: SignIn) -> None:
    assert listed(sign_in("staff").get("/", params={"q": "referral", "as_of": AS_OF}).text) == ["new-referral"]


def test_the_patient_list_sorts_both_ways(sign_in: SignIn) -> None:
    client = sign_in("staff")
    descending = listed(client.get("/", params={"as_of": AS_OF, "sort": "patient", "dir": "desc"}).text)
    assert descending == sorted(PATIENT_IDS, reverse=True)


def test_the_patient_list_pages_through_everyone_once(sign_in: SignIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 4)
    client = sign_in("staff")
    seen: list[list[str]] = []
    text = client.get("/", params={"as_of": AS_OF}).text
    assert "First page" not in text
    while True:
        seen.append(listed(text))
        link = re.search(r'href="\?([^"]*after=[^"]*)">Next<', text)
        if link is None:
            break
        text = client.get("/?" + link.group(1).replace("&amp;", "&")).text
        assert "First page" in text
    assert [p for ids in seen for p in ids] == PATIENT_IDS
    assert [len(ids) for ids in seen[:-1]] == [4] * (len(seen) - 1)


def test_a_list_in_another_order_pages_by_number(sign_in: SignIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 4)
    client = sign_in("staff")
    count = -(-len(PATIENT_IDS) // 4)
    first = client.get("/", params={"as_of": AS_OF, "sort": "updated"})
    assert f"Page 1 of {count}" in first.text
    assert "page=2" in first.text
    assert "Previous" not in first.text
    seen = [
        listed(client.get("/", params={"as_of": AS_OF, "sort": "updated", "page": str(n)}).text)
        for n in range(1, count + 1)
    ]
    assert sorted(p for ids in seen for p in ids) == PATIENT_IDS
    last = client.get("/", params={"as_of": AS_OF, "sort": "updated", "page": str(count)}).text
    assert "Previous" in last
    assert ">Next<" not in last


@pytest.mark.parametrize("page", ["0", "-3", "x", "99999", "99999999999999999999999"])
def test_an_out_of_range_page_number_shows_a_page_not_an_error(sign_in: SignIn, page: str) -> None:
    response = sign_in("staff").get("/", params={"as_of": AS_OF, "page": page})
    assert response.status_code == 200


def test_the_patient_list_refuses_an_unknown_rule_set_with_a_message(sign_in: SignIn) -> None:
    response = sign_in("staff").get("/", params={"ruleset": "no-such-rules"})
    assert response.status_code == 400
    assert "no rule set `no-such-rules`" in response.text


# The patient page


def test_the_patient_page_shows_the_next_step_and_stage(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/patients/new-referral", params={"as_of": AS_OF}).text
    assert next_step(page) == "Consider an image-guided, anesthetic-only diagnostic SI-joint block"
    assert "Stage: diagnosis" in page
    assert "(CPT 27096-RT, right)" in page  # the step's code with the side it is for


def test_the_patient_page_lists_criteria_with_evidence_references_and_citations(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/patients/payer-smoker", params={"as_of": AS_OF}).text
    table = page[
        page.index('<table class="criteria">') : page.index("</table>", page.index('<table class="criteria">'))
    ]
    rows = re.findall(r"<tr class=\"status-([a-z-]+)\">(.*?)</tr>", table, re.S)
    assert len(rows) > 3
    assert {status for status, _ in rows} <= {"met", "not-met", "unknown"}
    presentation = next(row for _, row in rows if "Pain pattern points to the SI joint" in row)
    assert "<code>pain.below_l5</code>" in presentation
    # Citations are compact: a number in the row, the full label once in the list of sources.
    numbers = re.findall(r'<a href="#ref-(\d+)"', presentation)
    assert numbers
    labels = dict(re.findall(r'<li id="ref-(\d+)">([^<]*)</li>', page))
    cited = [labels[n] for n in numbers]
    assert "What Happens If SI Joint Injections Don&#39;t Work?" in " ".join(cited)
    assert any("[secondary source]" in label for label in cited)  # the citation says how verified its source is


def _timeline(html: str) -> ET.Element:
    return ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])


def test_the_timeline_is_an_svg_image_with_a_title_on_every_mark(sign_in: SignIn) -> None:
    svg = _timeline(sign_in("staff").get("/patients/fusion-candidate", params={"as_of": AS_OF}).text)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "tl-title tl-desc"
    assert svg.find("title").text  # type: ignore[union-attr]
    marks = [e for e in svg.iter() if e.get("class", "").split()[:1] in (["marker"], ["relief"], ["pain-point"])]
    kinds = {e.get("class", "").split()[0] for e in marks}
    assert kinds == {"marker", "relief", "pain-point"}
    for mark in marks:
        title = mark.find("title")
        assert title is not None, ET.tostring(mark)
        assert re.match(r"\d{4}-\d\d-\d\d: ", title.text or ""), ET.tostring(mark)


def test_the_timeline_marks_each_procedure_up_to_the_as_of_date(sign_in: SignIn) -> None:
    client = sign_in("staff")
    marks = lambda as_of: [  # noqa: E731
        e.find("title").text  # type: ignore[union-attr]
        for e in _timeline(client.get("/patients/fusion-candidate", params={"as_of": as_of}).text).iter("g")
        if e.get("class", "").startswith("marker")
    ]
    now = marks(AS_OF)
    assert len(now) == 5
    assert len(marks("2024-12-31")) == 3  # the block and the ablation of 2025 had not happened


def test_switching_the_rule_set_changes_the_assessment(sign_in: SignIn) -> None:
    client = sign_in("staff")
    source = client.get("/patients/payer-smoker", params={"ruleset": "source-articles", "as_of": AS_OF}).text
    payer = client.get("/patients/payer-smoker", params={"ruleset": "commercial-strict", "as_of": AS_OF}).text
    assert next_step(source) == "Consider radiofrequency ablation of the SI-joint nerves"
    assert next_step(payer) == "Consider continuing conservative care (physical therapy, medications)"
    assert '<option value="commercial-strict" selected>' in payer
    assert "cotinine 150 ng/mL" in payer


def test_the_comparison_shows_every_rule_set_in_force_side_by_side_only_when_asked(sign_in: SignIn) -> None:
    client = sign_in("staff")
    plain = client.get("/patients/payer-smoker", params={"as_of": AS_OF}).text
    assert "Rule sets side by side" not in plain
    compared = client.get("/patients/payer-smoker", params={"as_of": AS_OF, "compare": "1"}).text
    section = compared[compared.index("Rule sets side by side") :]
    columns = re.findall(r'<th scope="col">([a-z0-9-]+) <span class="muted">', section)
    right = section[section.index("<h3>Right SI joint</h3>") :]
    step_row = re.search(r'<th scope="row">Next step.*?</tr>', right, re.S)
    assert step_row
    steps = dict(zip(columns, re.findall(r"<td[^>]*>([^<]*)</td>", step_row.group(0)), strict=True))
    assert steps["source-articles"] == "Consider radiofrequency ablation of the SI-joint nerves"
    assert steps["commercial-strict"] == "Consider continuing conservative care (physical therapy, medications)"
    assert len(columns) == 6  # no coverage recorded: every rule set in force


def test_a_write_form_is_offered_to_clinicians_only(sign_in: SignIn) -> None:
    clinician_page = sign_in("clinician").get("/patients/new-referral").text
    staff_page = sign_in("staff").get("/patients/new-referral").text
    for action in ("blocks", "injections", "therapy", "imaging", "pain_scores/0/remove"):
        assert f'action="/patients/new-referral/{action}"' in clinician_page
        assert f'action="/patients/new-referral/{action}"' not in staff_page
    assert 'action="/import"' not in sign_in("auditor").get("/").text


def test_an_unknown_patient_gets_a_404_page(sign_in: SignIn) -> None:
    response = sign_in("staff").get("/patients/nobody")
    assert response.status_code == 404
    assert "no patient `nobody`" in response.text


# Adding a diagnostic block


@pytest.mark.parametrize(
    ("patient", "side", "before", "after"),
    [
        (
            "new-referral",
            "right",
            "Consider an image-guided, anesthetic-only diagnostic SI-joint block",
            "Consider a therapeutic SI-joint injection (corticosteroid)",
        ),
        (
            "single-negative-block",
            "left",
            "Consider a confirmatory diagnostic SI-joint block",
            "Consider radiofrequency ablation of the SI-joint nerves",
        ),
    ],
)
def test_a_positive_block_entered_in_the_form_moves_the_next_step(
    sign_in: SignIn, services: App, patient: str, side: str, before: str, after: str
) -> None:
    client = sign_in("clinician")
    assert next_step(client.get(f"/patients/{patient}").text) == before
    response = client.post(f"/patients/{patient}/blocks", data=block_form(client, side=side), follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Diagnostic block saved" in page
    assert next_step(page) == after
    assert version_of(services, patient) == 2
    assert "Version 2, updated 2026-11-01 by clinician." in page


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"date": "", "post_block_nrs": "11"}, {"date", "post_block_nrs"}),
        ({"date": "2026-02-30"}, {"date"}),
        ({"pre_block_nrs": "abc"}, {"pre_block_nrs"}),
        (
            {"post_block_minutes": "2.5", "side": "up", "anesthetic": "water"},
            {"post_block_minutes", "side", "anesthetic"},
        ),
        ({"post_block_nrs": "-1", "pre_block_nrs": "nan"}, {"post_block_nrs", "pre_block_nrs"}),
    ],
)
def test_invalid_block_input_names_every_wrong_field_with_422_and_saves_nothing(
    sign_in: SignIn, services: App, changes: dict[str, str], fields: set[str]
) -> None:
    client = sign_in("clinician")
    response = client.post("/patients/new-referral/blocks", data=block_form(client, **changes))
    assert response.status_code == 422
    assert "Please check the form" in response.text
    assert set(problems(response.text)) == fields
    assert version_of(services, "new-referral") == 1


@pytest.mark.parametrize("version", ["", "one", "²", "99999999999999999999999"])
def test_a_form_without_a_usable_version_is_refused_with_a_message(sign_in: SignIn, version: str) -> None:
    client = sign_in("clinician")
    response = client.post("/patients/new-referral/blocks", data=block_form(client, version=version))
    assert response.status_code in (409, 422), response.text[:300]
    assert "reload" in response.text


def test_a_stale_form_gets_409_saying_who_changed_the_patient_and_saves_nothing(
    sign_in: SignIn, services: App, clock: Clock
) -> None:
    with transaction(services.engine) as connection:
        add_user(connection, "dr-second", PASSWORD, "clinician", clock())
    first, second = sign_in("clinician"), sign_in("dr-second")
    assert 'name="version" value="1"' in first.get("/patients/new-referral").text  # both open version 1
    saved = second.post("/patients/new-referral/blocks", data=block_form(second), follow_redirects=False)
    assert saved.status_code == 303
    stale = first.post("/patients/new-referral/blocks", data=block_form(first, date="2026-10-25"))
    assert stale.status_code == 409
    assert "Changed by someone else" in stale.text
    assert "changed by dr-second (version 2)" in stale.text
    assert version_of(services, "new-referral") == 2
    dates = re.findall(r"(\d{4}-\d\d-\d\d): diagnostic block", first.get("/patients/new-referral").text)
    assert dates == ["2026-10-20"]  # the second clinician's block, not overwritten by the first's


# FHIR upload


def _upload(client: TestClient, name: str) -> str:
    bundle = (EXAMPLES / "fhir" / f"{name}.json").read_bytes()
    response = client.post(
        "/import",
        data={"csrf_token": csrf_of(client)},
        files={"bundle": (f"{name}.json", bundle, "application/fhir+json")},
    )
    assert response.status_code == 200, response.text[:500]
    results = re.findall(r'<td><a href="/patients/([^"]+)">[^<]*</a></td>\s*<td>([^<]+)</td>', response.text)
    assert len(results) == 1
    return results[0][1]


def test_uploading_a_fhir_bundle_updates_the_patient_and_a_second_upload_changes_nothing(
    sign_in: SignIn, services: App
) -> None:
    client = sign_in("clinician")
    assert _upload(client, "payer-smoker") == "updated"
    assert version_of(services, "payer-smoker") == 2
    assert _upload(client, "payer-smoker") == "unchanged (already imported)"
    assert version_of(services, "payer-smoker") == 2


def test_uploading_a_bundle_for_a_new_patient_creates_it(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    deleted = client.delete("/api/patients/lasting-relief", headers={"X-CSRF-Token": csrf_of(client)})
    assert deleted.status_code == 204
    assert _upload(client, "lasting-relief") == "created"
    assert next_step(client.get("/patients/lasting-relief").text)


def test_uploading_a_file_that_is_not_a_bundle_is_refused_and_saves_nothing(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    response = client.post(
        "/import",
        data={"csrf_token": csrf_of(client)},
        files={"bundle": ("notes.json", b'{"resourceType": "Patient"}', "application/json")},
    )
    assert response.status_code == 422
    assert [version_of(services, p) for p in PATIENT_IDS] == [1] * len(PATIENT_IDS)


# Audit


def test_the_audit_page_lists_the_reads_and_writes_of_the_patient(sign_in: SignIn) -> None:
    clinician = sign_in("clinician")
    clinician.get("/patients/new-referral")
    clinician.post("/patients/new-referral/blocks", data=block_form(clinician))
    clinician.get("/api/patients/new-referral/assessment")
    clinician.get("/patients/payer-smoker")  # another patient: not in this one's history
    page = sign_in("auditor").get("/patients/new-referral/audit")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>\d+</td><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td>", page.text)
    assert ("clinician", "view-patient") in rows
    assert ("clinician", "add-block") in rows
    assert ("clinician", "assess") in rows
    assert ("sijpath-demo-seed", "seed") in rows
    assert all(what != "view-audit" for _, what in rows)  # this visit is recorded, and shows on the next
    again = sign_in("admin").get("/patients/new-referral/audit").text
    assert "<td>auditor</td><td>view-audit</td>" in again


# Logs


def test_no_patient_id_reaches_the_logs(
    sign_in: SignIn, client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    clinician = sign_in("clinician")
    clinician.get("/", params={"q": "payer"})
    for patient in ("payer-smoker", "new-referral", "nobody-known"):
        clinician.get(f"/patients/{patient}", params={"compare": "1"})
        clinician.get(f"/api/patients/{patient}/assessment")
        clinician.get(f"/patients/{patient}/audit")
        client.get(f"/patients/{patient}")
    clinician.post("/patients/new-referral/blocks", data=block_form(clinician, date=""))
    clinician.post("/patients/new-referral/blocks", data=block_form(clinician))
    clinician.post("/patients/new-referral/blocks", data=block_form(clinician))  # stale: 409

    def store_down(*args: object, **kwargs: object) -> None:
        raise StoreError("the database is not reachable")

    monkeypatch.setattr(pages.store, "load_episode", store_down)
    assert clinician.get("/patients/payer-smoker").status_code == 503
    assert clinician.get("/api/patients/new-referral").status_code == 503
    assert any(r.name.startswith("sijpath") for r in caplog.records), "the 503s should have been logged"
    # The test client's own request log is not the app's: leave it out
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpx2")))
    for patient in ("payer-smoker", "new-referral", "nobody-known"):
        assert patient not in logged


# Adding an injection, a PT course and an imaging study; removing a fact entered in error


def _form(client: TestClient, version: str = "1", **fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrf_token": client.csrf, "version": version, **fields}  # type: ignore[attr-defined]


def test_an_injection_form_adds_a_therapeutic_injection_with_its_steroid_dose(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    form = _form(
        client,
        date="2026-10-20",
        side="left",
        guidance="fluoroscopy",
        steroid="triamcinolone",
        steroid_dose_mg="40",
        anesthetic="lidocaine",
        pre_injection_nrs="7",
    )

    response = client.post("/patients/new-referral/injections", data=form, follow_redirects=False)

    assert response.status_code == 303
    with transaction(services.engine) as connection:
        injection = store.load_episode(connection, "new-referral").episode.therapeutic_injections[-1]
    assert (injection.steroid.drug, injection.steroid.dose_mg) == ("triamcinolone", 40.0)  # type: ignore[union-attr]
    assert injection.pre_injection_nrs == 7.0


def test_a_lateral_branch_block_form_adds_the_block_with_its_side_and_scores(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    form = _form(
        client,
        date="2026-10-20",
        side="right",
        guidance="fluoroscopy",
        anesthetic="bupivacaine",
        pre_block_nrs="7",
        post_block_nrs="2",
        post_block_minutes="60",
    )

    response = client.post("/patients/new-referral/lateral-branch-blocks", data=form, follow_redirects=False)

    assert response.status_code == 303
    with transaction(services.engine) as connection:
        block = store.load_episode(connection, "new-referral").episode.lateral_branch_blocks[-1]
    assert (block.side, block.guidance, block.anesthetics[0].drug) == ("right", "fluoroscopy", "bupivacaine")
    assert (block.pre_block_nrs, block.post_block_nrs, block.post_block_minutes) == (7.0, 2.0, 60)


def test_a_lateral_branch_block_form_keeps_the_steroid_and_its_dose(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    form = _form(
        client,
        date="2026-10-21",
        side="left",
        guidance="fluoroscopy",
        anesthetic="bupivacaine",
        steroid="triamcinolone",
        steroid_dose_mg="40",
    )

    response = client.post("/patients/new-referral/lateral-branch-blocks", data=form, follow_redirects=False)

    assert response.status_code == 303
    with transaction(services.engine) as connection:
        block = store.load_episode(connection, "new-referral").episode.lateral_branch_blocks[-1]
    assert [(s.drug, s.dose_mg) for s in block.steroids] == [("triamcinolone", 40.0)]


def test_a_lateral_branch_block_with_a_steroid_but_no_dose_is_refused_naming_the_dose(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    form = _form(client, date="2026-10-20", side="left", anesthetic="lidocaine", steroid="triamcinolone")

    response = client.post("/patients/new-referral/lateral-branch-blocks", data=form)

    assert response.status_code == 422
    assert "give the corticosteroid dose in mg" in response.text


def test_a_lateral_branch_block_without_a_side_is_refused_naming_the_side_field(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    form = _form(client, date="2026-10-20", side="", anesthetic="lidocaine")

    response = client.post("/patients/new-referral/lateral-branch-blocks", data=form)

    assert response.status_code == 422
    assert "choose the side of the joint" in response.text


def test_an_injection_with_a_steroid_but_no_dose_is_refused_naming_the_dose_field(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    form = _form(client, date="2026-10-20", side="left", steroid="triamcinolone", steroid_dose_mg="")

    response = client.post("/patients/new-referral/injections", data=form)

    assert response.status_code == 422
    assert "steroid_dose_mg" in response.text


def test_a_pt_course_form_keeps_every_ticked_focus_and_an_unrecorded_setting(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    form = _form(
        client, start_date="2026-09-01", sessions="12", setting="", focus=["core-stabilization", "pelvic-stabilization"]
    )

    assert client.post("/patients/new-referral/therapy", data=form, follow_redirects=False).status_code == 303

    with transaction(services.engine) as connection:
        course = store.load_episode(connection, "new-referral").episode.physical_therapy[-1]
    assert course.focus == ("core-stabilization", "pelvic-stabilization")
    assert course.setting is None
    assert course.end_date is None


def test_an_imaging_form_without_findings_is_refused_and_one_with_findings_is_saved(
    sign_in: SignIn, services: App
) -> None:
    client = sign_in("clinician")
    refused = client.post(
        "/patients/new-referral/imaging", data=_form(client, date="2026-10-01", modality="ct", region="sij")
    )
    assert refused.status_code == 422
    assert "findings" in refused.text

    saved = client.post(
        "/patients/new-referral/imaging",
        follow_redirects=False,
        data=_form(client, date="2026-10-01", modality="ct", region="sij", findings=["subchondral-sclerosis"]),
    )

    assert saved.status_code == 303
    with transaction(services.engine) as connection:
        study = store.load_episode(connection, "new-referral").episode.imaging[-1]
    assert study.findings == ("subchondral-sclerosis",)


def test_removing_a_fact_entered_in_error_saves_a_new_version_and_is_audited(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    with transaction(services.engine) as connection:
        before = store.load_episode(connection, "new-referral").episode.pain_scores

    response = client.post(
        "/patients/new-referral/pain_scores/0/remove", data=_form(client, confirm="yes"), follow_redirects=False
    )

    assert response.status_code == 303
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, "new-referral")
        actions = [r["action"] for r in services.history(connection, "new-referral")]
    assert stored.episode.pain_scores == before[1:]
    assert stored.version == 2
    assert "remove-fact" in actions


def test_removing_with_a_stale_version_is_refused_and_removes_nothing(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    client.post("/patients/new-referral/pain_scores/0/remove", data=_form(client, confirm="yes"))

    stale = client.post("/patients/new-referral/pain_scores/0/remove", data=_form(client, version="1", confirm="yes"))

    assert stale.status_code == 409
    with transaction(services.engine) as connection:
        assert store.load_episode(connection, "new-referral").version == 2


def test_a_sign_in_posted_from_another_site_is_refused(client: TestClient) -> None:
    form = {"username": "clinician", "password": PASSWORD, "next": "/"}

    foreign = client.post("/login", data=form, headers={"Origin": "https://evil.example"}, follow_redirects=False)
    same = client.post("/login", data=form, headers={"Origin": "http://testserver"}, follow_redirects=False)

    assert foreign.status_code == 403
    assert "sijpath_session" not in foreign.headers.get("set-cookie", "")
    assert same.status_code == 303


def test_an_opaque_origin_is_judged_by_the_referer(client: TestClient) -> None:
    form = {"username": "clinician", "password": PASSWORD, "next": "/"}

    ours = client.post(
        "/login", data=form, headers={"Origin": "null", "Referer": "http://testserver/login"}, follow_redirects=False
    )
    theirs = client.post("/login", data=form, headers={"Origin": "null"}, follow_redirects=False)

    assert ours.status_code == 303
    assert theirs.status_code == 403


def test_a_rule_set_given_as_a_file_path_is_refused_without_reading_the_file(sign_in: SignIn) -> None:
    staff = sign_in("staff")

    for ruleset in ("/etc/passwd", "/nonexistent/x.toml"):
        response = staff.get("/patients/fibromyalgia", params={"ruleset": ruleset})
        assert response.status_code == 400
        assert "TOML" not in response.text
        assert "no rule set" in response.text


def test_search_treats_percent_and_underscore_literally(sign_in: SignIn) -> None:
    staff = sign_in("staff")

    assert listed(staff.get("/", params={"as_of": AS_OF, "q": "%"}).text) == []
    assert listed(staff.get("/", params={"as_of": AS_OF, "q": "_"}).text) == []
    assert listed(staff.get("/", params={"as_of": AS_OF, "flag": "%"}).text) == []


def test_a_failed_sign_in_is_audited_with_the_name_tried(client: TestClient, services: App) -> None:
    client.post("/login", data={"username": "clinician", "password": "wrong password!", "next": "/"})

    with transaction(services.engine) as connection:
        rows = connection.execute(select(audit_log).where(audit_log.c.action == "sign-in-failed")).all()
    assert [(r.actor, r.patient_id) for r in rows] == [("clinician", None)]


def test_links_to_a_patient_whose_id_has_url_characters_open_that_patient(sign_in: SignIn, services: App) -> None:
    original = wiring.load_episode(EXAMPLES / "new-referral.yaml")
    odd = original.model_copy(update={"patient": original.patient.model_copy(update={"id": "fibromyalgia?x#y"})})
    services.save(User("clinician", "clinician"), odd, None, "127.0.0.1")
    staff = sign_in("staff")

    listing = staff.get("/", params={"as_of": AS_OF, "q": "fibromyalgia?"}).text
    href = re.search(r'<a href="(/patients/[^"]+)">fibromyalgia\?x#y</a>', listing)

    assert href is not None
    assert href.group(1).startswith("/patients/fibromyalgia%3Fx%23y?")
    assert "Patient fibromyalgia?x#y" in staff.get(href.group(1).replace("&amp;", "&")).text


def test_the_confirmation_on_the_patient_page_cannot_be_written_by_a_link(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/patients/new-referral", params={"message": "Call 0800 to confirm"}).text

    assert "Call 0800" not in page


def test_a_reader_asking_for_ever_new_dates_cannot_grow_the_assessment_cache_past_its_bound(
    sign_in: SignIn, services: App
) -> None:
    staff = sign_in("staff")
    keep = services.settings.assessment_cache_dates
    for day in range(keep + 10):
        as_of = (dt.date(2026, 1, 1) + dt.timedelta(days=day)).isoformat()
        assert staff.get("/patients/new-referral", params={"as_of": as_of}).status_code == 200
        services.now.now += dt.timedelta(seconds=1)  # type: ignore[attr-defined]

    with services.engine.connect() as connection:
        pairs = connection.execute(select(assessments.c.ruleset_id, assessments.c.as_of).distinct()).all()
    assert len(pairs) <= keep
    newest = (dt.date(2026, 1, 1) + dt.timedelta(days=keep + 9)).isoformat()
    assert newest in {str(as_of) for _, as_of in pairs}  # the newest kept, the oldest pushed out


def test_a_patient_added_after_everyone_was_assessed_is_assessed_for_the_filtered_list(
    sign_in: SignIn, services: App
) -> None:
    clinician = sign_in("clinician")
    filtered = f"/?as_of={AS_OF}&step=fusion-evaluation"
    assert "fusion-candidate-2" not in clinician.get(filtered).text  # everyone assessed, and remembered
    episode = wiring.load_episode(EXAMPLES / "fusion-candidate.yaml")
    episode = episode.model_copy(update={"patient": episode.patient.model_copy(update={"id": "fusion-candidate-2"})})
    with transaction(services.engine) as connection:
        store.save_episode(connection, episode, expected_version=None, actor="import", now=services.now())

    again = clinician.get(filtered).text

    assert 'href="/patients/fusion-candidate-2?' in again
    assert services.assess_unassessed("source-articles", dt.date.fromisoformat(AS_OF)) == 0  # nothing changed since
