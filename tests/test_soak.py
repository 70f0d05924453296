"""Soak: `sijpath serve` on loopback takes thousands of mixed requests, oversize and malformed ones among them, and
its memory stays within a stated bound (bounded in count and time; the server is this test's own)."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import jwt
import pytest

from sijpath import wiring
from sijpath.settings import Settings
from sijpath.store.accounts import add_user
from sijpath.store.database import transaction, upgrade
from sijpath.store.tokens import create_token
from tests.cdshooks.ehr import Record, SigningKey, hook_request

REPO = Path(__file__).resolve().parent.parent
ISSUER = "https://ehr.example.org/"
ROUNDS = 300  # ten requests each: 3,000 in all
WARM_UP = 30  # rounds before the baseline is taken (imports, caches, the first assessments)
GROWTH_BOUND_MB = 40  # resident memory may grow by at most this much after the warm-up
DEADLINE_SECONDS = 240


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_memory_stays_within_its_bound_over_thousands_of_mixed_requests(tmp_path: Path) -> None:
    key = SigningKey.generate("ES384")
    engine = wiring.open_database(Settings(data_dir=tmp_path), require_current=False)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as connection:
        add_user(connection, "clinician", "correct horse battery staple", "clinician", now)
        token = create_token(connection, "clinician", "soak", now, scope="read-write")
    wiring.seed_examples(wiring.web_services(Settings(data_dir=tmp_path), engine), REPO / "examples")
    engine.dispose()
    (tmp_path / "jwks.json").write_text(json.dumps(key.jwks))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "sijpath", "serve", "--data-dir", str(tmp_path), "--port", str(port)]
    command += ["--workers", "1", "--insecure-http", "--max-request-mb", "1", "--cds-base-url", base]
    command += ["--cds-issuer", f"{ISSUER}={tmp_path / 'jwks.json'}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIJPATH_")}
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    record = Record.example("fusion-candidate")
    cds_body = hook_request("patient-view", record.patient_id, record.prefetch())
    bundle = (REPO / "examples" / "fhir" / "new-referral.json").read_bytes()
    api = {"Authorization": f"Bearer {token}"}
    statuses: Counter[int] = Counter()
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/login")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        pytest.fail((tmp_path / "server.log").read_text()[-2000:])
                    time.sleep(0.2)
            stop = time.monotonic() + DEADLINE_SECONDS
            baseline = peak = rss_mb(server.pid)
            for round_number in range(ROUNDS):
                if time.monotonic() > stop:
                    pytest.fail(f"the soak did not finish in {DEADLINE_SECONDS} s (round {round_number})")
                url = f"{base}/cds-services/sij-pathway"
                claims = {"iss": ISSUER, "aud": url, "iat": int(time.time()), "exp": int(time.time()) + 300}
                signed = jwt.encode({**claims, "jti": str(uuid.uuid4())}, key.private, algorithm="ES384")
                cds_body["hookInstance"] = str(uuid.uuid4())
                as_of = (dt.date(2026, 1, 1) + dt.timedelta(days=round_number % 90)).isoformat()
                responses = [
                    client.get("/login"),
                    client.get("/api/patients", headers=api, params={"as_of": as_of}),
                    client.get("/api/patients/fusion-candidate/assessment", headers=api, params={"as_of": as_of}),
                    client.post(
                        "/cds-services/sij-pathway", json=cds_body, headers={"Authorization": f"Bearer {signed}"}
                    ),
                    client.post(
                        "/cds-services/sij-pathway", json=cds_body, headers={"Authorization": f"Bearer {signed}"}
                    ),
                    client.post("/api/fhir/import", content=bundle, headers=api),
                    client.post("/api/fhir/import", content=b"x" * (1024 * 1024 + 1), headers=api),  # oversize
                    client.post("/api/patients", content=b"[" * 5000 + b"]" * 5000, headers=api),  # too deep
                    client.post("/login", data={"username": "x" * 64, "password": "p" * 20_000}),  # oversize form
                    client.post("/cds-services/sij-pathway", content=b"{" * 100_000),  # no JWT, garbage
                ]
                statuses.update(r.status_code for r in responses)
                current = rss_mb(server.pid)
                peak = max(peak, current)
                if round_number == WARM_UP:
                    baseline = current
            final = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    figures = (
        f"RSS after warm-up {baseline:.0f} MB, peak {peak:.0f} MB, final {final:.0f} MB; statuses {dict(statuses)}"
    )
    print(figures)
    assert statuses[500] == 0, figures
    assert statuses[413] == 2 * ROUNDS, figures  # the oversize import and the oversize sign-in form
    assert statuses[401] >= 2 * ROUNDS, figures  # the replayed JWT and the call without one
    assert final - baseline <= GROWTH_BOUND_MB, figures
    assert peak - baseline <= GROWTH_BOUND_MB, figures
