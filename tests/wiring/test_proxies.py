"""X-Forwarded-For is believed only from configured proxies (none by default); the audit records the real client."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath.store.tables import audit_log
from sijpath.wiring.proxies import client_behind
from tests.web.conftest import PASSWORD

PROXY = [ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("10.1.0.0/24")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("127.0.0.1", ["6.6.6.6"], "127.0.0.1"),  # loopback is not trusted by default
        ("203.0.113.9", ["6.6.6.6"], "203.0.113.9"),  # nor any other peer
        ("10.0.0.5", ["198.51.100.7"], "198.51.100.7"),  # the proxy's word is taken
        ("10.0.0.5", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # the client's own prefix proves nothing
        ("10.0.0.5", ["6.6.6.6", "198.51.100.7, 10.1.0.3"], "198.51.100.7"),  # through two trusted hops
        ("10.0.0.5", ["not-an-address"], "10.0.0.5"),  # an unreadable chain: only the peer is known
        ("10.0.0.5", [], "10.0.0.5"),
        ("10.0.0.5", ["[2001:db8::7]:443"], "2001:db8::7"),
    ],
)
def test_the_client_is_the_rightmost_untrusted_hop_and_only_behind_a_trusted_proxy(
    peer: str, forwarded: list[str], expected: str
) -> None:
    assert client_behind(peer, forwarded, PROXY) == expected


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [((), "127.0.0.1", "127.0.0.1"), (("127.0.0.1",), "127.0.0.1", "198.51.100.7")],
    ids=["default-none", "configured"],
)
def test_the_audit_records_the_real_client_and_a_forged_header_is_ignored_unless_the_proxy_is_trusted(
    served: Callable[..., TestClient], trusted: tuple[str, ...], peer: str, expected: str
) -> None:
    client = served(client=(peer, 5000), trusted_proxies=trusted)
    response = client.post(
        "/login",
        data={"username": "clinician", "password": PASSWORD, "next": "/"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert response.status_code == 303
    engine = client.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        found = [r.remote for r in connection.execute(select(audit_log).where(audit_log.c.action == "sign-in"))]
    assert found == [expected]


def test_a_forged_header_does_not_get_round_the_per_address_throttle(served: Callable[..., TestClient]) -> None:
    client = served(client=("127.0.0.1", 5000))
    for n in range(5):
        form = {"username": "clinician", "password": "wrong password!!", "next": "/"}
        client.post("/login", data=form, headers={"X-Forwarded-For": f"198.51.100.{n}"})
    right = {"username": "clinician", "password": PASSWORD, "next": "/"}
    assert client.post("/login", data=right, headers={"X-Forwarded-For": "198.51.100.99"}).status_code == 429
