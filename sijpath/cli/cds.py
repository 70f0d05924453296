"""`sijpath cds feedback-report`: what clinicians did with the CDS cards, per service and rule set."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sijpath.cli.options import write_json

__all__ = ["register"]

cds_app = typer.Typer(help="The CDS Hooks service.", no_args_is_help=True)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


@cds_app.command("feedback-report")
def feedback_report_command(
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder (SQLite database inside).")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL.")] = None,
) -> None:
    """Cards issued, accepted and overridden per service and rule set, with the override reasons given."""
    from sijpath.cdshooks.report import feedback_report  # the store loads only for this command
    from sijpath.wiring import server as server_wiring

    settings = server_wiring.settings_from(os.environ, data_dir=data_dir, database_url=database_url)
    engine = server_wiring.open_database(settings)
    try:
        report = feedback_report(engine)
    finally:
        engine.dispose()
    if output is ReportFormat.json:
        write_json(report)
    else:
        _show(Console(), report)


def _show(console: Console, report: dict[str, Any]) -> None:
    if not report["services"]:
        console.print("no CDS cards issued and no feedback received yet")
        return
    table = Table(title="CDS Hooks feedback")
    for column in ("Service", "Rule set", "Issued", "With feedback", "Accepted", "Overridden", "Acceptance"):
        table.add_column(column, overflow="fold")
    for row in report["services"]:
        rate = row["acceptance_rate"]
        table.add_row(
            row["service"],
            row["ruleset"] or "(card not issued here)",
            str(row["cards_issued"]),
            str(row["cards_with_feedback"]),
            str(row["accepted"]),
            str(row["overridden"]),
            "—" if rate is None else f"{rate:.0%}",
        )
    console.print(table)
    for row in report["services"]:
        if row["override_reasons"]:
            console.print(f"\nOverride reasons, {row['service']} under {row['ruleset'] or '(unknown rule set)'}:")
            for reason in row["override_reasons"]:
                code = f" [{reason['code']}]" if reason["code"] else ""
                console.print(f"  {reason['count']:>5}  {reason['display']}{code}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the `cds` commands."""
    app.add_typer(cds_app, name="cds")
