"""Options and argument parsing shared by the command-line modules."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer

from sijpath.domain.base import EARLIEST_DATE, LATEST_DATE

__all__ = ["OutputFormat", "RulesetOption", "parse_as_of"]


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


RulesetOption = Annotated[
    str, typer.Option("--ruleset", "-r", help="Built-in rule-set id or path to a rule-set .toml file.")
]


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()  # the one clock read: the engine itself never reads the clock
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise typer.BadParameter(f"{value} is outside {EARLIEST_DATE} … {LATEST_DATE}", param_hint="--as-of")
    return day


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()  # the one clock read: the engine itself never reads the clock
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise typer.BadParameter(f"{value} is outside {EARLIEST_DATE} … {LATEST_DATE}", param_hint="--as-of")
    return day
