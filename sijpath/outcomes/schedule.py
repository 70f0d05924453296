"""The follow-up schedule after each index procedure, with windows, and each time point's status on a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "PROCEDURES",
    "SCHEDULES",
    "WINDOW_SOURCE",
    "Procedure",
    "Status",
    "TimePoint",
    "TimePointStatus",
    "schedule_status",
    "time_point_of",
]

Procedure = Literal["fusion", "rfa", "therapeutic-injection"]
PROCEDURES: tuple[Procedure, ...] = ("fusion", "rfa", "therapeutic-injection")
Status = Literal["upcoming", "due", "overdue", "missed", "done"]
# Schedules: product-anchors §5.2; the windows are sijpath's own reading, catalogued with its reasoning.
WINDOW_SOURCE = "sijpath-follow-up-windows"
SCHEDULE_SOURCE = "product-anchors §5.2"


@dataclass(frozen=True, slots=True)
class TimePoint:
    """A scheduled measurement: target day after the procedure (negative = before) and its window, inclusive."""

    code: str
    label: str
    target_day: int
    opens_day: int
    closes_day: int


BASELINE = TimePoint("baseline", "baseline", 0, -90, 0)
_AFTER = {
    "6w": TimePoint("6w", "6 weeks", 42, 28, 56),
    "3m": TimePoint("3m", "3 months", 91, 60, 120),
    "6m": TimePoint("6m", "6 months", 182, 150, 240),
    "12m": TimePoint("12m", "12 months", 365, 300, 420),
    "24m": TimePoint("24m", "24 months", 730, 630, 810),
}
SCHEDULES: dict[Procedure, tuple[TimePoint, ...]] = {
    "fusion": (BASELINE, *(_AFTER[c] for c in ("6w", "3m", "6m", "12m", "24m"))),
    "rfa": (BASELINE, *(_AFTER[c] for c in ("3m", "6m", "12m"))),
    # The per-injection relief diary lives with the episode (sijpath.domain.injections); here only the baseline.
    "therapeutic-injection": (BASELINE,),
}


@dataclass(frozen=True, slots=True)
class TimePointStatus:
    time_point: TimePoint
    status: Status
    opens: dt.date
    target: dt.date
    closes: dt.date


def time_point_of(procedure: Procedure, day: int) -> TimePoint | None:
    """The time point whose window holds `day` (days after the procedure), or None between windows."""
    return next((t for t in SCHEDULES[procedure] if t.opens_day <= day <= t.closes_day), None)


def schedule_status(
    procedure: Procedure, performed_on: dt.date, measured_days: Iterable[int], as_of: dt.date
) -> list[TimePointStatus]:
    """Each time point on `as_of`: done (an entry in its window), upcoming (window not open), due (open, before
    the target), overdue (open, past the target) or missed (closed without an entry)."""
    today = (as_of - performed_on).days
    days = {d for d in measured_days if d <= today}  # as of a past day, what was entered later is not yet there
    result = []
    for t in SCHEDULES[procedure]:
        if any(t.opens_day <= d <= t.closes_day for d in days):
            status: Status = "done"
        elif today < t.opens_day:
            status = "upcoming"
        elif today > t.closes_day:
            status = "missed"
        else:
            status = "due" if today <= t.target_day else "overdue"
        result.append(
            TimePointStatus(
                t,
                status,
                performed_on + dt.timedelta(days=t.opens_day),
                performed_on + dt.timedelta(days=t.target_day),
                performed_on + dt.timedelta(days=t.closes_day),
            )
        )
    return result
