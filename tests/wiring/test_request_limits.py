"""One request-size limit in front of every route: 413 with a clear message, before the body is read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from sijpath.wiring.request_limits import RequestSizeLimit

MB = 1024 * 1024
ROUTES = [
    ("POST", "/login"),
    ("POST", "/import"),
    ("POST", "/api/fhir/import"),
    ("POST", "/api/patients"),
    ("PUT", "/api/patients/new-referral"),
    ("POST", "/cds-services/sij-pathway"),
    ("POST", "/cds-services/sij-pathway/feedback"),
    ("GET", "/"),
]


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_declared_body_over_the_limit_is_413_on_every_route(
    served: Callable[..., TestClient], method: str, path: str
) -> None:
    client = served(max_request_mb=1)
    response = client.request(method, path, content=b"x" * (MB + 1), headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert "over 1 MB" in response.text or "over 16 KB" in response.text
    assert response.headers["connection"] == "close"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_streamed_body_growing_past_the_limit_is_cut_off_with_413(
    served: Callable[..., TestClient], method: str, path: str
) -> None:
    client = served(max_request_mb=1)
    kind = "application/x-www-form-urlencoded" if not path.startswith(("/api/", "/cds-")) else "application/json"
    # A generator has no length: the body goes chunked, without Content-Length.
    response = client.request(method, path, content=chunks(8 * MB), headers={"Content-Type": kind})

    # 413; or 401 where the route refuses an anonymous caller before it reads the body (the API, CDS Hooks)
    assert response.status_code in (413, 401, 422, 303)  # 422: a header missing; 303: sent to sign in
    assert response.status_code == 413 or not path.startswith(("/login", "/import"))


def test_the_limit_stops_reading_at_the_limit_and_replaces_the_apps_answer() -> None:
    pulled = 0
    answered: list[dict[str, object]] = []

    async def greedy_app(scope: dict[str, object], receive: Callable[[], object], send: Callable[..., object]) -> None:
        while (await receive())["type"] == "http.request":  # type: ignore[index]
            pass  # reads until the client "disconnects"
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"all read"})  # type: ignore[operator]

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        answered.append(message)

    scope = {"type": "http", "path": "/api/fhir/import", "headers": []}
    limited = RequestSizeLimit(greedy_app, MB)  # type: ignore[arg-type]
    # A thread of its own: other tests (the browser's) may leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: asyncio.run(limited(scope, receive, send))).result()  # type: ignore[arg-type]

    assert pulled == MB // 65536 + 1  # one chunk past the limit, then no more
    assert answered[0]["status"] == 413
    assert b"over 1 MB" in answered[1]["body"]  # type: ignore[operator]


def test_the_anonymous_sign_in_form_takes_at_most_16_kb(served: Callable[..., TestClient]) -> None:
    client = served()
    form = {"username": "clinician", "password": "x" * 20_000, "next": "/"}
    assert client.post("/login", data=form).status_code == 413
    assert client.post("/login", files={"username": ("big.bin", b"x" * 200_000)}).status_code == 413


def test_the_413_speaks_the_callers_language(served: Callable[..., TestClient]) -> None:
    client = served(max_request_mb=1)
    big = b"x" * (MB + 1)

    cds = client.post("/cds-services/sij-pathway", content=big)
    api = client.post("/api/fhir/import", content=big)
    page = client.post("/import", content=big)

    assert cds.json()["resourceType"] == "OperationOutcome"
    assert cds.json()["issue"][0]["code"] == "too-costly"
    assert api.json()["error"].startswith("the request body is over 1 MB")
    assert page.headers["content-type"].startswith("text/plain")
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_body_within_the_limit_reaches_the_route(served: Callable[..., TestClient]) -> None:
    client = served(max_request_mb=1)
    response = client.post("/cds-services/sij-pathway", content=b"x" * (MB - 10))
    assert response.status_code == 401  # the CDS service refuses it for having no JWT, not for its size
