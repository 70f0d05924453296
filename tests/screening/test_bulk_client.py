"""The Bulk Data client against a small conforming server: polling as asked, errors named, tokens renewed,
downloads resumed, and the folder it writes is one `sijpath screen` reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import orjson
import pytest

from sijpath.errors import BulkExportError, UsageError
from sijpath.screening.backend_auth import BackendClient, TokenSource, load_signing_key
from sijpath.screening.bulk_client import ExportRequest, ExportResult, run_export
from sijpath.screening.scan import find_export
from sijpath.wiring.bulk import export_from_server
from tests.screening.bulk_server import (
    BASE,
    CLIENT_ID,
    FILES,
    TOKEN_URL,
    BulkServer,
    Clock,
    complete,
    in_progress,
    jwks,
    outcome,
    too_many,
)


def _server(tmp_path: Path, kind: str = "rsa", **more: object) -> tuple[BulkServer, Path]:
    document, public = jwks(kind)
    key_file = tmp_path / "client.jwks.json"
    key_file.write_bytes(orjson.dumps(document))
    return BulkServer(public, Clock(), **more), key_file  # type: ignore[arg-type]


def _export(server: BulkServer, key_file: Path, out: Path, **request: object) -> tuple[ExportResult, list[str]]:
    said: list[str] = []
    http = httpx.Client(transport=server.transport())
    tokens = TokenSource(BackendClient(CLIENT_ID, load_signing_key(key_file), TOKEN_URL), http, server.clock)
    found = run_export(http, ExportRequest(BASE, out, **request), tokens, server.clock.pause, server.clock, said.append)  # type: ignore[arg-type]
    return found, said


@pytest.mark.parametrize("kind", ["rsa", "ec"], ids=["RS384", "ES384"])
def test_the_client_waits_as_the_server_asks_and_downloads_every_file_with_the_token(tmp_path: Path, kind: str) -> None:
    server, key_file = _server(tmp_path, kind, status=[in_progress("5"), too_many("30"), in_progress(None), complete])
    result, said = _export(server, key_file, tmp_path / "out", types=("Patient", "Observation"))
    assert server.clock.pauses[:2] == [5.0, 30.0]  # Retry-After of the 202, then of the 429
    assert len(server.clock.pauses) == 3
    assert server.clock.pauses[2] > 0  # no Retry-After: the client backs off
    assert "export in progress: 50%" in said
    assert [p.read_bytes() for p in result.files] == list(FILES.values())
    assert result.transaction_time == "2026-11-01T09:00:00Z"
    kickoff = next(r for r in server.seen if "/$export" in str(r.url))
    assert kickoff.url.params["_type"] == "Patient,Observation"
    assert kickoff.headers["Accept"] == "application/fhir+json"
    downloads = [r for r in server.seen if r.url.host == "files.example"]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in downloads)
    export = find_export(tmp_path / "out")  # the manifest names the local files: nothing is missing
    assert export.issues == ()
    assert [p.name for p in export.files] == ["Observation.000.ndjson", "Patient.000.ndjson"]


def test_a_retry_after_given_as_an_http_date_is_honoured(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path)
    server.status = [in_progress("Sun, 01 Nov 2026 09:02:00 GMT"), complete]
    _export(server, key_file, tmp_path / "out")
    assert server.clock.pauses == [120.0]


def test_no_token_goes_to_a_file_server_that_did_not_ask_for_one(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path, status=[complete], requires_token=False)
    result, _ = _export(server, key_file, tmp_path / "out")
    assert len(result.files) == len(FILES)  # the server answers 400 to a download that carries a token


def test_a_refused_kick_off_is_an_error_naming_what_the_operation_outcome_says(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path)
    server.kickoff = lambda s: httpx.Response(400, content=outcome("not-supported", "_type Foo is not supported"))
    with pytest.raises(BulkExportError, match=r"export kick-off .*HTTP 400: _type Foo is not supported"):
        _export(server, key_file, tmp_path / "out")


def test_a_failed_export_is_an_error_and_a_transient_one_is_retried(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path)
    server.status = [lambda s: httpx.Response(500, content=outcome("exception", "the export job crashed"))]
    with pytest.raises(BulkExportError, match=r"export status .*HTTP 500: the export job crashed"):
        _export(server, key_file, tmp_path / "failed")
    server, key_file = _server(tmp_path)
    transient = httpx.Response(500, content=outcome("transient", "database busy"), headers={"Retry-After": "7"})
    server.status = [lambda s: transient, complete]
    result, _ = _export(server, key_file, tmp_path / "retried")
    assert (server.clock.pauses, len(result.files)) == ([7.0], len(FILES))


def test_an_expired_token_is_renewed_before_use_and_a_revoked_one_after_a_401(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path, token_seconds=60)
    server.status = [in_progress("100"), lambda s: (s.revoked.update(s.tokens), in_progress("1")(s))[1], complete]
    result, _ = _export(server, key_file, tmp_path / "out")
    assert len(server.tokens) == 3  # the first, one after it expired while waiting, one after the revocation
    assert sum(1 for r in server.seen if str(r.url) == TOKEN_URL) == 3
    assert len(result.files) == len(FILES)
    refused = [r for r in server.seen if str(r.url) == f"{BASE}/jobs/42"]
    assert len(refused) == 4  # three polls and the one poll repeated after its 401


def test_a_run_stopped_while_polling_resumes_the_same_job_and_a_partial_file_goes_on_from_its_last_byte(
    tmp_path: Path,
) -> None:
    server, key_file = _server(tmp_path, status=[in_progress("600"), in_progress("600"), complete])
    out = tmp_path / "out"
    with pytest.raises(BulkExportError, match="run the same command again"):
        _export(server, key_file, out, max_wait=dt.timedelta(minutes=15))
    result, _ = _export(server, key_file, out, max_wait=dt.timedelta(minutes=15))
    assert result.resumed
    assert sum(1 for r in server.seen if "/$export" in str(r.url)) == 1  # one kick-off for both runs
    first = result.files[0]
    first.unlink()
    first.with_name(first.name + ".partial").write_bytes(FILES["Patient"][:10])
    before = len(server.seen)
    again, _ = _export(server, key_file, out)
    assert again.files[0].read_bytes() == FILES["Patient"]
    asked = [(r.url.path, r.headers.get("Range")) for r in server.seen[before:] if r.url.host == "files.example"]
    assert asked == [("/Patient", "bytes=10-")]  # only the unfinished file, from the byte it had reached


def test_a_folder_holding_another_export_is_refused(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path, status=[complete])
    _export(server, key_file, tmp_path / "out")
    with pytest.raises(UsageError, match="holds another export"):
        _export(server, key_file, tmp_path / "out", types=("Condition",))


def test_a_key_file_without_a_private_key_is_refused_naming_the_file(tmp_path: Path) -> None:
    document, _ = jwks()
    public = {"keys": [{k: v for k, v in document["keys"][0].items() if k in ("kty", "n", "e", "kid")}]}  # type: ignore[index,union-attr]
    path = tmp_path / "public.json"
    path.write_bytes(orjson.dumps(public))
    with pytest.raises(UsageError, match=r"public\.json: no private key"):
        load_signing_key(path)


def test_the_token_endpoint_comes_from_the_servers_smart_configuration(tmp_path: Path) -> None:
    server, key_file = _server(tmp_path, status=[in_progress("0"), complete])
    server.clock.now = dt.datetime.now(dt.UTC)  # the client runs on the real clock here
    request = ExportRequest(BASE, tmp_path / "out", patients=True)
    result = export_from_server(request, client_id=CLIENT_ID, key_file=key_file, transport=server.transport())
    assert len(result.files) == len(FILES)
    assert any(str(r.url) == f"{BASE}/Patient/$export?_outputFormat=application%2Ffhir%2Bndjson" for r in server.seen)
