"""Benchmark: page and API reads on SQLite while a large FHIR Bundle is being imported (target: every read within a
second), with the same reads on the idle server as the floor, measured in the same run.

Run: .venv/bin/python benchmarks/read_during_import.py [--patients 2000] [--workers 2]

Spawns `sijpath serve` on 127.0.0.1 over a fresh SQLite database with a clinician (who imports, through
POST /api/fhir/import with a read-write token) and a staff user (who reads). Staff reads the patient list page, a
patient page and the API's episode, one after another, for a few seconds on the idle server, then the whole time
the import runs. Prints for each phase the number of reads, median, p99 and maximum latency in milliseconds, the
import's duration and patients per second, and the ratio of the p99 during the import to the idle p99.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

REPO = Path(__file__).resolve().parents[1]
NAMES = ("new-referral", "fusion-candidate", "rfa-candidate", "lasting-relief", "post-fusion")


def entries_for(name: str, suffix: str) -> list[dict[str, Any]]:
    """An example Bundle's entries with every id, fullUrl and reference made unique (a new patient): the reliability
    tests' generator, so the benchmark imports what they do."""
    sys.path.insert(0, str(REPO))
    from tests.web.test_reliability import example_entries

    return example_entries(name, suffix)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path) -> tuple[str, str]:
    """The schema, a clinician and a staff user, and their tokens (read-write, read)."""
    sys.path.insert(0, str(REPO))
    from sijpath import wiring
    from sijpath.settings import Settings
    from sijpath.store.accounts import add_user
    from sijpath.store.database import transaction, upgrade
    from sijpath.store.tokens import create_token

    engine = wiring.open_database(Settings(data_dir=folder), require_current=False)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as connection:
        add_user(connection, "importer", "benchmark password", "clinician", now)
        add_user(connection, "reader", "benchmark password", "staff", now)
        writer = create_token(connection, "importer", "bench", now, scope="read-write")
        reader = create_token(connection, "reader", "bench", now)
    wiring.seed_examples(wiring.web_services(Settings(data_dir=folder), engine), REPO / "examples")
    engine.dispose()
    return writer, reader


def reads(base: str, token: str, stop: threading.Event, latencies: list[float], errors: list[int]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    paths = ["/api/patients?limit=50", "/api/patients/fusion-candidate", "/api/patients/fusion-candidate/assessment"]
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            response = client.get(paths[n % len(paths)])
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(response.status_code)
            n += 1
            time.sleep(0.02)


def summary(name: str, latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    found = {"reads": len(latencies), "p50": statistics.median(latencies), "p99": cuts[98], "max": max(latencies)}
    print(
        f"{name:>15}: {found['reads']:>5} reads  median {found['p50']:7.1f} ms  p99 {found['p99']:7.1f} ms  "
        f"max {found['max']:7.1f} ms"
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sijpath-read-import-") as tmp:
        folder = Path(tmp)
        writer, reader = prepare(folder)
        body = orjson.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [e for n in range(args.patients) for e in entries_for(NAMES[n % len(NAMES)], f"b{n:05d}")],
            }
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIJPATH_")}
        command = [sys.executable, "-m", "sijpath", "serve", "--data-dir", str(folder), "--port", str(port)]
        command += ["--workers", str(args.workers), "--max-request-mb", str(len(body) // (1024 * 1024) + 2)]
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            size = len(body) / 1e6
            print(f"{args.patients} patients, {size:.1f} MB Bundle, {args.workers} workers, {os.cpu_count()} CPUs")
            idle: list[float] = []
            errors: list[int] = []
            stop = threading.Event()
            reader_thread = threading.Thread(target=reads, args=(base, reader, stop, idle, errors))
            reader_thread.start()
            time.sleep(args.idle_seconds)
            stop.set()
            reader_thread.join()

            busy: list[float] = []
            stop = threading.Event()
            reader_thread = threading.Thread(target=reads, args=(base, reader, stop, busy, errors))
            reader_thread.start()
            started = time.perf_counter()
            response = httpx.post(
                f"{base}/api/fhir/import",
                content=body,
                headers={"Authorization": f"Bearer {writer}", "Content-Type": "application/fhir+json"},
                timeout=3600,
            )
            took = time.perf_counter() - started
            stop.set()
            reader_thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"the import failed: {response.status_code} {response.text[:300]}")
    print(f"import: {took:.1f} s, {args.patients / took:.0f} patients/s")
    floor = summary("idle", idle)
    during = summary("during import", busy)
    print(f"p99 during the import / idle p99: {during['p99'] / floor['p99']:.1f}x; read errors: {errors or 'none'}")
    verdict = "meets" if during["max"] <= 1000 and not errors else "MISSES"
    print(f"target every read within 1 s during the import: {verdict} (max {during['max']:.0f} ms)")


if __name__ == "__main__":
    main()
