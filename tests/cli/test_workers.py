"""`sijpath serve --workers 2` on loopback: a CDS token replayed to the other worker is refused, the sign-in
throttle holds whichever worker answers, and both workers serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from sijpath import wiring
from sijpath.settings import Settings
from sijpath.store.accounts import add_user
from sijpath.store.database import transaction, upgrade
from tests.cdshooks.ehr import Record, SigningKey, hook_request

ISSUER = "https://ehr.example.org/"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("ES384")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, key: SigningKey) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("workers")
    engine = wiring.open_database(Settings(data_dir=folder), require_current=False)
    upgrade(engine)
    with transaction(engine) as connection:
        add_user(connection, "clinician", PASSWORD, "clinician", wiring.web_services(Settings(), engine).now())
    engine.dispose()
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps(key.jwks))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIJPATH_")}
    command = [sys.executable, "-m", "sijpath", "serve", "--data-dir", str(folder), "--port", str(port)]
    command += ["--workers", "2", "--insecure-http", "--cds-issuer", f"{ISSUER}={jwks}", "--cds-base-url", base]
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(children(process.pid)) < 2:
            time.sleep(0.2)
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the server did not start: {(folder / 'server.log').read_text()[-2000:]}")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_two_worker_processes_serve(server: tuple[str, int]) -> None:
    _, pid = server
    assert len(children(pid)) >= 2  # uvicorn's supervisor and its two workers


def test_a_cds_token_works_once_whichever_worker_it_reaches(server: tuple[str, int], key: SigningKey) -> None:
    base, _ = server
    url = f"{base}/cds-services/sij-pathway"
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": url, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    token = jwt.encode(claims, key.private, algorithm=key.alg, headers={"kid": key.kid})
    record = Record.example("new-referral")
    body = hook_request("patient-view", record.patient_id, record.prefetch())
    statuses = []
    for _ in range(12):  # a new connection each time: the kernel hands them to either worker
        with httpx.Client(timeout=10) as client:
            statuses.append(client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}).status_code)
    assert statuses[0] == 200
    assert statuses[1:] == [401] * 11


def test_the_sign_in_throttle_holds_whichever_worker_answers(server: tuple[str, int]) -> None:
    base, _ = server
    form = {"username": "clinician", "password": "wrong password!!", "next": "/"}
    for _ in range(5):
        with httpx.Client(timeout=10) as client:
            assert client.post(f"{base}/login", data=form).status_code == 401
    right = {**form, "password": PASSWORD}
    for _ in range(6):
        with httpx.Client(timeout=10) as client:
            assert client.post(f"{base}/login", data=right).status_code == 429
