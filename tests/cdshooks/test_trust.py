"""CDS trust and cards (issue 12): JWKS only from a file or https and never with private keys, a fhirServer
allow-list per issuer, http only by an explicit setting that keeps JWTs checked, the card for a patient with no
data, singular counts, capped fhirServer answers, and every different feedback item kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.security import parse_jwks
from sijpath.cdshooks.service import CdsService
from sijpath.errors import UsageError
from sijpath.settings import Settings
from sijpath.store.tables import cds_feedback
from tests.cdshooks.conftest import ISSUER_ES
from tests.cdshooks.ehr import FHIR_BASE, Ehr, FakeFhir, Record, SigningKey, hook_request, order


def call(make_service: Callable[..., CdsService], key: SigningKey, body: dict[str, Any], **settings: Any) -> Any:
    with TestClient(create_cds_app(make_service(**settings))) as client:
        return Ehr(client, ISSUER_ES, key).call("sij-pathway", body)


def fetching(record: Record, server: str = FHIR_BASE) -> dict[str, Any]:
    body = hook_request("patient-view", record.patient_id, None, fhir=True)
    body["fhirServer"] = server
    return body


# JWKS


def test_a_jwks_url_over_plain_http_is_refused_as_a_trust_anchor() -> None:
    with pytest.raises(ValidationError, match="https"):
        Settings(cds_trusted_issuers={"https://ehr.example.org/": "http://ehr.example.org/jwks.json"})


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_a_jwks_holding_a_private_key_is_refused_naming_the_problem(alg: str) -> None:
    key = SigningKey.generate(alg)
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    private = (ECAlgorithm if alg == "ES384" else RSAAlgorithm).to_jwk(key.private, as_dict=True)
    with pytest.raises(UsageError, match="private key material"):
        parse_jwks(json.dumps({"keys": [{**private, "kid": "k"}]}).encode(), "ehr-jwks.json")


def test_a_service_configured_with_a_private_jwks_file_does_not_start(
    make_service: Callable[..., CdsService], tmp_path: Path, es_key: SigningKey
) -> None:
    from jwt.algorithms import ECAlgorithm

    leaked = tmp_path / "leaked.json"
    leaked.write_text(json.dumps({"keys": [ECAlgorithm.to_jwk(es_key.private, as_dict=True)]}))
    with pytest.raises(UsageError, match="private key material"):
        make_service(cds_trusted_issuers={ISSUER_ES: str(leaked)})


# fhirServer allow-list


@pytest.mark.parametrize(
    "server",
    [
        "https://127.0.0.1:6379/fhir",
        "https://localhost/fhir",
        "https://other.example.net/fhir",
        f"{FHIR_BASE}x",
        "https://ehr.example.org:99999/fhir",
    ],
)
def test_a_fhir_server_not_allowed_for_the_issuer_gets_412_and_nothing_is_fetched(
    make_service: Callable[..., CdsService], es_key: SigningKey, fhir: FakeFhir, server: str
) -> None:
    record = fhir.add(Record.example("new-referral"))

    response = call(make_service, es_key, fetching(record, server))

    assert response.status_code == 412
    assert "fhirServer" in response.json()["issue"][0]["diagnostics"]
    assert fhir.seen == []


def test_by_default_an_issuer_may_name_only_https_servers_on_its_own_host(
    make_service: Callable[..., CdsService], es_key: SigningKey, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("new-referral"))
    own_host = {"cds_fhir_servers": {}, "cds_allow_http_fhir_server": False}

    other_host = call(make_service, es_key, fetching(record), **own_host)  # ehr.example.org, not ehr-es.example.org
    assert other_host.status_code == 412
    fhir.base = "https://ehr-es.example.org/fhir"
    on_its_host = call(make_service, es_key, fetching(record, fhir.base), **own_host)
    assert on_its_host.status_code == 200


def test_an_http_fhir_server_is_allowed_only_by_the_explicit_setting_and_the_jwt_is_still_checked(
    make_service: Callable[..., CdsService], es_key: SigningKey, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("new-referral"))
    fhir.base = "http://ehr.example.org/fhir"
    body = fetching(record, fhir.base)

    assert call(make_service, es_key, body, cds_allow_http_fhir_server=False).status_code == 412
    assert call(make_service, es_key, body, cds_allow_http_fhir_server=True).status_code == 200
    with TestClient(create_cds_app(make_service(cds_allow_http_fhir_server=True))) as client:
        assert client.post("/cds-services/sij-pathway", json=body).status_code == 401  # no JWT: still refused


# fhirServer answers are bounded


def test_an_answer_over_the_size_cap_is_412_not_read_on(
    make_service: Callable[..., CdsService], es_key: SigningKey, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("new-referral"))
    padding = "x" * (2 * 1024 * 1024)
    original = fhir.handle

    def bloated(request: httpx.Request) -> httpx.Response:
        answer = original(request)
        document = json.loads(answer.content)
        document["padding"] = padding
        return httpx.Response(answer.status_code, json=document)

    fhir.handle = bloated  # type: ignore[method-assign]
    response = call(make_service, es_key, fetching(record), cds_fhir_max_response_mb=1)

    assert response.status_code == 412
    assert "more than 1 MB" in response.text


def test_more_resources_than_the_cap_for_one_call_is_412(
    make_service: Callable[..., CdsService], es_key: SigningKey, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("fusion-candidate"))

    response = call(make_service, es_key, fetching(record), cds_fhir_max_resources=3)

    assert response.status_code == 412
    assert "more than 3 resources" in response.text


# Cards


def test_a_patient_with_no_data_gets_a_card_saying_so_that_is_not_a_pathway_card(
    make_service: Callable[..., CdsService], es_key: SigningKey
) -> None:
    record = Record.example("new-referral")
    [card] = call(
        make_service, es_key, hook_request("patient-view", record.patient_id, record.prefetch("null"))
    ).json()["cards"]

    assert card["summary"] == "SI-joint pathway: no patient data received, nothing assessed"
    assert "No clinical data was received" in card["detail"]
    assert "Next step" not in card["detail"]
    assert "Where the patient stands" not in card["detail"]


def test_an_order_for_a_patient_with_no_data_gets_a_warning_saying_nothing_was_checked(
    make_service: Callable[..., CdsService], es_key: SigningKey
) -> None:
    record = Record.example("new-referral")
    body = hook_request(
        "order-sign",
        record.patient_id,
        record.prefetch("null"),
        draft_orders=[order("27279", record.patient_id, "fusion-1")],
    )
    with TestClient(create_cds_app(make_service())) as client:
        [card] = Ehr(client, ISSUER_ES, es_key).call("sij-procedure-order", body).json()["cards"]

    assert card["summary"] == "CPT 27279: no patient data received, nothing assessed"
    assert card["indicator"] == "warning"


# Feedback


def test_different_feedback_items_on_one_card_at_one_time_are_all_kept_and_a_repeat_is_not(
    ehr: Ehr, engine: Engine
) -> None:
    card, at = "9368d37b-283f-44a0-93ea-547cebab93ed", "2026-11-01T09:00:00Z"
    reason = {"system": "https://example.com/r", "code": "not-applicable"}
    items = [
        {"card": card, "outcome": "overridden", "overrideReason": {"reason": reason}, "outcomeTimestamp": at},
        {
            "card": card,
            "outcome": "overridden",
            "overrideReason": {"userComment": "seen elsewhere"},
            "outcomeTimestamp": at,
        },
    ]

    assert ehr.feedback("sij-pathway", items).status_code == 200
    assert ehr.feedback("sij-pathway", items).status_code == 200

    with engine.connect() as connection:
        stored = connection.execute(select(cds_feedback.c.detail).where(cds_feedback.c.outcome == "overridden")).all()
    assert sorted(list(json.loads(r.detail)) for r in stored) == [["reason"], ["userComment"]]
