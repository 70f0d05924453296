"""Benchmark: bulk-data NDJSON import of a 1,000,000-resource folder: throughput and peak memory.

Generates a bulk-data export folder (one `<ResourceType>.ndjson` file per type, as `$export` writes them) by
replicating the resources of the example Bundles (examples/*.yaml, exported with episode_bundle) across synthetic
patients: ids and references are rewritten per patient, and each patient gets weekly pain-diary Observations so
that it holds 20–40 resources. Then, in a fresh subprocess (so the peak RSS is the import's own), indexes the
folder (open_ndjson_folder) and reads every patient's episode (optionally assessing each, --evaluate), and prints
the input size, resources, patients, wall times, resources per second for indexing and for reading, the peak RSS
of that subprocess (over its life, and since its modules were imported), the RSS of a Python that just imported
the same modules, the importer's own increment, and peak memory / input size.

    python benchmarks/bulk_import.py [--resources 1000000] [--folder DIR] [--evaluate] [--seed 7]

Without --folder the folder is generated in a temporary directory and removed afterwards; with --folder it is
generated there (its .ndjson files are replaced) and kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

# sijpath is imported inside the functions that use it, so the measuring subprocess loads only what importing
# (and, with --evaluate, assessing) needs, and its baseline is that of an importer, not of this generator.

AS_OF = dt.date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PLACEHOLDER = b"@PID@"  # stands for the patient's id in the templates; not a FHIR id character, so never ambiguous
MIN_PER_PATIENT, MAX_PER_PATIENT = 20, 40
MiB = 1024 * 1024

Template = list[tuple[str, bytes]]  # (resource type, one NDJSON line without the newline)


def _template(bundle: dict[str, Any]) -> Template:
    """A Bundle's resources as NDJSON lines with RESTful references, the patient's id left as PLACEHOLDER: the
    Patient is `Patient/@PID@`, every other resource `Type/<id>.@PID@`, so ids stay unique across patients."""
    marker = PLACEHOLDER.decode()
    keys = {}
    for entry in bundle["entry"]:
        r = entry["resource"]
        rid = marker if r["resourceType"] == "Patient" else f"{r['id']}.{marker}"
        keys[entry["fullUrl"]] = (r["resourceType"], rid)

    def relink(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"reference"} and value["reference"] in keys:
                return {"reference": "/".join(keys[value["reference"]])}
            return {k: relink(v) for k, v in value.items()}
        if isinstance(value, list):
            return [relink(v) for v in value]
        return value

    lines = []
    for entry in bundle["entry"]:
        kind, rid = keys[entry["fullUrl"]]
        lines.append((kind, orjson.dumps({**relink(entry["resource"]), "id": rid})))
    return lines


def templates() -> tuple[list[Template], Template]:
    """One template per example patient, and weekly pain-diary Observations to top patients up with."""
    from sijpath import wiring
    from sijpath.domain.episode import Episode, Patient
    from sijpath.domain.findings import PainScore
    from sijpath.fhir.writer import episode_bundle

    examples = [_template(episode_bundle(wiring.load_episode(p))) for p in sorted(EXAMPLES.glob("*.yaml"))]
    diary = tuple(
        PainScore(
            id=f"Observation/diary-{i}",
            date=AS_OF - dt.timedelta(days=4 + 7 * i),
            nrs=float(5 + i % 4),
            context="diary",
        )
        for i in range(MAX_PER_PATIENT)
    )
    diary_bundle = episode_bundle(Episode(patient=Patient(id="diary"), pain_scores=diary))
    diary_lines = [line for line in _template(diary_bundle) if line[0] != "Patient"]
    return examples, diary_lines


def patients(total: int, seed: int) -> Iterator[tuple[bytes, Template]]:
    """(patient id, resources) for synthetic patients holding exactly `total` resources between them."""
    rng = random.Random(seed)
    examples, diary = templates()
    left, number = total, 0
    while left > 0:
        example = rng.choice(examples)
        low = max(0, MIN_PER_PATIENT - len(example))
        extra = rng.randint(low, max(low, MAX_PER_PATIENT - len(example)))
        chosen = (example + diary[:extra])[:left]
        left -= len(chosen)
        number += 1
        yield f"pt{number:07d}".encode(), chosen


def generate(folder: Path, total: int, seed: int) -> tuple[int, Counter[str]]:
    """Write the folder; the number of patients and the resources per type."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.ndjson"):
        old.unlink()
    streams: dict[str, Any] = {}
    per_type: Counter[str] = Counter()
    count = 0
    try:
        for patient_id, lines in patients(total, seed):
            count += 1
            for kind, line in lines:
                if kind not in streams:
                    streams[kind] = (folder / f"{kind}.ndjson").open("wb", buffering=MiB)
                streams[kind].write(line.replace(PLACEHOLDER, patient_id) + b"\n")
                per_type[kind] += 1
    finally:
        for stream in streams.values():
            stream.close()
    return count, per_type


