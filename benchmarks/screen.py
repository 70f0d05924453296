"""Benchmark: population screening of a synthetic Bulk Data export, against the DuckDB scan floor of the same files.

Writes a synthetic export (`sijpath synth`, about 11 resources per patient, 15% SI-joint trajectories) of about
--resources resources, then measures, side by side in this one run, each --repeats times in a fresh subprocess:

- floor: DuckDB reading every file with declared struct columns (type, id, subject and patient references only)
  and counting resources per patient: the least any DuckDB screen must do;
- scan: the screen's own scan (the keyed table on disk, every patient's resources streamed out in order);
- screen: `sijpath screen` end to end (scan, process pool over every core, every output file).

- spark (with --spark): `sijpath screen --engine spark` on `local[WORKERS]`, session start included;
- standalone (with --spark-standalone): the same on a real standalone cluster on loopback (a master and one worker
  of WORKERS cores, started once before the runs with pyspark's `spark-class`, its start-up not timed);
- startup: a subprocess that only imports what they import (each row above pays it once).

Prints the medians, the ratios to the floor and the peak RSS: of the measuring process itself (DuckDB, outputs),
and of its largest descendant (a worker process).

    python benchmarks/screen.py [--resources 1000000] [--repeats 3] [--workers N] [-r RULESET ...] [--folder DIR]
        [--spark] [--spark-standalone]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESOURCES_PER_PATIENT = 11.3  # measured on the synthetic export (seed 1)
MiB = 1024

_FLOOR = """
import sys
from pathlib import Path
import duckdb
files = sorted(str(p) for p in Path(sys.argv[1]).glob("*.ndjson"))
columns = {"resourceType": "VARCHAR", "id": "VARCHAR", "subject": "STRUCT(reference VARCHAR)",
           "patient": "STRUCT(reference VARCHAR)"}
rows = duckdb.sql(
    "SELECT coalesce(subject.reference, patient.reference, 'Patient/' || id) AS who, count(*) "
    "FROM read_json($files, format = 'newline_delimited', columns = $columns, ignore_errors = true) GROUP BY who",
    params={"files": files, "columns": columns},
)
print(len(rows.fetchall()))
"""
_SCAN = """
import sys
from pathlib import Path
from sijpath.screening.scan import find_export, scan_export
with scan_export(find_export(Path(sys.argv[1]))) as scan:
    print(sum(len(texts) for _, texts, _ in scan.patients()))
"""


def _descendants(root: int) -> list[int]:
    """Every process below `root` now (the pool's workers sit under the forkserver, not under the screen)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        kids = children.get(stack.pop(), [])
        found += kids
        stack += kids
    return found


def _peak_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def _timed(args: list[str]) -> tuple[float, int, int]:
    """Wall seconds of a fresh subprocess, its peak RSS and its largest descendant's (KiB, polled every 0.1 s)."""
    code = (
        "import runpy, sys\n"
        "mode, sys.argv = sys.argv[1], [sys.argv[0], *sys.argv[2:]]\n"
        "try:\n"
        "    runpy.run_module('sijpath', run_name='__main__') if mode == '-m' else exec(mode)\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "finally:\n"
        # VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at its parent's (this generator's) peak.
        "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
        "    print(f'RSS {hwm}', file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        largest = 0
        while process.poll() is None:
            largest = max([largest, *(_peak_kib(pid) for pid in _descendants(process.pid))])
            time.sleep(0.1)
        wall = time.perf_counter() - start
        _, err = process.communicate()
    if process.returncode:
        sys.exit(f"failed: {args}\n{err}")
    rss = next(line for line in err.splitlines() if line.startswith("RSS ")).split()
    return wall, int(rss[1]), largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("-r", "--ruleset", action="append", default=[])
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spark", action="store_true", help="Also time --engine spark on local[WORKERS].")
    parser.add_argument(
        "--spark-standalone", action="store_true", help="Also time --engine spark on a standalone cluster on loopback."
    )
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from sijpath.wiring.screening import synthesize_export

    with contextlib.ExitStack() as stack:
        cluster = None
        if options.spark_standalone:
            from tests.screening.spark_cluster import LOOPBACK, standalone_cluster

            started = time.perf_counter()
            cluster = stack.enter_context(standalone_cluster(cores=options.workers))
            os.environ["SPARK_LOCAL_IP"] = LOOPBACK  # the driver (in each timed subprocess), where executors reach it
            print(f"standalone cluster {cluster} up in {time.perf_counter() - started:.1f} s (not timed below)")
        _run(options, synthesize_export, cluster)


def _run(options: argparse.Namespace, synthesize_export: Any, cluster: str | None) -> None:

    work = Path(tempfile.mkdtemp(prefix="sijpath-bench-"))
    folder = options.folder or work / "export"
    patients = max(1, round(options.resources / RESOURCES_PER_PATIENT))
    start = time.perf_counter()
    files = synthesize_export(folder, patients, options.seed, ROOT / "examples")
    size = sum(p.stat().st_size for p in files)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    print(f"export: {patients:,} patients, {lines:,} resources, {size / 2**20:,.0f} MiB in {len(files)} files")
    print(f"  written in {time.perf_counter() - start:.1f} s (not timed below)")
    rulesets = [a for r in options.ruleset for a in ("-r", r)] or ["-r", "source-articles"]
    runs: dict[str, list[tuple[float, int, int]]] = {"startup": [], "floor": [], "scan": [], "screen": []}
    for n in range(options.repeats):
        runs["startup"].append(_timed(["import sijpath.wiring.screening, sijpath.cli", str(folder)]))
        runs["floor"].append(_timed([_FLOOR, str(folder)]))
        runs["scan"].append(_timed([_SCAN, str(folder)]))
        out = work / f"out-{n}"  # a fresh folder each time: nothing resumed
        screen = ["-m", "screen", str(folder), "-o", str(out), "--as-of", "2026-11-01", "--quiet"]
        runs["screen"].append(_timed([*screen, *rulesets, "--workers", str(options.workers)]))
        if options.spark:
            spark = [*screen[:4], str(work / f"spark-{n}"), *screen[5:], *rulesets, "--engine", "spark"]
            runs.setdefault("spark", []).append(_timed([*spark, "--spark-master", f"local[{options.workers}]"]))
        if cluster is not None:
            spark = [*screen[:4], str(work / f"standalone-{n}"), *screen[5:], *rulesets, "--engine", "spark"]
            runs.setdefault("standalone", []).append(_timed([*spark, "--spark-master", cluster]))
    floor = statistics.median(w for w, _, _ in runs["floor"])
    print(f"rule sets: {' '.join(rulesets[1::2])}; workers: {options.workers}; median of {options.repeats}")
    for name, measured in runs.items():
        wall = statistics.median(w for w, _, _ in measured)
        own, child = max(r for _, r, _ in measured) / MiB, max(c for _, _, c in measured) / MiB
        print(
            f"  {name:<10} {wall:7.2f} s  {wall / floor:5.1f}x floor  {lines / wall:>10,.0f} resources/s  "
            f"peak RSS {own:,.0f} MiB (largest worker {child:,.0f} MiB)"
        )
    print(f"this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MiB:,.0f} MiB")
    shutil.rmtree(work, ignore_errors=True)  # the outputs, and the export unless --folder keeps it elsewhere


if __name__ == "__main__":
    main()
