"""`sijpath screen` and `sijpath synth`: a whole Bulk Data export through the pathway, and a synthetic export."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sijpath.cli.options import parse_as_of

if TYPE_CHECKING:
    from sijpath.screening.run import ScreenSummary

__all__ = ["patient_progress", "register"]


class Engine(StrEnum):
    local = "local"
    spark = "spark"


class _Rate(ProgressColumn):
    """Patients per second, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} patients/s" if speed else "… patients/s")


def screen(
    folder: Annotated[Path, typer.Argument(help="Bulk Data export folder: *.ndjson per resource type, manifest.json.")],
    out: Annotated[Path, typer.Option("--output", "-o", help="Folder for results, issues, worklists and summary.")],
    rulesets: Annotated[
        list[str] | None,
        typer.Option("--ruleset", "-r", help="Rule-set id or .toml path; repeat for several (default: all built-in)."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assess as of this date (default: today).")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (default: one per core).", min=1)
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="local: DuckDB and every core; spark: Apache Spark.")] = (
        Engine.local
    ),
    master: Annotated[
        str, typer.Option("--spark-master", help="Spark master URL (with --engine spark), e.g. spark://host:7077.")
    ] = "local[*]",
) -> None:
    """Screen every patient of a Bulk Data export under one or more rule sets; rerun to resume after a stop."""
    # DuckDB and pyarrow load only for this command
    from sijpath.wiring.screening import run_screen, screen_request, spark_screen_export

    day = parse_as_of(as_of)
    if engine is Engine.spark:
        _print(spark_screen_export(folder, out, rulesets or [], day, master))
        return
    request = screen_request(folder, out, rulesets or [], day, workers)
    with patient_progress("screening", quiet) as report:
        summary = run_screen(request, report)
    _print(summary)


@contextlib.contextmanager
def patient_progress(label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (patients done of all, rate, elapsed, ETA); yields its (done, total) callback."""
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), disable=quiet, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _print(summary: ScreenSummary) -> None:
    Console(soft_wrap=True, highlight=False).print(
        f"{summary.patients} patients, {summary.assessed} assessed, {summary.rows} result rows, "
        f"{summary.issues} issue rows"
        + (f" ({summary.resumed_chunks} chunks resumed)" if summary.resumed_chunks else "")
        + f"\nchecksum {summary.checksum}\nwritten to {summary.out}",
        markup=False,
    )


def synth(
    patients: Annotated[int, typer.Option("--patients", help="How many patients.", min=1)],
    out: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the NDJSON files and manifest into.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same export, byte for byte.")] = 1,
    examples: Annotated[Path, typer.Option(help="Example episodes the SI-joint trajectories vary.")] = Path("examples"),
) -> None:
    """Write a deterministic synthetic Bulk Data export (its illustrative proportions: sijpath/screening/synth.py)."""
    from sijpath.wiring.screening import synthesize_export

    files = synthesize_export(out, patients, seed, examples)
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    Console(soft_wrap=True, highlight=False).print(
        f"{patients} patients, {lines} resources in {len(files)} files, written to {out}", markup=False
    )


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.command("synth")(synth)
