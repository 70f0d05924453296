"""Composing a population screen: the export folder, the rule sets by id (loaded again in each worker), the run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Sequence
from pathlib import Path

import orjson

from sijpath import wiring
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import UsageError
from sijpath.screening.rows import IssueRow
from sijpath.screening.run import (
    CHUNK_PATIENTS,
    Progress,
    ScreenRequest,
    ScreenSummary,
    parts_folder,
    run_screen,
    write_outputs,
    write_part,
)
from sijpath.screening.scan import find_export
from sijpath.screening.synth import template, write_synthetic_export

__all__ = [
    "BILATERAL_WEIGHT",
    "load_rulesets",
    "run_screen",
    "screen_export",
    "screen_request",
    "screen_ruleset_ids",
    "spark_screen_export",
    "synthesize_export",
]

# The one bilateral example is drawn three times as often as each other, so bilateral patients are not rare.
BILATERAL_WEIGHT = {"block-with-steroid": 3.0}


def screen_ruleset_ids(requested: Sequence[str], as_of: dt.date) -> list[str]:
    """The rule sets to screen under: those asked for (each once), or every built-in one in force on the day."""
    if len(set(requested)) != len(requested):
        raise UsageError(f"a rule set is named twice: {', '.join(requested)}")
    if requested:
        return list(requested)
    return [r for r in wiring.builtin_ruleset_ids() if any(v.in_force(as_of) for v in wiring.builtin_versions(r))]


def load_rulesets(ids: Sequence[str], as_of: dt.date) -> list[RuleSet]:
    """Every rule set by id or path in the version in force on the day; an unknown id is an UnknownRuleSetError."""
    return [wiring.load_ruleset(i, as_of) for i in ids]


def screen_export(
    folder: Path,
    out: Path,
    ruleset_ids: Sequence[str],
    as_of: dt.date,
    workers: int | None = None,
    progress: Progress | None = None,
    chunk_patients: int = CHUNK_PATIENTS,
) -> ScreenSummary:
    """Screen a Bulk Data export folder into `out`; `workers` defaults to the machine's cores."""
    return run_screen(screen_request(folder, out, ruleset_ids, as_of, workers, chunk_patients), progress)


def screen_request(
    folder: Path,
    out: Path,
    ruleset_ids: Sequence[str],
    as_of: dt.date,
    workers: int | None = None,
    chunk_patients: int = CHUNK_PATIENTS,
) -> ScreenRequest:
    """A screen checked before it starts: the folder holds NDJSON, every rule set is known, workers >= 1."""
    export = find_export(folder)
    ids = screen_ruleset_ids(ruleset_ids, as_of)
    load_rulesets(ids, as_of)  # an unknown rule set stops the run before the scan
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    count = workers or os.cpu_count() or 1
    loader = functools.partial(load_rulesets, tuple(ids), as_of)
    return ScreenRequest(export, out, loader, as_of, count, chunk_patients)


def spark_screen_export(
    folder: Path,
    out: Path,
    ruleset_ids: Sequence[str],
    as_of: dt.date,
    master: str = "local[*]",
    batch_rows: int = 10_000,
) -> ScreenSummary:
    """The same screen on Apache Spark (`pip install sijpath[spark]`); the rows and checksum are the local ones."""
    request = screen_request(folder, out, ruleset_ids, as_of, 1)
    try:
        from sijpath.screening.spark import spark_screen
    except ImportError:  # pyspark is an optional extra
        raise UsageError("--engine spark needs pyspark and pandas: pip install 'sijpath[spark]'") from None
    rulesets = request.load_rulesets()
    # A finished Spark job is kept as one part, so a run stopped while writing the outputs does not run it again.
    kept = parts_folder(request, rulesets) / "spark.json"
    resumed = kept.exists()
    if resumed:
        part = orjson.loads(kept.read_bytes())
    else:
        part = spark_screen([str(p) for p in request.export.files], request.load_rulesets, as_of, master, batch_rows)
        write_part(kept, orjson.dumps(part))
    types = part.pop("types")
    scan_issues = sorted([*request.export.issues, *(IssueRow(*v) for v in part.pop("scan_issues"))])
    counts = {"resources": sum(types.values()), "patients": part["patients"]}
    found = write_outputs(out, [r.id for r in rulesets], as_of, [part], scan_issues, counts, types)
    return dataclasses.replace(found, resumed_chunks=int(resumed))


def synthesize_export(out: Path, patients: int, seed: int, examples: Path) -> list[Path]:
    """A synthetic export of `patients` patients, the SI-joint trajectories varied from the example episodes."""
    if patients < 1:
        raise UsageError(f"--patients must be at least 1, not {patients}")
    files = sorted(examples.glob("*.yaml"))
    if not files:
        raise UsageError(f"{examples}: no example episodes (*.yaml) to vary")
    templates = [template(p.stem, wiring.load_episode(p), BILATERAL_WEIGHT.get(p.stem, 1.0)) for p in files]
    return write_synthetic_export(out, templates, patients, seed)
