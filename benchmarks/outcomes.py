"""Benchmark: the outcomes cohort report over 100,000 synthetic follow-ups, and the staff due list for 10,000 patients.

Both run on SQLite files in a temporary folder, filled by `store_synthetic` (validated like any entry, labelled
synthetic). The report is timed as the CLI runs it: the cohort query, `build_report` and the Markdown rendering; its
floors, measured in the same run, are `SELECT count(*)` over the same join and fetching the same rows with nothing
done to them. The due list is timed on a number of days around the cohort's as-of date; its floor is
`SELECT count(*)` over the procedures table. Prints medians, p95 and ratios to the targets (report ≤ 2 s, due list
p95 ≤ 100 ms) and to the floors.

    python benchmarks/outcomes.py [--entries 100000] [--patients 10000] [--rounds 7] [--days 40]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from sijpath.outcomes.registry import due_list
from sijpath.outcomes.rendering import report_markdown
from sijpath.outcomes.report import build_report
from sijpath.outcomes.synthetic import store_synthetic, synthetic_cohort
from sijpath.store.database import connect, transaction, upgrade
from sijpath.store.outcomes import cohort_rows
from sijpath.store.tables import outcome_entries, outcome_procedures

AS_OF = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
SEED = 15
REPORT_TARGET_S = 2.0
DUE_TARGET_MS = 100.0


def patients_for(entries: int) -> int:
    """How many synthetic patients (seed 15) it takes to reach `entries` follow-up entries."""
    total = 0
    for number, (_, followed) in enumerate(synthetic_cohort(10 * entries, seed=SEED, as_of=AS_OF), start=1):
        total += len(followed)
        if total >= entries:
            return number
    raise SystemExit(f"the synthetic cohort never reaches {entries} entries")


def database(folder: Path, name: str, patients: int) -> tuple[Engine, int, float]:
    engine = connect(f"sqlite:///{folder / name}")
    upgrade(engine)
    started = time.perf_counter()
    with transaction(engine) as connection:
        stored = store_synthetic(connection, patients, seed=SEED, now=NOW, as_of=AS_OF)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    return engine, stored, time.perf_counter() - started


def timed(function: Callable[[], object], rounds: int) -> list[float]:
    """Seconds per call, after one untimed warm-up call."""
    function()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return sorted(times)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, int(len(times) * 0.95))]


def report_benchmark(engine: Engine, rounds: int) -> None:
    def report() -> str:
        with engine.connect() as connection:
            return report_markdown(build_report(cohort_rows(connection), AS_OF, ()))

    def count() -> int:
        join = outcome_procedures.outerjoin(outcome_entries, outcome_entries.c.procedure_id == outcome_procedures.c.id)
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(join)).scalar_one())

    def fetch() -> int:
        with engine.connect() as connection:
            return len(list(cohort_rows(connection)))

    gc.collect()
    gc.freeze()
    full, counted, fetched = timed(report, rounds), timed(count, rounds), timed(fetch, rounds)
    gc.unfreeze()
    median = statistics.median(full)
    print(f"cohort rows             {fetch()} ({count()} by SELECT count over the same join)")
    print(f"report median           {median * 1000:.0f} ms (p95 {p95(full) * 1000:.0f} ms over {rounds} rounds)")
    print(f"report / target         {median / REPORT_TARGET_S:.2f} (target {REPORT_TARGET_S:.0f} s)")
    print(
        f"floor: SELECT count     {statistics.median(counted) * 1000:.1f} ms median; "
        f"report / count = {median / statistics.median(counted):.0f}"
    )
    print(
        f"floor: fetch rows       {statistics.median(fetched) * 1000:.0f} ms median (the report's own query); "
        f"report / fetch = {median / statistics.median(fetched):.2f}"
    )


def due_benchmark(engine: Engine, days: int) -> None:
    as_of_days = [AS_OF - dt.timedelta(days=d) for d in range(days)]

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(outcome_procedures)).scalar_one())

    with engine.connect() as connection:
        due_list(connection, AS_OF)  # warm-up
        sizes, times = [], []
        for day in as_of_days:
            started = time.perf_counter()
            sizes.append(len(due_list(connection, day)))
            times.append(time.perf_counter() - started)
    times.sort()
    counted = timed(count, days)
    median, high = statistics.median(times), p95(times)
    print(f"due list                {statistics.median(sizes):.0f} items median over {days} days")
    print(f"due list median         {median * 1000:.1f} ms, p95 {high * 1000:.1f} ms")
    print(f"p95 / target            {high * 1000 / DUE_TARGET_MS:.2f} (target {DUE_TARGET_MS:.0f} ms)")
    print(
        f"floor: SELECT count     {statistics.median(counted) * 1000:.2f} ms median over the procedures; "
        f"due list / count = {median / statistics.median(counted):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--days", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        patients = patients_for(args.entries)
        engine, stored, seconds = database(Path(folder), "report.db", patients)
        print(f"report cohort           {patients} synthetic patients, {stored} entries (stored in {seconds:.0f} s)")
        try:
            report_benchmark(engine, args.rounds)
        finally:
            engine.dispose()
        engine, stored, seconds = database(Path(folder), "due.db", args.patients)
        print(
            f"due-list cohort         {args.patients} synthetic patients, {stored} entries (stored in {seconds:.0f} s)"
        )
        try:
            due_benchmark(engine, args.days)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
