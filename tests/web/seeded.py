"""A seeded database built once per test module and copied for each test, and sessions made without the sign-in form.

Seeding 15 patients and argon2-hashing a password per role takes seconds; doing it for each of a few hundred web
tests took minutes. conftest's `services` starts from a copy of the seeded database; `signed_in` gives a session
straight from the store, skipping the password check (the sign-in form has its own tests in test_pages).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath import wiring
from sijpath.outcomes.registry import register_procedure
from sijpath.settings import Settings
from sijpath.store.accounts import User, add_user, create_session
from sijpath.store.database import transaction, upgrade
from sijpath.store.tables import api_tokens, outcome_links, users
from sijpath.web.app import create_app
from sijpath.web.security import COOKIE
from sijpath.web.services import App
from tests.web.conftest import EXAMPLES, PASSWORD, ROLES, Clock

__all__ = ["SEEDED_LINK", "SEEDED_TOKEN", "copy_services", "seed_template", "signed_in"]

# A read-only token of the staff user, in the template with a known value, so routes can name its id.
SEEDED_TOKEN = "sjp_seeded-token-for-the-route-table"
# A patient questionnaire link with a known token, for the registry's one index procedure (new-referral, id 1).
SEEDED_LINK = "seeded-patient-link-token-for-the-route-table"


def seed_template(directory: Path) -> Path:
    """Build the seeded database (example patients, one user per role) in `directory`."""
    settings = Settings(data_dir=directory, secure_cookies=False)
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)
    wiring.seed_examples(wiring.web_services(settings, engine, Clock()), EXAMPLES)
    with transaction(engine) as connection:
        for role in ROLES:
            add_user(connection, role, PASSWORD, role, Clock()())
        connection.execute(
            api_tokens.insert().values(
                token_hash=hashlib.sha256(SEEDED_TOKEN.encode()).hexdigest(),
                username="staff",
                label="seeded",
                created_at=Clock()(),
                revoked=False,
                scope="read",
                expires_at=Clock()() + dt.timedelta(days=30),
            )
        )
        procedure = {
            "patient_id": "new-referral",
            "joint": "right",
            "procedure": "fusion",
            "performed_on": "2026-08-01",
        }
        register_procedure(connection, procedure, actor="seed", now=Clock()())
        connection.execute(
            outcome_links.insert().values(
                token_hash=hashlib.sha256(SEEDED_LINK.encode()).hexdigest(),
                procedure_id=1,
                time_point="3m",
                created_by="staff",
                created_at=Clock()(),
                expires_at=Clock()() + dt.timedelta(days=7),
            )
        )
    engine.dispose()
    return directory


def copy_services(template: Path, directory: Path, clock: Clock) -> Iterator[App]:
    """Services over a fresh copy of the template database (a generator for a yield fixture)."""
    for file in template.iterdir():
        shutil.copy(file, directory / file.name)
    settings = Settings(data_dir=directory, secure_cookies=False)
    engine = wiring.open_database(settings)
    yield wiring.web_services(settings, engine, clock)
    engine.dispose()


def signed_in(services: App, clients: list[TestClient], username: str, **options: bool) -> TestClient:
    """A client with a fresh session for `username` (whose role is looked up), its CSRF token in `.csrf`."""
    with transaction(services.engine) as connection:
        role = connection.execute(select(users.c.role).where(users.c.username == username)).scalar_one()
        cookie, session = create_session(connection, User(username, role), services.now())
    client = TestClient(create_app(services), **options)
    client.cookies.set(COOKIE, cookie)
    client.csrf = session.csrf_token  # type: ignore[attr-defined]
    clients.append(client)
    return client
