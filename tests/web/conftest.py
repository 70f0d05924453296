"""Web fixtures: the app over a temporary SQLite database, a fixed clock, one signed-in client per role."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sijpath.web.app import create_app
from sijpath.web.services import App

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "correct horse battery staple"
ROLES = ("clinician", "staff", "admin", "auditor")
POSITIVE_BLOCK = {
    # The block form's fields for a positive anesthetic-only block on the right side, as the page sends them.
    "date": "2026-10-20",
    "side": "right",
    "guidance": "fluoroscopy",
    "contrast": "yes",
    "anesthetic": "lidocaine",
    "pre_block_nrs": "6",
    "post_block_nrs": "1",
    "post_block_minutes": "30",
}


class Clock:
    """A settable clock: tests move time on (session idle timeout, login throttling)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example patients and one user per role, seeded once: argon2 hashing per test took minutes."""
    from tests.web import seeded  # seeded.py imports this module's constants

    return seeded.seed_template(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def services(template: Path, tmp_path: Path, clock: Clock) -> Iterator[App]:
    """Services over a fresh copy of the seeded database (upgraded, example patients, one user per role)."""
    from tests.web import seeded

    yield from seeded.copy_services(template, tmp_path, clock)


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


@pytest.fixture
def session_for(services: App) -> Iterator[Callable[[str], TestClient]]:
    """`session_for(user)`: a client with a session for that user made by the store, skipping the password check
    (the sign-in form has its own tests); its CSRF token in `client.csrf`."""
    from tests.web import seeded

    clients: list[TestClient] = []
    yield lambda username: seeded.signed_in(services, clients, username)
    for test_client in clients:
        test_client.close()
