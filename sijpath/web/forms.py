"""Forms that add facts to an episode: parsed into the domain model, with messages that name the form field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pydantic import ValidationError

from sijpath.domain.document import problems_from_validation
from sijpath.domain.episode import Episode
from sijpath.domain.procedures import DiagnosticBlock
from sijpath.errors import EpisodeValidationError, Problem

__all__ = ["add_block"]


def _number(form: Mapping[str, str], name: str, problems: list[Problem]) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems.append(Problem(name, f"{text!r} is not a number"))
        return None


def _version(form: Mapping[str, str]) -> int:
    text = form.get("version", "")
    if not (text.isascii() and text.isdigit() and len(text) <= 18):  # a version the database can hold
        raise EpisodeValidationError("the form lacks the version it was opened at; reload the page")
    return int(text)


def add_block(episode: Episode, form: Mapping[str, str]) -> tuple[Episode, int]:
    """The episode with one more diagnostic block, and the version the form was opened at."""
    problems: list[Problem] = []
    try:
        date = dt.date.fromisoformat(form.get("date", ""))
    except ValueError:
        problems.append(Problem("date", "give the date of the block (YYYY-MM-DD)"))
        date = None
    pre, post = _number(form, "pre_block_nrs", problems), _number(form, "post_block_nrs", problems)
    minutes = _number(form, "post_block_minutes", problems)
    if minutes is not None and not minutes.is_integer():
        problems.append(Problem("post_block_minutes", "give whole minutes"))
    contrast = {"yes": True, "no": False}.get(form.get("contrast", ""))
    try:  # validated even when a field did not parse, so every wrong field is named at once
        block = DiagnosticBlock.model_validate(
            {
                "date": date,
                "side": form.get("side"),
                "guidance": form.get("guidance") or None,
                "contrast": contrast,
                "anesthetics": [{"drug": form.get("anesthetic")}],
                "pre_block_nrs": pre,
                "post_block_nrs": post,
                "post_block_minutes": int(minutes) if minutes is not None and minutes.is_integer() else None,
            }
        )
    except ValidationError as exc:
        for problem in problems_from_validation(exc):  # named by form field, one message per field
            name = {"anesthetics[0].drug": "anesthetic", "anesthetics": "anesthetic"}.get(problem.location)
            if (name or problem.location) not in {p.location for p in problems}:
                problems.append(Problem(name or problem.location, problem.message))
    if problems:
        raise EpisodeValidationError("the block was not saved", problems)
    version = _version(form)
    return episode.model_copy(update={"diagnostic_blocks": (*episode.diagnostic_blocks, block)}), version
