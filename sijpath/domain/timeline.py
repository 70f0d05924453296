"""Dates on the timeline: calendar-month arithmetic and the view of an episode as of a date."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TypeVar

from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue

__all__ = [
    "RollingWindow",
    "add_months",
    "episode_as_of",
    "fact_date",
    "latest",
    "months_between",
    "with_location",
]

DAYS_PER_MONTH = 365.25 / 12


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day <= 28:  # every month has a 28th: skip the calendar lookup in the common case
        return dt.date(year, month, day.day)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class RollingWindow:
    """The `months` calendar months up to and including `end`: a day is inside when end − months < day <= end."""

    end: dt.date
    months: int

    @property
    def start(self) -> dt.date:
        return add_months(self.end, -self.months)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start < day <= self.end


def months_between(start: dt.date, end: dt.date) -> float:
    """Elapsed months as a decimal (days / 30.44), for display; decisions use `add_months`."""
    return (end - start).days / DAYS_PER_MONTH


def fact_date(fact: BaseModel) -> dt.date:
    """The date a fact happened: `date` for events, `start_date` for courses, `recorded_date` for diagnoses."""
    for name in DATE_FIELDS:
        value = fact.__dict__.get(name)
        if isinstance(value, dt.date):
            return value
    raise TypeError(f"{type(fact).__name__} has no date")


DATE_FIELDS = ("date", "start_date", "recorded_date")

F = TypeVar("F", bound=BaseModel)


def latest(facts: Sequence[F]) -> tuple[int, F] | None:
    """The most recent fact and its position; on the same date, the one recorded later in the list wins.

    The one tie rule for "the latest X" everywhere, so two same-day records never give two answers.
    """
    if not facts:
        return None
    index = max(range(len(facts)), key=lambda i: (fact_date(facts[i]), i))
    return index, facts[index]


def _list_fields() -> dict[str, tuple[str, bool, bool]]:
    """For each list of facts in an episode: its date field, and whether its items have `end_date` / `follow_up`.

    Computed once from the model, so cutting an episode never probes for absent attributes.
    """
    fields = {}
    for name, info in Episode.model_fields.items():
        item = getattr(info.annotation, "__args__", (None,))[0]
        if not (isinstance(item, type) and issubclass(item, BaseModel)):
            continue
        date_field = next(f for f in DATE_FIELDS if f in item.model_fields)
        fields[name] = (date_field, "end_date" in item.model_fields, "follow_up" in item.model_fields)
    return fields


LIST_FIELDS = _list_fields()


def episode_as_of(episode: Episode, as_of: dt.date) -> tuple[Episode, list[DataIssue]]:
    """The episode as it could be known on `as_of`: facts dated later are set aside, each with a data issue.

    Courses still running past `as_of` are kept but treated as ongoing; follow-up scores after `as_of`
    are dropped from their injection. When a list loses facts, the kept ones without an id get their
    original location as id (`diagnostic_blocks[2]`), so evidence still points at the right record.
    """
    issues: list[DataIssue] = []
    changes: dict[str, object] = {}
    values = episode.__dict__
    for name, (date_field, has_end, has_follow_up) in LIST_FIELDS.items():
        facts = values[name]
        if not facts:
            continue
        if not (has_end or has_follow_up) and max(map(attrgetter(date_field), facts)) <= as_of:
            continue  # the usual case: nothing in this list lies after the as-of date
        kept: list[tuple[int, BaseModel]] = []
        changed = False
        for index, fact in enumerate(facts):
            fields = fact.__dict__
            when = fields[date_field]
            if when > as_of:
                issues.append(
                    DataIssue("info", f"{name}[{index}]", f"dated {when}, after the as-of date {as_of}; not used")
                )
                changed = True
                continue
            update: dict[str, object] = {}
            if has_end and fields["end_date"] is not None and fields["end_date"] > as_of:
                update["end_date"] = None
            if has_follow_up and fields["follow_up"] and max(e.date for e in fields["follow_up"]) > as_of:
                update["follow_up"] = tuple(e for e in fields["follow_up"] if e.date <= as_of)
            if update:
                fact = fact.model_copy(update=update)
                changed = True
            kept.append((index, fact))
        if len(kept) != len(facts):
            changes[name] = tuple(with_location(fact, f"{name}[{index}]") for index, fact in kept)
        elif changed:
            changes[name] = tuple(fact for _, fact in kept)
    reviewed = episode.contraindications_reviewed_on
    if reviewed is not None and reviewed > as_of:
        issues.append(
            DataIssue("info", "contraindications_reviewed_on", f"{reviewed} is after the as-of date {as_of}; not used")
        )
        changes["contraindications_reviewed_on"] = None
    if episode.pain.onset_date is not None and episode.pain.onset_date > as_of:
        issues.append(
            DataIssue("warning", "pain.onset_date", f"{episode.pain.onset_date} is after the as-of date {as_of}")
        )
        changes["pain"] = episode.pain.model_copy(update={"onset_date": None})
    return (episode.model_copy(update=changes) if changes else episode), issues


def with_location(fact: BaseModel, location: str) -> BaseModel:
    """The fact with its original place in the episode as id, unless it already has an id."""
    if getattr(fact, "id", "") is None:
        return fact.model_copy(update={"id": location})
    return fact
