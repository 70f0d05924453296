"""Server time of the patient list and the patient page with 10,000 patients on SQLite (target: p95 <= 100 ms).

Run: .venv/bin/python benchmarks/web_pages.py [--patients 10000] [--requests 200]

Builds a database of N patients (the example episodes under new ids), assesses them all once for the day (as the
list does on first filtered view), then times requests in-process with Starlette's TestClient, so the figures are
server time without a network hop. Prints p50 / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from sijpath import wiring
from sijpath.domain.episode import Patient
from sijpath.settings import Settings
from sijpath.store import episodes as store
from sijpath.store.accounts import add_user
from sijpath.store.database import transaction, upgrade
from sijpath.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "benchmark password"


def build(folder: Path, patients: int) -> wiring.App:
    settings = Settings(data_dir=folder, secure_cookies=False)
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)
    services = wiring.web_services(settings, engine, lambda: TODAY)
    templates = [wiring.load_episode(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    started = time.perf_counter()
    with transaction(engine) as connection:
        add_user(connection, "bench", PASSWORD, "clinician", TODAY)
        for n in range(patients):
            episode = templates[n % len(templates)]
            episode = episode.model_copy(update={"patient": Patient(id=f"p{n:06d}", sex=episode.patient.sex)})
            store.save_episode(connection, episode, expected_version=None, actor="bench", now=TODAY)
    loaded = time.perf_counter()
    services.assess_unassessed("source-articles", TODAY.date())
    print(f"built {patients} patients in {loaded - started:.1f} s, assessed in {time.perf_counter() - loaded:.1f} s")
    return services


def timed(client: TestClient, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code}")
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    verdict = "meets" if p95 <= 100 else "MISSES"
    print(
        f"{name:<34} p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms  "
        f"({verdict} the 100 ms target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        services = build(Path(folder), args.patients)
        with TestClient(create_app(services)) as client:
            client.post("/login", data={"username": "bench", "password": PASSWORD, "next": "/"})
            n = args.requests
            pages = [f"/?as_of=2026-11-01&page={1 + (i * 37) % 200}" for i in range(n)]
            report("patient list (page of 50)", timed(client, pages))
            report("patient list filtered by step", timed(client, ["/?as_of=2026-11-01&step=fusion-evaluation"] * n))
            report("patient list sorted by next step", timed(client, ["/?as_of=2026-11-01&sort=next_step"] * n))
            patient_pages = [f"/patients/p{(i * 7919) % args.patients:06d}?as_of=2026-11-01" for i in range(n)]
            report("patient page", timed(client, patient_pages))


if __name__ == "__main__":
    main()
