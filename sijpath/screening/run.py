"""A whole screen: the scan, patients in chunks over a process pool, finished chunks kept so a rerun resumes."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from sijpath.engine.ruleset import RuleSet
from sijpath.screening.outputs import OutputFiles
from sijpath.screening.patient import screen_patient
from sijpath.screening.rows import IssueRow, ResultRow, row_order, values
from sijpath.screening.scan import Export, PatientResources, scan_export

__all__ = [
    "CHUNK_PATIENTS",
    "WORKER_RULESETS",
    "Progress",
    "RulesetLoader",
    "ScreenRequest",
    "ScreenSummary",
    "run_screen",
    "worker_pool",
    "write_outputs",
    "write_part",
]

CHUNK_PATIENTS = 200
PART_FORMAT = "sijpath-screen-part/1"
RulesetLoader = Callable[[], Sequence[RuleSet]]
"""Loads the rule sets; passed by reference to each worker process, since rule sets hold functions and do not pickle."""
Progress = Callable[[int, int], None]
"""Called with (patients done, patients in all) after each chunk; the first call may report chunks already done."""


@dataclass(frozen=True, slots=True)
class ScreenRequest:
    """What to screen, under which rule sets, as of which day, with how many worker processes."""

    export: Export
    out: Path
    load_rulesets: RulesetLoader
    as_of: dt.date
    workers: int = 1
    chunk_patients: int = CHUNK_PATIENTS


@dataclass(frozen=True, slots=True)
class ScreenSummary:
    """What a finished screen did, for the command line."""

    out: Path
    checksum: str
    patients: int
    assessed: int
    rows: int
    issues: int
    resumed_chunks: int


WORKER_RULESETS: list[RuleSet] = []
"""The rule sets of this process: loaded once per worker (or set by the parent when it does the work itself)."""


def _start_worker(load: RulesetLoader) -> None:
    WORKER_RULESETS[:] = load()


def worker_pool(workers: int, load: RulesetLoader) -> cf.ProcessPoolExecutor:
    """Worker processes, each with the rule sets loaded once."""
    # forkserver: the parent holds DuckDB's (or the database driver's) threads, which a fork would copy mid-flight.
    context = multiprocessing.get_context("forkserver")
    return cf.ProcessPoolExecutor(workers, context, _start_worker, (load,))


def _screen_chunk(chunk: list[PatientResources], as_of: dt.date) -> bytes:
    """One chunk's part file: its rows (sorted), issue rows and how many patients were assessed."""
    rows: list[ResultRow] = []
    issues: list[IssueRow] = []
    assessed = 0
    for patient_id, texts, count in chunk:
        screen = screen_patient(patient_id, texts, WORKER_RULESETS, as_of, count)
        rows += screen.rows
        issues += sorted(screen.issues)
        assessed += screen.assessed
    rows.sort(key=row_order)
    part = {
        "format": PART_FORMAT,
        "patients": len(chunk),
        "assessed": assessed,
        "rows": [values(r) for r in rows],
        "issues": [values(i) for i in issues],
    }
    return orjson.dumps(part)


def _fingerprint(request: ScreenRequest, rulesets: Sequence[RuleSet]) -> str:
    """What makes finished chunks reusable: the same files (size and time), rule-set versions, day and chunking."""
    files = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in request.export.files]
    what = [PART_FORMAT, files, [(r.id, r.version) for r in rulesets], request.as_of, request.chunk_patients]
    return hashlib.sha256(orjson.dumps(what)).hexdigest()


def parts_folder(request: ScreenRequest, rulesets: Sequence[RuleSet]) -> Path:
    """`OUT/parts`, emptied of parts made from other inputs (files, rule-set versions, day or chunking)."""
    parts = request.out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    stamp = parts / "fingerprint.txt"
    fingerprint = _fingerprint(request, rulesets)
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != fingerprint:
        for old in parts.glob("*.json"):
            old.unlink()  # made from other inputs: never mixed into this screen
        stamp.write_text(fingerprint, encoding="utf-8")
    return parts


