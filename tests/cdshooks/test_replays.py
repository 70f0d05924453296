"""The jti replay cache lives in the database: a token used on one server process is refused by another."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.service import CdsService
from tests.cdshooks.conftest import ISSUER_ES
from tests.cdshooks.ehr import Ehr, Record, SigningKey, hook_request


def test_a_token_used_on_one_worker_is_refused_by_another_over_the_same_database(
    make_service: Callable[..., CdsService], es_key: SigningKey
) -> None:
    record = Record.example("new-referral")
    body = hook_request("patient-view", record.patient_id, record.prefetch())
    with (
        TestClient(create_cds_app(make_service())) as first,
        TestClient(create_cds_app(make_service())) as second,
    ):
        headers = Ehr(first, ISSUER_ES, es_key).auth("/cds-services/sij-pathway")
        assert first.post("/cds-services/sij-pathway", json=body, headers=headers).status_code == 200
        assert second.post("/cds-services/sij-pathway", json=body, headers=headers).status_code == 401
        assert first.post("/cds-services/sij-pathway", json=body, headers=headers).status_code == 401


def test_a_fresh_token_still_works_on_both(make_service: Callable[..., CdsService], es_key: SigningKey) -> None:
    record = Record.example("new-referral")
    body = hook_request("patient-view", record.patient_id, record.prefetch())
    with (
        TestClient(create_cds_app(make_service())) as first,
        TestClient(create_cds_app(make_service())) as second,
    ):
        for client in (first, second, first):
            headers = Ehr(client, ISSUER_ES, es_key).auth("/cds-services/sij-pathway")
            assert client.post("/cds-services/sij-pathway", json=body, headers=headers).status_code == 200