def _rss_now() -> int:
    """Resident set size in bytes now (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _peak_rss() -> int:
    """Peak resident set size of this process in bytes (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _index_file_size() -> int | None:
    """Size of the importer's temporary SQLite index (unlinked but open), found among this process's files."""
    try:
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            if "sijpath-index-" in target:
                return os.stat(f"/proc/self/fd/{fd}").st_size
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset this process's peak RSS to its current RSS (Linux ≥ 4.0), so that ru_maxrss measures what follows
    and not the transient peak of importing modules; False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(folder: Path, assess: bool, baseline_only: bool) -> dict[str, Any]:
    """Run in the subprocess: index the folder, read (and optionally assess) every patient, and report."""
    from sijpath.fhir.bulk import open_ndjson_folder

    ruleset = None
    if assess:
        from sijpath import wiring
        from sijpath.pathway.assess import evaluate

        ruleset = wiring.load_ruleset("source-articles", AS_OF)
    result: dict[str, Any] = {"rss_after_imports": _rss_now(), "peak_after_imports": _peak_rss()}
    if baseline_only:
        return result
    result["peak_reset"] = _reset_peak()
    started = time.perf_counter()
    with open_ndjson_folder(folder) as bulk:
        indexed = time.perf_counter()
        result["peak_after_indexing"] = _peak_rss()
        result["index_file_bytes"] = _index_file_size()
        result["resources"] = bulk.resource_count
        counted = time.perf_counter()
        patient_count = facts = 0
        severities: Counter[str] = Counter()
        steps: Counter[str] = Counter()
        for _, imported in bulk:
            patient_count += 1
            facts += sum(len(v) for _, v in imported.episode if isinstance(v, tuple))
            severities.update(i.severity for i in imported.issues)
            if ruleset is not None:
                for unit in evaluate(imported.episode, ruleset, AS_OF, imported.issues).units:
                    steps[unit.next_step.code] += 1
        read = time.perf_counter()
    result.update(
        index_seconds=indexed - started,
        read_seconds=read - counted,
        total_seconds=time.perf_counter() - started,
        patients=patient_count,
        facts=facts,
        issues=dict(severities),
        steps=dict(steps),
        peak=_peak_rss(),
    )
    return result


def _child(folder: Path, assess: bool, baseline_only: bool) -> dict[str, Any]:
    # Linux carries a process's peak RSS across exec (ru_maxrss keeps the larger of the old and new images), and a
    # child spawned from this process starts as a copy of it; /bin/sh forks the measuring Python as a grandchild,
    # so its ru_maxrss starts from the shell's few MiB instead of this generator's peak.
    command = ["/bin/sh", "-c", '"$@"; exit $?', "sh", sys.executable, __file__, "--child", str(folder)]
    command += ["--evaluate"] * assess + ["--baseline"] * baseline_only
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE)
    return dict(json.loads(done.stdout))


