"""CH-15 (the JWT on every call) and CH-16 (CORS preflight), and the development mode that skips the JWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from starlette.testclient import TestClient

from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.service import CdsService
from tests.cdshooks.conftest import ISSUER_URL
from tests.cdshooks.ehr import JWKS_URL, Ehr, Record, SigningKey, hook_request

SERVICE = "http://testserver/cds-services/sij-pathway"
DISCOVERY = "http://testserver/cds-services"


def body() -> dict[str, Any]:
    record = Record.example("new-referral")
    return hook_request("patient-view", record.patient_id, record.prefetch())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def claims(issuer: str, aud: str, **more: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": issuer, "aud": aud, "iat": now, "exp": now + 300, "jti": f"j-{time.perf_counter_ns()}", **more}


def test_ch15_es384_and_rs384_tokens_are_accepted(ehr: Ehr, ehr_rs: Ehr) -> None:
    assert ehr.discover().status_code == 200
    assert ehr_rs.discover().status_code == 200
    assert ehr.call("sij-pathway", body()).status_code == 200
    assert ehr_rs.call("sij-pathway", body()).status_code == 200


def test_ch15_alg_none_and_hmac_tokens_are_refused_with_a_bare_401(ehr: Ehr, es_key: SigningKey) -> None:
    none = unsigned(claims(ehr.issuer, SERVICE), {"alg": "none", "typ": "JWT", "kid": es_key.kid}) + "."
    public_pem = es_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = unsigned(claims(ehr.issuer, SERVICE), {"alg": "HS384", "typ": "JWT", "kid": es_key.kid})
    confused = signing_input + "." + b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha384).digest())

    for token in (none, confused):
        response = ehr.call("sij-pathway", body(), headers=bearer(token))
        assert response.status_code == 401
        assert response.content == b""


@pytest.mark.parametrize(
    ("path", "aud"),
    [
        ("/cds-services", SERVICE),  # a service's token used for discovery
        ("/cds-services/sij-pathway", DISCOVERY),  # the discovery token used for a service
        ("/cds-services/sij-pathway", "http://testserver/cds-services/sij-procedure-order"),
        ("/cds-services/sij-pathway", "https://elsewhere.example.org/cds-services/sij-pathway"),
    ],
)
def test_ch15_a_token_for_another_url_is_refused(ehr: Ehr, path: str, aud: str) -> None:
    headers = bearer(ehr.token(aud))
    if path == "/cds-services":
        response = ehr.client.get(path, headers=headers)
    else:
        response = ehr.client.post(path, json=body(), headers=headers)
    assert response.status_code == 401
    assert response.content == b""


def test_ch15_expired_replayed_untrusted_and_far_future_tokens_are_refused(ehr: Ehr, es_key: SigningKey) -> None:
    now = int(time.time())
    stranger = Ehr(ehr.client, "https://unknown.example.org/", es_key)
    replayed = ehr.token(SERVICE)
    assert ehr.call("sij-pathway", body(), headers=bearer(replayed)).status_code == 200
    refused = [
        bearer(replayed),
        bearer(ehr.token(SERVICE, exp=now - 120)),
        bearer(ehr.token(SERVICE, exp=now + 2 * 3600)),
        bearer(ehr.token(SERVICE, header={"kid": "no-such-key"})),
        bearer(stranger.token(SERVICE)),
        bearer(_without(ehr, "jti")),
        {"Authorization": f"Basic {ehr.token(SERVICE)}"},
        bearer("not-a-jwt"),
        bearer("a.b.c"),
        bearer(f"{b64(b'[1]')}.{b64(b'{}')}.sig"),
        {},
    ]
    for headers in refused:
        response = ehr.call("sij-pathway", body(), headers=headers)
        assert response.status_code == 401, headers
        assert response.content == b""


def _without(ehr: Ehr, claim: str) -> str:
    payload = claims(ehr.issuer, SERVICE)
    del payload[claim]
    return jwt.encode(payload, ehr.key.private, algorithm=ehr.key.alg, headers={"kid": ehr.key.kid})


def test_ch15_aud_may_be_an_array_and_extra_claims_are_tolerated(ehr: Ehr) -> None:
    now = int(time.time())
    as_array = ehr.token(["https://other.example.org/", SERVICE])
    extra = ehr.token(SERVICE, nbf=now - 300, sub="epic-client-1", tenant="2ddd6c3a-8e9a-44c6-a305-52111ad302a2")

    assert ehr.call("sij-pathway", body(), headers=bearer(as_array)).status_code == 200
    assert ehr.call("sij-pathway", body(), headers=bearer(extra)).status_code == 200


def test_ch15_keys_are_fetched_from_a_registered_jwks_url_and_another_jku_is_refused(
    client: TestClient, rs_key: SigningKey
) -> None:
    ehr = Ehr(client, ISSUER_URL, rs_key)
    assert ehr.call("sij-pathway", body()).status_code == 200
    assert (
        ehr.call("sij-pathway", body(), headers=bearer(ehr.token(SERVICE, header={"jku": JWKS_URL}))).status_code == 200
    )
    elsewhere = ehr.token(SERVICE, header={"jku": "https://attacker.example.org/jwks.json"})
    assert ehr.call("sij-pathway", body(), headers=bearer(elsewhere)).status_code == 401


def test_ch15_feedback_takes_a_token_for_its_own_url_or_its_service(ehr: Ehr) -> None:
    item = {"feedback": [{"card": "c-1", "outcome": "overridden", "outcomeTimestamp": "2026-11-01T09:00:00Z"}]}
    path = "/cds-services/sij-pathway/feedback"
    for aud, status in ((f"http://testserver{path}", 200), (SERVICE, 200), (DISCOVERY, 401)):
        assert ehr.client.post(path, json=item, headers=bearer(ehr.token(aud))).status_code == status


@pytest.mark.parametrize(
    "path", ["/cds-services", "/cds-services/sij-pathway", "/cds-services/sij-procedure-order/feedback"]
)
def test_ch16_cors_preflight_allows_authorization_and_content_type(client: TestClient, path: str) -> None:
    response = client.options(
        path,
        headers={
            "Origin": "https://sandbox.cds-hooks.org",
            "Access-Control-Request-Method": "POST" if path != "/cds-services" else "GET",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert response.status_code == 200
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert response.headers["access-control-allow-origin"] in ("*", "https://sandbox.cds-hooks.org")


def test_ch16_answers_and_refusals_carry_the_cors_origin(ehr: Ehr) -> None:
    origin = {"Origin": "https://sandbox.cds-hooks.org"}
    answered = ehr.client.get("/cds-services", headers={**ehr.auth("/cds-services"), **origin})
    refused = ehr.client.post("/cds-services/sij-pathway", json=body(), headers=origin)

    assert answered.headers["access-control-allow-origin"] == "*"
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"


def test_development_mode_is_off_by_default_and_when_on_skips_the_jwt_and_says_so(
    make_service: Callable[..., CdsService], caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_cds_app(make_service())) as strict:
        assert strict.get("/cds-services").status_code == 401

    with caplog.at_level(logging.WARNING):
        lenient = make_service(cds_development_mode=True)
    assert "DEVELOPMENT MODE" in caplog.text
    with TestClient(create_cds_app(lenient)) as open_client:
        assert open_client.get("/cds-services").status_code == 200
        assert open_client.post("/cds-services/sij-pathway", json=body()).status_code == 200


def test_ch15_a_token_naming_a_key_of_the_wrong_type_is_a_bare_401_not_a_500(
    make_service: Callable[..., CdsService], es_key: SigningKey, rs_key: SigningKey, tmp_path: Any
) -> None:
    # Real JWKS often omit `alg`: the key's type must still decide which algorithms it can verify.
    rsa_public = {k: v for k, v in rs_key.jwks["keys"][0].items() if k != "alg"}
    jwks = tmp_path / "no-alg-jwks.json"
    jwks.write_text(json.dumps({"keys": [rsa_public]}))
    issuer = "https://ehr-no-alg.example.org/"
    service = make_service(cds_trusted_issuers={issuer: str(jwks)})
    with TestClient(create_cds_app(service)) as client:
        # An ES384 token whose kid names the RSA key.
        forged = Ehr(client, issuer, SigningKey("ES384", rs_key.kid, es_key.private))
        response = forged.discover()

    assert response.status_code == 401
    assert response.content == b""
