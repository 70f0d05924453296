"""Options and argument parsing shared by the command-line modules."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from sijpath.domain.base import EARLIEST_DATE, LATEST_DATE

__all__ = ["OutputFormat", "RulesetOption", "emit", "parse_as_of"]


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


RulesetOption = Annotated[
    str, typer.Option("--ruleset", "-r", help="Built-in rule-set id or path to a rule-set .toml file.")
]


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
) -> None:
    """Write a report in the chosen format: the JSON contract, Markdown, or Rich text on the terminal."""
    if output is OutputFormat.json:
        sys.stdout.buffer.write(orjson.dumps(data(), option=orjson.OPT_INDENT_2) + b"\n")
    elif output is OutputFormat.markdown:
        sys.stdout.write(markdown())
    else:
        show(Console())
