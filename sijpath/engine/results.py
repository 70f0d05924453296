"""What rules return: three-valued criterion results, fired flags, and the dated evidence behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Evidence",
    "FlagResult",
    "Measurement",
    "Outcome",
    "Severity",
    "Status",
    "all_of",
    "met",
    "not_met",
    "unknown",
]

Status = Literal["met", "not-met", "unknown"]
Severity = Literal["info", "warning", "critical"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One dated fact a conclusion rests on, and the record it came from (`diagnostic_blocks[0]`)."""

    date: dt.date | None
    fact: str
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A criterion's status, a one-line reason, its evidence, what would settle it when unknown, and any
    sources the particular facts add to the rule's own."""

    status: Status
    summary: str
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()


def met(summary: str, evidence: Iterable[Evidence] = ()) -> Outcome:
    return Outcome("met", summary, tuple(evidence))


def not_met(summary: str, evidence: Iterable[Evidence] = (), missing: Iterable[str] = ()) -> Outcome:
    return Outcome("not-met", summary, tuple(evidence), tuple(missing))


def unknown(summary: str, missing: Iterable[str], evidence: Iterable[Evidence] = ()) -> Outcome:
    missing = tuple(missing)
    assert missing, "an unknown outcome must say what data would settle it"
    return Outcome("unknown", summary, tuple(evidence), missing)


def all_of(statuses: Iterable[Status]) -> Status:
    """Three-valued AND (Kleene): any not-met → not-met; else any unknown → unknown; else met."""
    statuses = set(statuses)
    if "not-met" in statuses:
        return "not-met"
    return "unknown" if "unknown" in statuses else "met"


@dataclass(frozen=True, slots=True)
class FlagResult:
    """A fired flag: how serious, what to tell the clinician, the facts that raised it, and any sources those
    particular facts add to the rule's own (for example the dose equivalence of the steroid given)."""

    severity: Severity
    message: str
    evidence: tuple[Evidence, ...] = ()
    cites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Measurement:
    """A computed fact shown with the assessment (a count, a total, a duration), whatever the criteria made of it.

    `value` is None when the record cannot give it; `detail` says what it was computed from.
    """

    name: str
    value: int | float | str | None
    unit: str
    detail: str
    cites: tuple[str, ...] = ()
