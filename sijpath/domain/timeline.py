"""Dates on the timeline: calendar-month arithmetic and the view of an episode as of a date."""

from __future__ import annotations

import calendar
import datetime as dt

from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue

__all__ = ["add_months", "episode_as_of", "fact_date", "months_between"]

DAYS_PER_MONTH = 365.25 / 12


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> float:
    """Elapsed months as a decimal (days / 30.44), for display; decisions use `add_months`."""
    return (end - start).days / DAYS_PER_MONTH


def fact_date(fact: BaseModel) -> dt.date:
    """The date a fact happened: `date` for events, `start_date` for courses, `recorded_date` for diagnoses."""
    value = getattr(fact, "date", None) or getattr(fact, "start_date", None) or getattr(fact, "recorded_date", None)
    assert isinstance(value, dt.date), f"{type(fact).__name__} has no date"
    return value


def episode_as_of(episode: Episode, as_of: dt.date) -> tuple[Episode, list[DataIssue]]:
    """The episode as it could be known on `as_of`: facts dated later are set aside, each with a data issue.

    Courses still running past `as_of` are kept but treated as ongoing; follow-up scores after `as_of`
    are dropped from their injection. When a list loses facts, the kept ones without an id get their
    original location as id (`diagnostic_blocks[2]`), so evidence still points at the right record.
    """
    issues: list[DataIssue] = []
    changes: dict[str, object] = {}
    for name, value in episode:
        if not isinstance(value, tuple):
            continue
        kept: list[tuple[int, BaseModel]] = []
        for index, fact in enumerate(value):
            when = fact_date(fact)
            if when > as_of:
                issues.append(
                    DataIssue("info", f"{name}[{index}]", f"dated {when}, after the as-of date {as_of}; not used")
                )
                continue
            kept.append((index, _without_future_parts(fact, as_of)))
        if len(kept) != len(value):
            changes[name] = tuple(_with_location(fact, f"{name}[{index}]") for index, fact in kept)
        elif any(fact is not original for (_, fact), original in zip(kept, value, strict=True)):
            changes[name] = tuple(fact for _, fact in kept)
    reviewed = episode.contraindications_reviewed_on
    if reviewed is not None and reviewed > as_of:
        issues.append(DataIssue("info", "contraindications_reviewed_on", f"{reviewed} is after the as-of date {as_of}; "
                                "not used"))
        changes["contraindications_reviewed_on"] = None
    if episode.pain.onset_date is not None and episode.pain.onset_date > as_of:
        issues.append(
            DataIssue("warning", "pain.onset_date", f"{episode.pain.onset_date} is after the as-of date {as_of}")
        )
        changes["pain"] = episode.pain.model_copy(update={"onset_date": None})
    return (episode.model_copy(update=changes) if changes else episode), issues


def _without_future_parts(fact: BaseModel, as_of: dt.date) -> BaseModel:
    follow_up = getattr(fact, "follow_up", None)
    if follow_up and any(entry.date > as_of for entry in follow_up):
        fact = fact.model_copy(update={"follow_up": tuple(e for e in follow_up if e.date <= as_of)})
    end_date = getattr(fact, "end_date", None)
    if end_date is not None and end_date > as_of:
        fact = fact.model_copy(update={"end_date": None})
    return fact


def _with_location(fact: BaseModel, location: str) -> BaseModel:
    if getattr(fact, "id", "") is None:
        return fact.model_copy(update={"id": location})
    return fact
