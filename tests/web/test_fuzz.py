"""Fuzzing: no request, however odd, gets a 5xx.

The API is fuzzed from its own OpenAPI document with schemathesis (in process, over ASGI, with a clinician's API
token), valid and invalid requests, each operation with random and with real patient ids. The OpenAPI document
does not describe the episode body (the routes read it themselves), so Hypothesis adds bodies: generated episodes,
episodes with one value swapped for junk, and arbitrary JSON; and the query strings and forms of the pages, which
are not in the document. Everything is derandomized and bounded, so a run is repeatable and takes seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi.openapi.utils import get_openapi
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from sijpath.store.database import transaction
from sijpath.store.tokens import create_token
from sijpath.web import api, worklist_pages
from sijpath.web.app import create_app
from sijpath.web.services import App
from tests import strategies
from tests.web import seeded
from tests.web.conftest import EXAMPLES

PATIENT_IDS = sorted(path.stem for path in EXAMPLES.glob("*.yaml"))
# The operations, from the API routers alone (parametrizing needs them before any app exists); the first test checks
# that the app serves the same. Negative cases need something to get wrong: a query parameter or a required header.
DOCUMENT = get_openapi(title="sijpath", version="1", routes=[*api.router.routes, *worklist_pages.api_router.routes])
OPERATIONS = sorted((method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item)
NEGATABLE = [
    (method, path)
    for method, path in OPERATIONS
    if any(
        p["in"] == "query" or (p["in"] == "header" and p.get("required"))
        for p in DOCUMENT["paths"][path][method.lower()].get("parameters", [])
    )
]
CASES = [(*op, GenerationMode.POSITIVE) for op in OPERATIONS] + [(*op, GenerationMode.NEGATIVE) for op in NEGATABLE]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,  # the same cases every run: a failure here is a bug, never a flake
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture
def token(services: App) -> str:
    with transaction(services.engine) as connection:
        return create_token(connection, "clinician", "fuzzing", services.now(), scope="read-write")


@pytest.fixture
def api_client(services: App, token: str) -> Iterator[TestClient]:
    app = create_app(services)
    with TestClient(app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def browser(services: App) -> Iterator[TestClient]:
    clients: list[TestClient] = []
    client = seeded.signed_in(services, clients, "clinician", raise_server_exceptions=False)
    yield client
    client.close()


def assert_no_server_error(response: Any, what: Callable[[], str]) -> None:
    assert response.status_code < 500, f"{what()} -> {response.status_code} {response.text[:300]}"


def test_the_fuzzed_operations_are_those_the_app_serves(api_client: TestClient) -> None:
    served = api_client.get("/api/openapi.json").json()["paths"]
    assert sorted((method.upper(), path) for path, item in served.items() for method in item) == OPERATIONS
    assert len(OPERATIONS) == 10
    assert ("PUT", "/api/patients/{patient_id}") in NEGATABLE
    assert ("GET", "/api/patients") in NEGATABLE


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g}" for m, p, g in CASES])
def test_no_request_generated_from_the_openapi_document_gets_a_5xx(
    method: str, path: str, mode: GenerationMode, services: App, token: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(services))
    operation = schema[path][method]
    cases = operation.as_strategy(generation_mode=mode)
    if "{patient_id}" in path:  # random ids only ever reach "no such patient"; real ones reach the rest
        known = st.sampled_from(PATIENT_IDS).flatmap(
            lambda patient: operation.as_strategy(generation_mode=mode, path_parameters={"patient_id": patient})
        )
        cases = st.one_of(cases, known)
    calls = []

    @FUZZ
    @given(case=cases)
    def call(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        calls.append(response.status_code)
        assert_no_server_error(response, lambda: f"{case.method} {case.formatted_path} {case.query} {case.headers}")

    call()
    assert calls, "nothing was generated"
    if mode is GenerationMode.POSITIVE and method == "GET":
        assert any(200 <= status < 300 for status in calls), "no generated request succeeded: the fuzz went nowhere"


def _replace_a_leaf(document: Any, path: list[int], junk: Any) -> Any:
    """The document with one value (chosen by `path`, a list of indexes) replaced by `junk`."""
    if not path or not isinstance(document, dict | list) or not document:
        return junk
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    copied = dict(document) if isinstance(document, dict) else list(document)
    copied[key] = _replace_a_leaf(document[key], path[1:], junk)  # type: ignore[index]
    return copied


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Integers past 64 bits, dates at the ends of the calendar, odd strings: where storage and date arithmetic break.
edge_values = st.sampled_from(
    [10**20, -(10**20), 1e308, -1.0, 0, "", "9999-12-31", "0001-01-01", "2026-02-30", "\x00", "é" * 200, "²", [], {}]
)
# The same as text, and any size of number, for query strings, headers and form fields.
edge_text = st.one_of(
    st.text(max_size=20),
    edge_values.map(str),
    st.integers().map(str),
    st.integers(10**17, 10**30).map(str),  # past what a SQL integer holds
    st.dates().map(str),
)


def test_valid_generated_episodes_are_created_and_assessed_on_any_date(api_client: TestClient) -> None:
    @FUZZ
    @given(episode=strategies.episodes(), as_of=st.dates())
    def call(episode: Any, as_of: dt.date) -> None:
        body = episode.model_dump(mode="json", exclude_defaults=True)
        created = api_client.post("/api/patients", json=body)
        assert created.status_code in (201, 409), created.text[:300]  # 409: generated again after shrinking
        assessed = api_client.get("/api/patients/generated/assessment", params={"as_of": as_of.isoformat()})
        assert_no_server_error(assessed, lambda: f"assessment as of {as_of}")
        compared = api_client.get("/api/patients/generated/comparison", params={"as_of": as_of.isoformat()})
        assert_no_server_error(compared, lambda: f"comparison as of {as_of}")
        assert api_client.delete("/api/patients/generated").status_code == 204

    call()


def test_episodes_with_one_value_swapped_for_junk_get_4xx_or_save(api_client: TestClient) -> None:
    @FUZZ
    @given(
        episode=strategies.episodes(),
        path=st.lists(st.integers(0, 50), min_size=1, max_size=5),
        junk=json_values | edge_values,
        method=st.sampled_from(["POST", "PUT"]),
    )
    def call(episode: Any, path: list[int], junk: Any, method: str) -> None:
        body = _replace_a_leaf(episode.model_dump(mode="json", exclude_defaults=True), path, junk)
        if method == "POST":
            response = api_client.post("/api/patients", json=body)
        else:
            response = api_client.put("/api/patients/generated", json=body, headers={"If-Match": '"1"'})
        assert_no_server_error(response, lambda: f"{method} {body!r:.300}")
        if response.status_code == 201:
            # The junk may have been the patient's id itself: delete the patient that was created.
            created = quote(str(body["patient"]["id"]), safe="")
            assert api_client.delete(f"/api/patients/{created}").status_code == 204

    call()


def test_arbitrary_bodies_get_4xx(api_client: TestClient) -> None:
    @FUZZ
    @given(
        body=json_values | st.binary(max_size=64).map(lambda b: {"raw": b.decode("latin-1")}),
        target=st.sampled_from(["/api/patients", "/api/patients/new-referral", "/api/fhir/import"]),
    )
    def call(body: Any, target: str) -> None:
        method = "PUT" if target == "/api/patients/new-referral" else "POST"
        response = api_client.request(method, target, json=body, headers={"If-Match": '"1"'})
        assert_no_server_error(response, lambda: f"{method} {target} {body!r:.200}")

    call()


def test_no_if_match_header_on_a_valid_replace_gets_a_5xx(api_client: TestClient) -> None:
    body = api_client.get("/api/patients/new-referral").json()

    @FUZZ
    @given(
        if_match=st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=30)
        | edge_text.filter(str.isascii)
        | st.integers(0, 10**30).map(lambda n: f'"{n}"')
    )
    def call(if_match: str) -> None:
        response = api_client.put(
            "/api/patients/new-referral", json=body, headers={"If-Match": if_match.encode("latin-1")}
        )
        assert_no_server_error(response, lambda: f"If-Match {if_match!r}")

    call()


@pytest.mark.parametrize("target", ["/api/patients", "/api/patients/new-referral", "/api/fhir/import"])
@pytest.mark.parametrize("nesting", [b"[" * 100_000, b'{"a":' * 100_000], ids=["lists", "objects"])
def test_json_nested_past_the_parsers_depth_is_a_422(api_client: TestClient, target: str, nesting: bytes) -> None:
    method = "PUT" if target == "/api/patients/new-referral" else "POST"
    response = api_client.request(method, target, content=nesting, headers={"If-Match": "1"})
    assert response.status_code == 422, response.text[:300]


QUERY_KEYS = ["page", "as_of", "ruleset", "sort", "dir", "q", "step", "flag", "compare", "message"]
BLOCK_FORM = {"version": "1", "date": "2026-10-20", "side": "right", "guidance": "fluoroscopy", "contrast": "yes"}
BLOCK_FORM |= {"anesthetic": "lidocaine", "pre_block_nrs": "6", "post_block_nrs": "1", "post_block_minutes": "30"}


@pytest.mark.parametrize("key", QUERY_KEYS)
def test_no_query_string_on_the_pages_gets_a_5xx(browser: TestClient, key: str) -> None:
    @FUZZ
    @given(
        page=st.sampled_from(["/", "/patients/payer-smoker", "/patients/new-referral/audit"]),
        value=edge_text,
        others=st.fixed_dictionaries({}, optional=dict.fromkeys(QUERY_KEYS, edge_text)),
    )
    def call(page: str, value: str, others: dict[str, str]) -> None:
        params = {**others, key: value}
        response = browser.get(page, params=params)
        assert_no_server_error(response, lambda: f"GET {page} {params}")

    call()


@pytest.mark.parametrize("field", sorted(BLOCK_FORM))
def test_no_add_block_form_gets_a_5xx(browser: TestClient, field: str) -> None:
    token: str = browser.csrf  # type: ignore[attr-defined]

    @FUZZ
    @given(value=edge_text | st.floats().map(str))
    def call(value: str) -> None:  # a valid form but for one field, so every check on that field is reached
        form = {**BLOCK_FORM, field: value, "csrf_token": token}
        response = browser.post("/patients/new-referral/blocks", data=form)
        assert_no_server_error(response, lambda: f"add block with {field}={value!r}")

    call()
