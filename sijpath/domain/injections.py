"""Therapeutic injections: relief duration, the trend of relief over a series, and spacing between them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal, NamedTuple

from sijpath.domain.blocks import percent_text, relief_percent
from sijpath.domain.procedures import TherapeuticInjection
from sijpath.domain.timeline import RollingWindow

__all__ = [
    "InjectionInterval",
    "InjectionReading",
    "InjectionWindow",
    "function_contradiction",
    "injection_intervals",
    "injections_in_window",
    "read_injection",
    "relief_trend",
]


class InjectionReading(NamedTuple):
    """How much and how long one therapeutic injection helped.

    `relief_days_at_least` is True when the last follow-up still showed relief, so the true duration is
    longer than `relief_days` (a censored observation).
    """

    injection: TherapeuticInjection
    relief_percent: float | None
    relief_days: int | None
    relief_days_at_least: bool
    data_problem: str | None

    def describe(self) -> str:
        i = self.injection
        steroid = f"{i.steroid.drug} {i.steroid.dose_mg:g} mg" if i.steroid else "no steroid recorded"
        text = f"injection {i.date} ({i.side or 'side not recorded'}), {steroid}"
        parts = []
        if self.relief_percent is not None:
            parts.append(f"{percent_text(self.relief_percent)}% relief")
        if self.relief_days is not None:
            weeks = self.relief_days / 7
            parts.append(f"{'≥ ' if self.relief_days_at_least else ''}{weeks:.0f} weeks")
        return f"{text}: {', '.join(parts)}" if parts else f"{text}: relief not recorded"


def read_injection(injection: TherapeuticInjection, min_relief_percent: float) -> InjectionReading:
    """Relief and its duration: as reported, or else derived from the follow-up pain scores.

    From follow-up scores, relief lasts until the last score that still shows at least `min_relief_percent`
    relief from the pre-injection score; if every follow-up still does, the duration is a lower bound.
    """
    relief = injection.relief_percent
    days = injection.relief_duration_days
    at_least = False
    problem = None
    pre = injection.pre_injection_nrs
    if injection.follow_up and pre is not None and (relief is None or days is None):
        try:
            # A score on the injection day itself is not follow-up (it may precede the injection).
            injected = injection.date
            later = sorted([e for e in injection.follow_up if e.date > injected], key=_DATE)
            reliefs = [(e.date, relief_percent(pre, e.nrs)) for e in later]
        except ValueError as exc:
            problem = f"follow-up scores: {exc}"
        else:
            if relief is None and reliefs:
                relief = max(r for _, r in reliefs)
            if days is None and reliefs:
                days, at_least = _duration_from_diary(injection.date, reliefs, min_relief_percent)
    contradiction = function_contradiction(injection)
    if contradiction is not None:
        contradiction += ": correct the one that is wrong"
        problem = f"{problem}; {contradiction}" if problem else contradiction
    return InjectionReading(injection, relief, days, at_least, problem)


def function_contradiction(injection: TherapeuticInjection) -> str | None:
    """The function fields contradict each other: recorded as not improved, yet improved for some days. Neither is
    taken over the other: which is right is a question for the record (None when they agree or one is missing)."""
    days = injection.functional_improvement_days
    if injection.functional_improvement is not False or not days:
        return None
    return (
        f"function after the injection of {injection.date} is recorded as not improved (functional_improvement "
        f"false) yet improved for {days} days (functional_improvement_days)"
    )


def _duration_from_diary(
    injected: dt.date, reliefs: Sequence[tuple[dt.date, float]], min_relief_percent: float
) -> tuple[int, bool]:
    last_good = injected
    for day, relief in reliefs:
        if relief < min_relief_percent:
            return (last_good - injected).days, False
        last_good = day
    return (last_good - injected).days, True


_DATE = attrgetter("date")

Trend = Literal["shortening", "not-shortening", "insufficient-data"]


def relief_trend(readings: Sequence[InjectionReading], min_injections: int) -> tuple[Trend, list[InjectionReading]]:
    """Whether relief keeps shortening: the last `min_injections` known durations, each shorter than the one before.

    Censored durations (`at least N days`) are skipped: they cannot show that relief got shorter.
    Returns the trend and the readings it rests on.
    """
    known = [r for r in sorted(readings, key=lambda r: r.injection.date) if r.relief_days is not None]
    exact = [r for r in known if not r.relief_days_at_least]
    if len(exact) < min_injections:
        return "insufficient-data", exact
    recent = exact[-min_injections:]
    durations = [r.relief_days for r in recent]
    shortening = all(b < a for a, b in itertools.pairwise(durations))  # type: ignore[operator]
    return ("shortening" if shortening else "not-shortening"), recent


class InjectionInterval(NamedTuple):
    """The gap between two consecutive therapeutic injections of one joint."""

    earlier: TherapeuticInjection
    later: TherapeuticInjection

    @property
    def days(self) -> int:
        return (self.later.date - self.earlier.date).days

    def describe(self) -> str:
        return f"injections {self.earlier.date} → {self.later.date}: {self.days / 7:.1f} weeks apart"


def injection_intervals(injections: Sequence[TherapeuticInjection]) -> list[InjectionInterval]:
    """Gaps between consecutive injections of one joint (the caller passes that joint's injections)."""
    ordered = sorted(injections, key=lambda i: i.date)
    return [InjectionInterval(a, b) for a, b in itertools.pairwise(ordered)]


@dataclass(frozen=True, slots=True)
class InjectionWindow:
    """Therapeutic injections in the `months` up to `as_of`: how many, and the shortest gap between two of them."""

    months: int
    count: int
    shortest_interval_days: int | None


def injections_in_window(
    injections: Sequence[TherapeuticInjection], intervals: Sequence[InjectionInterval], as_of: dt.date, months: int
) -> InjectionWindow:
    """Count injections after `as_of` − `months` (rolling window) and the shortest same-joint gap ending inside it."""
    window = RollingWindow(as_of, months)
    inside = [i for i in injections if i.date in window]
    gaps = [i.days for i in intervals if i.later.date in window]
    return InjectionWindow(months, len(inside), min(gaps) if gaps else None)
