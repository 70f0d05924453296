"""CDS Hooks fixtures: the service over a temporary database, a fixed clock, two signing EHRs and a fake FHIR server."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from sijpath import wiring
from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.service import CdsService, create_service
from sijpath.settings import Settings
from sijpath.store.database import upgrade
from tests.cdshooks.ehr import JWKS_URL, Ehr, FakeFhir, SigningKey

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
ISSUER_ES = "https://ehr-es.example.org/"
ISSUER_RS = "https://ehr-rs.example.org/"
ISSUER_URL = "https://ehr-url.example.org/"
WEB_APP = "https://sijpath.example.org"
FHIR_SERVERS = (
    "https://ehr.example.org/fhir",
    "http://ehr.example.org/fhir",
    "https://fhir.example.org/r4",
    "http://hooks.smarthealthit.org:9080",
    "http://fhir.example.org:9080",
    "http://example.org/some-payer/fhir/crd",
)


@pytest.fixture(scope="session")
def es_key() -> SigningKey:
    return SigningKey.generate("ES384")


@pytest.fixture(scope="session")
def rs_key() -> SigningKey:
    return SigningKey.generate("RS384")


@pytest.fixture
def fhir(rs_key: SigningKey) -> FakeFhir:
    return FakeFhir(jwks=rs_key.jwks)


@pytest.fixture
def make_settings(tmp_path: Path, es_key: SigningKey, rs_key: SigningKey) -> Callable[..., Settings]:
    """Settings trusting three issuers: one ES384 and one RS384 with JWKS files, one with a JWKS URL."""
    es_file, rs_file = tmp_path / "es-jwks.json", tmp_path / "rs-jwks.json"
    es_file.write_text(json.dumps(es_key.jwks))
    rs_file.write_text(json.dumps(rs_key.jwks))
    issuers = {ISSUER_ES: str(es_file), ISSUER_RS: str(rs_file), ISSUER_URL: JWKS_URL}

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path,
            "cds_trusted_issuers": issuers,
            "cds_base_url": "http://testserver",  # where the test client calls
            "cds_allow_http_fhir_server": True,  # the spec's and CRD's examples name http:// servers
            # The test EHRs and the servers the spec's and CRD's examples name (not on the issuers' hosts).
            "cds_fhir_servers": {issuer: FHIR_SERVERS for issuer in issuers},
            "web_app_url": WEB_APP,
            **overrides,
        }
        return Settings.model_validate(values)

    return make


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    db = wiring.open_database(Settings(data_dir=tmp_path), require_current=False)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def make_service(engine: Engine, fhir: FakeFhir, make_settings: Callable[..., Settings]) -> Callable[..., CdsService]:
    def make(**overrides: object) -> CdsService:
        return create_service(make_settings(**overrides), engine, wiring.load_ruleset, lambda: NOW, fhir.transport)

    return make


@pytest.fixture
def service(make_service: Callable[..., CdsService]) -> CdsService:
    return make_service()


@pytest.fixture
def client(service: CdsService) -> Iterator[TestClient]:
    with TestClient(create_cds_app(service)) as test_client:
        yield test_client


@pytest.fixture
def ehr(client: TestClient, es_key: SigningKey) -> Ehr:
    """The EHR signing with ES384 (a JWKS file registered for its issuer)."""
    return Ehr(client, ISSUER_ES, es_key)


@pytest.fixture
def ehr_rs(client: TestClient, rs_key: SigningKey) -> Ehr:
    """An EHR signing with RS384."""
    return Ehr(client, ISSUER_RS, rs_key)
