"""Options and argument parsing shared by the command-line modules."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from sijpath.domain.base import EARLIEST_DATE, LATEST_DATE
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.errors import UsageError

__all__ = [
    "ContractorOption",
    "DataDirOption",
    "DatabaseOption",
    "InputFileArgument",
    "InputFormatOption",
    "JointOption",
    "OutputFormat",
    "PatientOption",
    "RulesetOption",
    "cli_actor",
    "emit",
    "parse_as_of",
    "settings_of",
]

DataDirOption = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (SQLite database inside).")]
DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL, e.g. postgresql://host/db (default: SQLite).")
]


def cli_actor() -> str:
    """Who made a change from the command line: the operating-system account that ran it."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):  # no name for the uid (a container without /etc/passwd entry)
        return "cli:unknown"


def settings_of(data_dir: Path | None, database_url: str | None, **more: object) -> Any:
    """The deployment settings from `SIJPATH_*` variables and these options (a `sijpath.settings.Settings`)."""
    import os

    # Imported here: the store and web stack load only for the commands that use them.
    from sijpath.wiring.server import settings_from

    return settings_from(os.environ, data_dir=data_dir, database_url=database_url, **more)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    fhir = "fhir"


class InputFormat(StrEnum):
    auto = "auto"
    episode = "episode"
    fhir_bundle = "fhir-bundle"
    fhir_ndjson = "fhir-ndjson"


InputFileArgument = Annotated[
    Path,
    typer.Argument(help="Episode file (.json, .yaml), FHIR R4 Bundle (.json) or bulk-data NDJSON folder."),
]
InputFormatOption = Annotated[
    InputFormat,
    typer.Option("--input-format", help="What the input holds (default: detected from the file)."),
]
PatientOption = Annotated[
    str | None, typer.Option("--patient", help="Patient id, where the input holds several patients.")
]
JointOption = Annotated[
    str | None,
    typer.Option("--joint", help="left or right: the SI joint (default: every assessed joint, or the only one)."),
]
RulesetOption = Annotated[
    str, typer.Option("--ruleset", "-r", help="Built-in rule-set id or path to a rule-set .toml file.")
]
ContractorOption = Annotated[
    str | None,
    typer.Option(
        "--medicare-contractor",
        help="The patient's Medicare contractor (cgs, first-coast, ngs, noridian, novitas, palmetto, wps): it "
        "chooses the Medicare LCD version where contractors differ (default: not known, and the report says so).",
    ),
]


def chosen_units(assessment: Assessment, joint: str | None) -> tuple[UnitAssessment, ...]:
    """The joints a command reports on: the one `--joint` names (it must have been assessed), else all assessed."""
    if joint is None:
        return assessment.units
    if joint not in ("left", "right"):
        raise typer.BadParameter(f"{joint!r} is not left or right", param_hint="--joint")
    found = tuple(u for u in assessment.units if u.key == joint)
    if not found:
        assessed = ", ".join(u.key for u in assessment.units) or "none"
        raise UsageError(f"the {joint} joint is not assessed for this patient (assessed: {assessed})")
    return found


def one_unit(assessment: Assessment, joint: str | None) -> UnitAssessment:
    """The one joint a document (a letter) is about: `--joint`, or the only assessed joint."""
    units = chosen_units(assessment, joint)
    if len(units) != 1:
        raise UsageError("both joints are assessed for this patient: choose one with --joint left|right")
    return units[0]


def parse_as_of(value: str | None) -> dt.date:
    """The `--as-of` date; today when absent (the one clock read in sijpath), and within the supported range."""
    if value is None:
        return dt.date.today()  # the one clock read: the engine itself never reads the clock
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise typer.BadParameter(f"{value} is outside {EARLIEST_DATE} … {LATEST_DATE}", param_hint="--as-of")
    return day


def emit(
    output: OutputFormat,
    data: Callable[[], dict[str, Any]],
    markdown: Callable[[], str],
    show: Callable[[Console], None],
    fhir: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Write a report in the chosen format: the JSON contract, FHIR R4 JSON, Markdown, or Rich text."""
    if output is OutputFormat.fhir:
        if fhir is None:
            raise UsageError("`--format fhir` is for a single assessment (sijpath assess)")
        write_json(fhir())
    elif output is OutputFormat.json:
        write_json(data())
    elif output is OutputFormat.markdown:
        sys.stdout.write(markdown())
    else:
        show(Console())


def write_json(document: dict[str, Any]) -> None:
    """Indented JSON on standard output (keys in the order built, so output is byte-identical run to run)."""
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