def report(folder: Path, args: argparse.Namespace) -> None:
    files = sorted(folder.glob("*.ndjson"))
    size = sum(f.stat().st_size for f in files)
    print(f"input                 {folder} ({len(files)} files)")
    print(
        f"input size            {size:,} bytes ({size / MiB:.1f} MiB): "
        + ", ".join(f"{f.stem} {f.stat().st_size / MiB:.1f}" for f in files)
        + " MiB"
    )
    print(f"mode                  index + read every patient{' + evaluate' if args.evaluate else ''}, fresh process")
    baseline = _child(folder, args.evaluate, baseline_only=True)
    run = _child(folder, args.evaluate, baseline_only=False)
    resources, patient_count = run["resources"], run["patients"]
    print(f"resources             {resources:,}")
    print(f"patients              {patient_count:,} ({resources / patient_count:.1f} resources each on average)")
    issues = ", ".join(f"{n:,} {severity}" for severity, n in sorted(run["issues"].items())) or "none"
    print(f"facts read            {run['facts']:,}; data issues: {issues}")
    if run["steps"]:
        print("next steps            " + ", ".join(f"{k} {v:,}" for k, v in sorted(run["steps"].items())))
    print(f"indexing              {run['index_seconds']:.1f} s, {resources / run['index_seconds']:,.0f} resources/s")
    print(
        f"reading{' + assessing' if args.evaluate else '':12}   {run['read_seconds']:.1f} s, "
        f"{resources / run['read_seconds']:,.0f} resources/s, {patient_count / run['read_seconds']:,.0f} patients/s"
    )
    print(f"wall time (all)       {run['total_seconds']:.1f} s, {resources / run['total_seconds']:,.0f} resources/s")
    peak, lifetime = run["peak"], max(run["peak"], run["peak_after_imports"])
    print(f"peak RSS (process)    {lifetime / MiB:.1f} MiB (ru_maxrss of the import subprocess over its whole life)")
    print(
        f"baseline RSS          {baseline['peak_after_imports'] / MiB:.1f} MiB (ru_maxrss of a Python that just "
        f"imported the same modules; {baseline['rss_after_imports'] / MiB:.1f} MiB resident once imported)"
    )
    if run["peak_reset"]:
        # Importing modules can peak higher than the import itself; with the high-water mark reset after the module
        # imports, ru_maxrss at the end is the peak of indexing and reading alone.
        increment = peak - run["rss_after_imports"]
        print(
            f"peak RSS (importing)  {peak / MiB:.1f} MiB (ru_maxrss with the high-water mark reset once the modules "
            f"were imported; {run['peak_after_indexing'] / MiB:.1f} MiB by the end of indexing)"
        )
        print(
            f"importer's increment  {increment / MiB:.1f} MiB (peak while importing − "
            f"{run['rss_after_imports'] / MiB:.1f} MiB resident before)"
        )
    else:
        increment = lifetime - baseline["peak_after_imports"]
        print(
            f"importer's increment  {increment / MiB:.1f} MiB (peak − baseline; hidden if module imports peak higher)"
        )
    print(
        f"peak / input size     {lifetime / size:.3f} (process peak); importer's increment / input size "
        f"{increment / size:.3f}"
    )
    if run["index_file_bytes"] is not None:
        print(f"index on disk         {run['index_file_bytes'] / MiB:.1f} MiB (temporary SQLite file, gone on close)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, help="generate the folder here and keep it (default: a temp dir)")
    parser.add_argument("--evaluate", action="store_true", help="also assess every patient's episode")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        sys.stdout.buffer.write(orjson.dumps(measure(args.child, args.evaluate, args.baseline)))
        return

    with tempfile.TemporaryDirectory(prefix="sijpath-bulk-bench-") as scratch:
        folder = args.folder or Path(scratch)
        started = time.perf_counter()
        patient_count, per_type = generate(folder, args.resources, args.seed)
        print(
            f"generated             {sum(per_type.values()):,} resources for {patient_count:,} patients in "
            f"{time.perf_counter() - started:.1f} s ({', '.join(f'{k} {v:,}' for k, v in per_type.most_common())})"
        )
        report(folder, args)


if __name__ == "__main__":
    main()
