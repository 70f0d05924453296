"""`sijpath reassess`: every stored patient assessed again on every core, so the web lists are current."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console

from sijpath.cli.options import DatabaseOption, DataDirOption, cli_actor, parse_as_of, settings_of
from sijpath.cli.screening import patient_progress

__all__ = ["register"]


def reassess(
    rulesets: Annotated[
        list[str] | None,
        typer.Option("--ruleset", "-r", help="Built-in rule-set id; repeat for several (default: all in force)."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assess as of this date (default: today).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only patients whose record changed on or after this date.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (default: one per core).", min=1)
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Re-assess every stored patient (or those changed since a date) and store the results per joint; the web
    app's `Changes` page lists the patients whose next step changed. Rerun to finish a stopped run."""
    from sijpath.wiring.reassess import reassess_database

    day = parse_as_of(as_of)
    changed_since = None if since is None else _since(since)
    with patient_progress("re-assessing", quiet) as report:
        summary = reassess_database(
            settings_of(data_dir, database_url),
            rulesets or [],
            day,
            cli_actor(),
            changed_since=changed_since,
            workers=workers,
            progress=report,
        )
    console = Console(soft_wrap=True, highlight=False)
    console.print(
        f"run {summary.run_id}: {summary.patients} patients, {summary.assessed} assessments stored, "
        f"{summary.current} already current, {summary.changed} next steps changed",
        markup=False,
    )
    for patient_id, reason in summary.failed:
        console.print(f"not assessed: {patient_id}: {reason}", markup=False)


def _since(value: str) -> dt.date:
    try:
        return parse_as_of(value)
    except typer.BadParameter:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) in range", param_hint="--since") from None


def register(app: typer.Typer) -> None:
    app.command("reassess")(reassess)
