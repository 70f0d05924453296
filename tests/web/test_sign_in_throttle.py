"""The sign-in throttle slows a guesser without locking the right password out from another address, and keeps
its failures in the database (one minute's worth), where every server process counts them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sijpath.store.tables import login_failures
from sijpath.web.app import create_app
from sijpath.web.services import App
from tests.web.conftest import PASSWORD, Clock

WRONG = "wrong password!!"


@pytest.fixture
def from_address(services: App) -> Iterator[object]:
    clients: list[TestClient] = []

    def make(address: str) -> TestClient:
        clients.append(TestClient(create_app(services), client=(address, 40000), follow_redirects=False))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    return client.post("/login", data={"username": username, "password": password, "next": "/"}).status_code


def test_failures_for_a_name_from_one_address_refuse_that_address_but_not_the_right_password_from_another(
    from_address: object, services: App
) -> None:
    attacker, nurse_station = from_address("203.0.113.7"), from_address("192.0.2.20")  # type: ignore[operator]
    for _ in range(services.settings.login_attempts_per_minute):
        assert sign_in(attacker, "clinician", WRONG) == 401

    refused = attacker.post("/login", data={"username": "clinician", "password": PASSWORD, "next": "/"})
    assert refused.status_code == 429  # even the right password: the guesser learns nothing more
    assert "Too many failed sign-ins" in refused.text
    assert "set-cookie" not in refused.headers
    assert sign_in(nurse_station, "clinician") == 303


def test_the_throttle_recovers_a_minute_after_the_failures(from_address: object, services: App, clock: Clock) -> None:
    client = from_address("203.0.113.7")  # type: ignore[operator]
    for _ in range(services.settings.login_attempts_per_minute):
        sign_in(client, "clinician", WRONG)
    clock.now += dt.timedelta(seconds=59)
    assert sign_in(client, "clinician") == 429
    clock.now += dt.timedelta(seconds=1)  # "wait a minute and try again"
    assert sign_in(client, "clinician") == 303


def test_many_names_guessed_from_one_address_refuse_that_address_only(from_address: object, services: App) -> None:
    sprayer, colleague = from_address("203.0.113.7"), from_address("192.0.2.20")  # type: ignore[operator]
    for number in range(services.settings.login_failures_per_address_minute):
        assert sign_in(sprayer, f"guess{number % 40}", WRONG) in (401, 429)
    assert sign_in(sprayer, "auditor") == 429
    assert sign_in(colleague, "auditor") == 303


def test_a_few_failures_behind_a_shared_address_do_not_lock_out_the_others_there(
    from_address: object, services: App
) -> None:
    shared = from_address("198.51.100.1")  # type: ignore[operator]  # a hospital's NAT
    for _ in range(services.settings.login_attempts_per_minute):
        sign_in(shared, "staff", WRONG)  # one colleague forgets a password
    assert sign_in(shared, "auditor") == 303  # the next one signs in


def test_a_name_guessed_from_many_addresses_refuses_those_addresses_but_a_fresh_one_with_the_right_password_gets_in(
    from_address: object, services: App
) -> None:
    per_user = services.settings.login_failures_per_user_minute
    botnet = [from_address(f"203.0.113.{n}") for n in range(per_user)]  # type: ignore[operator]
    for bot in botnet:
        assert sign_in(bot, "clinician", WRONG) == 401
    assert sign_in(botnet[0], "clinician") == 429  # a failed address is out for this name now
    assert sign_in(from_address("192.0.2.20"), "clinician") == 303  # type: ignore[operator]


def test_the_failures_table_keeps_only_the_last_minute(from_address: object, services: App, clock: Clock) -> None:
    client = from_address("203.0.113.7")  # type: ignore[operator]
    for number in range(30):
        sign_in(client, f"probe-{number}", WRONG)
        clock.now += dt.timedelta(seconds=10)
    with services.engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(login_failures)).scalar_one()
    assert kept <= 6  # a failure every 10 s: at most the last minute's


def test_a_failure_counted_by_one_app_holds_in_another_over_the_same_database(
    services: App, from_address: object
) -> None:
    first, second = from_address("203.0.113.7"), from_address("203.0.113.7")  # type: ignore[operator]
    for _ in range(services.settings.login_attempts_per_minute):
        sign_in(first, "clinician", WRONG)
    assert first.app is not second.app
    assert sign_in(second, "clinician") == 429
