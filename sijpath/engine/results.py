"""What rules return: three-valued criterion results, fired flags, and the dated evidence behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple, TypeVar

__all__ = [
    "Evidence",
    "FlagResult",
    "Lines",
    "Measurement",
    "Outcome",
    "Severity",
    "Status",
    "Text",
    "all_of",
    "met",
    "not_met",
    "resolved",
    "unknown",
]

Status = Literal["met", "not-met", "unknown"]
Severity = Literal["info", "warning", "critical"]


class Evidence(NamedTuple):
    """One dated fact a conclusion rests on, and the record it came from (`diagnostic_blocks[0]`)."""

    date: dt.date | None
    fact: str
    ref: str | None = None


Text = str | Callable[[], str]
"""Words, or how to write them: explanation text is written only when something reads it (the engine decides on
statuses; building every sentence of every assessment would cost more than the decision)."""
Lines = Iterable[Evidence] | Callable[[], Iterable[Evidence]]
"""Evidence, or how to gather it, for the same reason."""

T = TypeVar("T")


def resolved(value: T | Callable[[], T]) -> T:
    return value() if callable(value) else value


class _Written:
    """Text and evidence written on first read and kept, so a result reads the same every time."""

    __slots__ = ("_evidence", "_text", "cites")

    def __init__(self, text: Text, evidence: Lines, cites: tuple[str, ...]) -> None:
        self._text = text
        self._evidence = evidence
        self.cites = cites

    def _written(self) -> str:
        text = self._text
        if not isinstance(text, str):
            text = self._text = text()
        return text

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        evidence = self._evidence
        if not isinstance(evidence, tuple):
            evidence = self._evidence = tuple(resolved(evidence))
        return evidence


class Outcome(_Written):
    """A criterion's status, a one-line reason, its evidence, what would settle it when unknown, and any
    sources the particular facts add to the rule's own.

    The reason and the evidence may be given as functions of the (immutable) facts: they are written on first
    read and kept, so the outcome reads the same every time.
    """

    __slots__ = ("missing", "status")

    def __init__(
        self,
        status: Status,
        summary: Text,
        evidence: Lines = (),
        missing: tuple[str, ...] = (),
        cites: tuple[str, ...] = (),
    ) -> None:
        self._text, self._evidence, self.cites = summary, evidence, cites  # as _Written's, without a call
        self.status: Status = status
        self.missing = missing

    @property
    def summary(self) -> str:
        return self._written()

    def __repr__(self) -> str:
        return f"Outcome({self.status!r}, {self.summary!r})"


def met(summary: Text, evidence: Lines = ()) -> Outcome:
    return Outcome("met", summary, evidence)


def not_met(summary: Text, evidence: Lines = (), missing: Iterable[str] = ()) -> Outcome:
    return Outcome("not-met", summary, evidence, tuple(missing))


def unknown(summary: Text, missing: Iterable[str], evidence: Lines = ()) -> Outcome:
    missing = tuple(missing)
    assert missing, "an unknown outcome must say what data would settle it"
    return Outcome("unknown", summary, evidence, missing)


def all_of(statuses: Iterable[Status]) -> Status:
    """Three-valued AND (Kleene): any not-met → not-met; else any unknown → unknown; else met."""
    statuses = set(statuses)
    if "not-met" in statuses:
        return "not-met"
    return "unknown" if "unknown" in statuses else "met"


class FlagResult(_Written):
    """A fired flag: how serious, what to tell the clinician, the facts that raised it, and any sources those
    particular facts add to the rule's own (for example the dose equivalence of the steroid given).

    Like an outcome's, the message and evidence may be functions of the facts, written on first read and kept.
    """

    __slots__ = ("severity",)

    def __init__(self, severity: Severity, message: Text, evidence: Lines = (), cites: tuple[str, ...] = ()) -> None:
        self._text, self._evidence, self.cites = message, evidence, cites  # as _Written's, without a call
        self.severity: Severity = severity

    @property
    def message(self) -> str:
        return self._written()


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
