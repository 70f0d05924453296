"""`sijpath serve` runs the CDS Hooks service beside the web app, with its settings from options and variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from sijpath import wiring
from sijpath.cli import main
from sijpath.errors import UsageError
from sijpath.settings import Settings
from sijpath.store.database import upgrade
from tests.cdshooks.conftest import ISSUER_ES
from tests.cdshooks.ehr import Ehr, SigningKey


def test_one_app_serves_the_cds_service_and_the_web_app(tmp_path: Path, es_key: SigningKey) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(es_key.jwks))
    settings = Settings(
        data_dir=tmp_path,
        secure_cookies=False,
        cds_trusted_issuers={ISSUER_ES: str(jwks)},
        cds_base_url="http://testserver",
    )
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)

    app = wiring.server_app(wiring.web_services(settings, engine), wiring.cds_service(settings, engine))

    with TestClient(app) as client:
        assert Ehr(client, ISSUER_ES, es_key).discover().status_code == 200
        assert client.get("/cds-services").status_code == 401
        assert client.get("/login").status_code == 200
        assert "cds-services" not in client.get("/login").text
    engine.dispose()


def test_serve_takes_the_cds_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, es_key: SigningKey) -> None:
    for variable in ("SIJPATH_DATA_DIR", "SIJPATH_DATABASE_URL", "SIJPATH_RULESET", "SIJPATH_CDS_ISSUERS"):
        monkeypatch.delenv(variable, raising=False)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(es_key.jwks))
    assert main(["db", "upgrade", "--data-dir", str(tmp_path)]) == 0
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))

    code = main(
        [
            "serve",
            "--data-dir",
            str(tmp_path),
            "--port",
            "8123",
            "--cds-base-url",
            "https://cds.example.org",
            "--cds-issuer",
            f"{ISSUER_ES}={jwks}",
            "--cds-ruleset",
            "commercial-strict",
            "--web-app-url",
            "https://sijpath.example.org",
            "--workers",
            "1",  # the in-process app, which uvicorn.run (patched above) is given
        ]
    )

    assert code == 0
    assert started["port"] == 8123
    assert started["access_log"] is False
    with TestClient(started["app"], base_url="https://cds.example.org") as client:
        ehr = Ehr(client, ISSUER_ES, es_key, base="https://cds.example.org")
        assert ehr.discover().status_code == 200
    assert main(["serve", "--data-dir", str(tmp_path), "--cds-issuer", "no-equals-sign"]) == 2
    assert main(["serve", "--data-dir", str(tmp_path), "--cds-ruleset", "no-such-rule-set"]) == 2


def test_issuers_come_from_a_variable_as_json(tmp_path: Path) -> None:
    environ = {"SIJPATH_CDS_ISSUERS": json.dumps({ISSUER_ES: "/etc/jwks.json"}), "SIJPATH_CDS_DEVELOPMENT_MODE": "0"}

    settings = wiring.settings_from(environ, data_dir=tmp_path)

    assert settings.cds_trusted_issuers == {ISSUER_ES: "/etc/jwks.json"}
    assert settings.cds_development_mode is False
    assert Settings().cds_development_mode is False  # never the default


def test_trusted_issuers_without_a_public_base_url_are_refused_at_start(tmp_path: Path, es_key: SigningKey) -> None:
    # The expected `aud` would otherwise come from the Host header, which a caller with another service's token sets.
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(es_key.jwks))
    settings = Settings(data_dir=tmp_path, cds_trusted_issuers={ISSUER_ES: str(jwks)})
    engine = wiring.open_database(settings, require_current=False)

    with pytest.raises(UsageError, match="--cds-base-url"):
        wiring.cds_service(settings, engine)
    engine.dispose()
