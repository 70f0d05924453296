"""Web fixtures: the app over a temporary SQLite database, a fixed clock, one signed-in client per role."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sijpath import wiring
from sijpath.settings import Settings
from sijpath.store.accounts import add_user
from sijpath.store.database import transaction, upgrade
from sijpath.web.app import create_app
from sijpath.web.services import App

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "correct horse battery staple"
ROLES = ("clinician", "staff", "admin", "auditor")


class Clock:
    """A settable clock: tests move time on (session idle timeout, login throttling)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(tmp_path: Path, clock: Clock) -> App:
    """Services over an upgraded database with the example patients and one user per role."""
    settings = Settings(data_dir=tmp_path, secure_cookies=False)
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)
    app = wiring.web_services(settings, engine, clock)
    wiring.seed_examples(app, EXAMPLES)
    with transaction(engine) as connection:
        for role in ROLES:
            add_user(connection, role, PASSWORD, role, clock())
    return app


@pytest.fixture
def client(services: App) -> Iterator[TestClient]:
    """A client that is not signed in."""
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture
def sign_in(services: App) -> Iterator[Callable[[str], TestClient]]:
    """`sign_in(role)`: a client signed in as the user of that role (its CSRF token in `client.csrf`)."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        test_client = TestClient(create_app(services))
        clients.append(test_client)
        response = test_client.post("/login", data={"username": role, "password": PASSWORD, "next": "/"})
        assert response.status_code == 200, response.text  # followed the redirect to the patient list
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        test_client.csrf = match.group(1) if match else ""  # type: ignore[attr-defined]
        return test_client

    yield make
    for test_client in clients:
        test_client.close()
