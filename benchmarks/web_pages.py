"""Server time of the patient list, the worklist and the patient page on SQLite (target: p95 <= 100 ms at 100,000).

Run: .venv/bin/python benchmarks/web_pages.py [--patients 100000] [--requests 200] [--keep FOLDER]

Builds a database of N patients (the example episodes under new ids) and assesses them all once for the day with
the batch re-assessment (`sijpath reassess`, which the worklist reads), then times requests in-process with
Starlette's TestClient, so the figures are server time without a network hop. Prints p50 / p95 / max in
milliseconds, and each median's ratio to the floor: the sign-in page, measured in the same run (the app's fixed
cost per request: session-less routing, headers, a template). `--keep FOLDER` builds the database there once and
reuses it on later runs. The load average is printed: other work on the machine slows every figure alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from sijpath import wiring
from sijpath.domain.episode import Patient
from sijpath.screening.reassess import ReassessRequest, reassess_store
from sijpath.settings import Settings
from sijpath.store import episodes as store
from sijpath.store.accounts import add_user
from sijpath.store.database import transaction, upgrade
from sijpath.web.app import create_app
from sijpath.wiring.screening import load_rulesets

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "benchmark password"


def now() -> dt.datetime:
    return TODAY


def build(folder: Path, patients: int) -> wiring.App:
    settings = Settings(data_dir=folder, secure_cookies=False)
    fresh = not (folder / "sijpath.db").exists()
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)
    services = wiring.web_services(settings, engine, now)
    if not fresh:
        print(f"reusing the database in {folder}")
        return services
    templates = [wiring.load_episode(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    started = time.perf_counter()
    with transaction(engine) as connection:
        add_user(connection, "bench", PASSWORD, "clinician", TODAY)
        for n in range(patients):
            episode = templates[n % len(templates)]
            episode = episode.model_copy(update={"patient": Patient(id=f"p{n:06d}", sex=episode.patient.sex)})
            store.save_episode(connection, episode, expected_version=None, actor="bench", now=TODAY)
    loaded = time.perf_counter()
    day = TODAY.date()
    rulesets = functools.partial(load_rulesets, ["source-articles"], day)  # picklable: the worker processes load it
    workers = os.cpu_count() or 1
    reassess_store(ReassessRequest(engine, rulesets, day, "bench", now, workers=workers))
    print(f"built {patients} patients in {loaded - started:.1f} s, assessed in {time.perf_counter() - loaded:.1f} s")
    return services


def timed(client: TestClient, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or response.history:  # a redirect (to sign-in) would time the wrong page
            sys.exit(f"{path}: HTTP {response.status_code} at {response.url}")
    return times


def report(name: str, times: list[float], floor: float) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    verdict = "meets" if p95 <= 100 else "MISSES"
    median = statistics.median(ordered)
    print(
        f"{name:<34} p50 {median:7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms  "
        f"{median / floor:5.1f}x floor  ({verdict} the 100 ms target)"
    )


def next_pages(client: TestClient, first: str, pages: int) -> list[str]:
    """The first `pages` pages of the patient list, as its Next links (keyset: `after=`) give them."""
    paths = [first]
    while len(paths) < pages:
        found = re.search(r'href="\?([^"]*after=[^"]*)">Next<', client.get(paths[-1]).text)
        if found is None:
            break
        paths.append("/?" + found.group(1).replace("&amp;", "&"))
    return paths


def worklist_pages(client: TestClient, query: str, pages: int) -> list[str]:
    """The first `pages` keyset pages of a worklist, as the Next links give them."""
    paths, after = [f"/worklist?{query}"], ""
    for _ in range(pages - 1):
        body = client.get(f"/api/worklist?{query}{after}").json()
        if body["next_after"] is None:
            break
        after = f"&after={body['next_after']}"
        paths.append(f"/worklist?{query}{after}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build the database in this folder once, reuse it after")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        services = build(folder, args.patients)
        with TestClient(create_app(services)) as client:
            client.post("/login", data={"username": "bench", "password": PASSWORD, "next": "/"})
            n = args.requests
            floor = statistics.median(timed(client, ["/login"] * n))
            print(f"floor (sign-in page)               p50 {floor:7.1f} ms")
            listed = next_pages(client, "/?as_of=2026-11-01", 200)
            report(
                "patient list (200 pages of 50)",
                timed(client, [listed[(i * 37) % len(listed)] for i in range(n)]),
                floor,
            )
            report(
                "patient list filtered by step", timed(client, ["/?as_of=2026-11-01&step=fusion-evaluation"] * n), floor
            )
            report("patient list sorted by next step", timed(client, ["/?as_of=2026-11-01&sort=next_step"] * n), floor)
            listed = worklist_pages(client, "ruleset=source-articles", 20)
            report("worklist (first 20 pages)", timed(client, [listed[i % len(listed)] for i in range(n)]), floor)
            stale = ["/worklist?ruleset=source-articles&reason=needs-documentation&joint=left"] * n
            report("worklist filtered by reason, joint", timed(client, stale), floor)
            patient_pages = [f"/patients/p{(i * 7919) % args.patients:06d}?as_of=2026-11-01" for i in range(n)]
            report("patient page", timed(client, patient_pages), floor)
    print(f"load average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