def _chunks(patients: Iterator[PatientResources], size: int) -> Iterator[list[PatientResources]]:
    while chunk := list(islice(patients, size)):
        yield chunk


def write_part(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, path)  # a chunk is either complete on disk or absent, even when killed mid-write


def run_screen(request: ScreenRequest, progress: Progress | None = None) -> ScreenSummary:
    """Screen every patient of the export and write the output folder; chunks finished before are not redone."""
    rulesets = list(request.load_rulesets())
    with scan_export(request.export) as scan:
        total = scan.patient_count
        parts = parts_folder(request, rulesets)
        scan_issues = sorted(scan.issues())
        types, resources = scan.type_counts(), scan.resource_count
        done = resumed = 0
        paths: list[Path] = []
        pool = worker_pool(request.workers, request.load_rulesets) if request.workers > 1 else None
        if pool is None:
            WORKER_RULESETS[:] = rulesets
        pending: dict[cf.Future[bytes], Path] = {}
        if progress is not None:
            progress(0, total)
        try:
            for number, chunk in enumerate(_chunks(scan.patients(), request.chunk_patients)):
                path = parts / f"chunk-{number:07d}.json"
                paths.append(path)
                if path.exists():
                    resumed += 1
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                    continue
                if pool is None:
                    write_part(path, _screen_chunk(chunk, request.as_of))
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                    continue
                pending[pool.submit(_screen_chunk, chunk, request.as_of)] = path
                while len(pending) >= 2 * request.workers:  # bounded: at most two chunks per worker in memory
                    done += _collect(pending, cf.FIRST_COMPLETED, progress, done, total)
            done += _collect(pending, cf.ALL_COMPLETED, progress, done, total)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            WORKER_RULESETS.clear()
    counts = {"resources": resources, "patients": total}
    return _assemble(request, rulesets, paths, scan_issues, counts, types, resumed)


def _collect(pending: dict[cf.Future[bytes], Path], when: str, progress: Progress | None, done: int, total: int) -> int:
    finished, _ = cf.wait(pending, return_when=when)
    count = 0
    for future in finished:
        data = future.result()
        write_part(pending.pop(future), data)
        count += int(orjson.loads(data)["patients"])
        if progress is not None:
            progress(done + count, total)
    return count


def _assemble(
    request: ScreenRequest,
    rulesets: Sequence[RuleSet],
    paths: list[Path],
    scan_issues: list[IssueRow],
    counts: dict[str, int],
    types: dict[str, int],
    resumed: int,
) -> ScreenSummary:
    """The output folder from the part files, read one at a time in patient order."""
    parts = (orjson.loads(path.read_bytes()) for path in paths)
    found = write_outputs(request.out, [r.id for r in rulesets], request.as_of, parts, scan_issues, counts, types)
    return dataclasses.replace(found, resumed_chunks=resumed)


def write_outputs(
    out_folder: Path,
    ruleset_ids: Sequence[str],
    as_of: dt.date,
    parts: Iterable[Mapping[str, Any]],
    scan_issues: Sequence[IssueRow],
    counts: Mapping[str, int],
    types: Mapping[str, int],
) -> ScreenSummary:
    """The output folder from parts in patient order (each: rows and issues as value lists, patients, assessed)."""
    assessed = rows = issues = 0
    with OutputFiles(out_folder, ruleset_ids) as out:
        out.tally.as_of, out.tally.types = as_of.isoformat(), dict(types)
        out.add_issues(scan_issues)
        for part in parts:
            chunk_rows = [ResultRow(*row) for row in part["rows"]]
            out.add_rows(chunk_rows)
            out.add_issues([IssueRow(*issue) for issue in part["issues"]])
            assessed, rows, issues = assessed + part["assessed"], rows + len(chunk_rows), issues + len(part["issues"])
        issues += len(scan_issues)
        out.tally.population = {
            "resources read": counts["resources"],
            "patients": counts["patients"],
            "patients assessed": assessed,
            "patients without SI-joint facts (not assessed)": counts["patients"] - assessed,
            "result rows": rows,
        }
        checksum = out.close()
    return ScreenSummary(out_folder, checksum, counts["patients"], assessed, rows, issues, 0)
