"""Dates on the timeline: calendar-month arithmetic and the view of an episode as of a date."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TypeVar

from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import DATE_FIELDS, FACT_LISTS, FactList
from sijpath.domain.issues import DataIssue

__all__ = [
    "EpisodeAsOf",
    "RollingWindow",
    "add_months",
    "episode_as_of",
    "fact_date",
    "latest",
    "months_between",
]

DAYS_PER_MONTH = 365.25 / 12


@functools.lru_cache(maxsize=4096)
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day.

    Kept for the most recent days asked (a pure function of its arguments): every assessment reads the same
    windows back from its as-of date, and making a date costs more than looking one up."""
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
    start: dt.date = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", add_months(self.end, -self.months))

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


F = TypeVar("F", bound=BaseModel)


def latest(facts: Sequence[F]) -> tuple[int, F] | None:
    """The most recent fact and its position; on the same date, the one recorded later in the list wins.

    The one tie rule for "the latest X" everywhere, so two same-day records never give two answers.
    """
    if not facts:
        return None
    index = max(range(len(facts)), key=lambda i: (fact_date(facts[i]), i))
    return index, facts[index]


@dataclass(frozen=True, slots=True)
class EpisodeAsOf:
    """The episode as it could be known on a date, the facts set aside, and where each kept fact came from."""

    episode: Episode
    issues: tuple[DataIssue, ...]
    # Original positions of the kept facts of lists the cut changed; other lists keep their positions.
    _moved: dict[str, dict[int, int]] = field(repr=False, compare=False)
    _positions: dict[str, dict[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def ref(self, fact: BaseModel, list_name: str) -> str:
        """Where a fact of `list_name` lives: its own id (from the source record), else its place in the original
        episode (`diagnostic_blocks[2]`). The one way every piece of evidence names its fact."""
        own = fact.__dict__.get("id")
        if own is not None:
            return str(own)
        positions = self._moved.get(list_name) or self._positions.get(list_name)
        if positions is None:
            facts = self.episode.__dict__[list_name]
            positions = self._positions[list_name] = {id(f): i for i, f in enumerate(facts)}
        index = positions.get(id(fact))
        return f"{list_name}[{index}]" if index is not None else list_name


def episode_as_of(episode: Episode, as_of: dt.date) -> EpisodeAsOf:
    """The episode as it could be known on `as_of`: facts dated later are set aside, each with a data issue.

    Courses still running past `as_of` are kept but treated as ongoing; follow-up scores after `as_of` are
    dropped from their injection. Every kept fact keeps its original place (`diagnostic_blocks[2]`) for evidence.
    """
    issues: list[DataIssue] = []
    changes: dict[str, object] = {}
    moved: dict[str, dict[int, int]] = {}
    values = episode.__dict__
    for entry in FACT_LISTS:
        name = entry.name
        facts = values[name]
        if not facts or not _reaches_past(facts, entry, as_of):
            continue  # the usual case: nothing in this list lies after the as-of date
        kept: list[BaseModel] = []
        positions: dict[int, int] = {}
        for index, fact in enumerate(facts):
            fields = fact.__dict__
            when = fields[entry.date_field]
            if when > as_of:
                issues.append(
                    DataIssue("info", f"{name}[{index}]", f"dated {when}, after the as-of date {as_of}; not used")
                )
                continue
            confirmed = fields.get("last_confirmed")
            if isinstance(confirmed, dt.date) and confirmed > as_of and fields.get("end_date") is None:
                # A confirmation dated later was not known on `as_of`: the course counts as never confirmed since.
                issues.append(
                    DataIssue(
                        "info",
                        f"{name}[{index}]",
                        f"last confirmed {confirmed}, after the as-of date {as_of}; that confirmation is not used",
                    )
                )
                fact = fact.model_copy(update={"last_confirmed": None})
                fields = fact.__dict__
            if entry.has_end or entry.has_follow_up:
                fact = _trimmed(fact, fields, as_of)
            positions[id(fact)] = index
            kept.append(fact)
        changes[name] = tuple(kept)
        moved[name] = positions
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
    cut = episode.model_copy(update=changes) if changes else episode
    return EpisodeAsOf(cut, tuple(issues), moved)


def _reaches_past(facts: Sequence[BaseModel], entry: FactList, as_of: dt.date) -> bool:
    """Whether any fact of a list is dated, ends or was followed up after `as_of`. This runs for every list of every
    episode assessed and almost always finds nothing, so the dates are read with `attrgetter` and compared with
    `max`, which walk the list in C."""
    if max(map(_DATE_OF[entry.name], facts)) > as_of:
        return True
    if entry.has_end:
        for fact in facts:
            end, confirmed = _END_AND_CONFIRMED(fact)
            if (end is not None and end > as_of) or (confirmed is not None and confirmed > as_of):
                return True
    if entry.has_follow_up:
        for scores in map(_FOLLOW_UP, facts):
            if scores and max(map(_DATE, scores)) > as_of:
                return True
    return False


_DATE_OF = {entry.name: attrgetter(entry.date_field) for entry in FACT_LISTS}
_END_AND_CONFIRMED = attrgetter("end_date", "last_confirmed")
_FOLLOW_UP = attrgetter("follow_up")
_DATE = attrgetter("date")


def _trimmed(fact: BaseModel, fields: dict[str, object], as_of: dt.date) -> BaseModel:
    """A course still running on `as_of` as ongoing, and an injection without its later follow-up scores."""
    update: dict[str, object] = {}
    end = fields.get("end_date")
    if isinstance(end, dt.date) and end > as_of:
        # The record shows the course still running on `as_of`: ongoing then, confirmed up to that day.
        update["end_date"] = None
        update["last_confirmed"] = as_of
    follow_up = fields.get("follow_up")
    if isinstance(follow_up, tuple) and follow_up and max(e.date for e in follow_up) > as_of:
        update["follow_up"] = tuple(e for e in follow_up if e.date <= as_of)
    return fact.model_copy(update=update) if update else fact
