"""What every part of the FHIR importer shares: the issue log, and reading dates, sides, codes and agents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from sijpath.domain.document import problems_from_validation
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.issues import DataIssue
from sijpath.fhir.model import CodeableConcept, Period, Quantity, Resource, calendar_date
from sijpath.fhir.vocabulary import INJECTATE_AGENTS, OWN, RXNORM, RXNORM_INGREDIENTS

__all__ = ["FACT_NAMES", "ReadLog", "Resolve", "agent_of", "last_confirmed", "own_code", "side_of", "when"]

# An episode list's facts, named in the singular for messages ("this pain score was not imported").
FACT_NAMES = {"pain": "pain presentation", **{entry.name: entry.singular for entry in FACT_LISTS}}

Resolve = Callable[[str], str | None]
"""Turns a reference as written (`Procedure/blk-1`, `urn:uuid:…`, an absolute URL) into `Type/id` in the record,
or None when the record does not hold its target."""


@dataclass
class ReadLog:
    """The data issues found while reading one patient's resources, in the order found."""

    issues: list[DataIssue] = field(default_factory=list)

    def warn(self, where: str, message: str) -> None:
        self.issues.append(DataIssue("warning", where, message))

    def note(self, where: str, message: str) -> None:
        self.issues.append(DataIssue("info", where, message))

    def invalid(self, where: str, exc: ValidationError, what: str) -> None:
        """A resource whose content does not fit: name every element at fault; the resource is not used."""
        problems = "; ".join(str(p) for p in problems_from_validation(exc))
        self.warn(where, f"{problems}: this {what} was not imported")


def key(resource: Resource, position: int) -> str:
    """`Type/id`, or the resource's position in its file when it has no id."""
    return f"{resource.resourceType}/{resource.id}" if resource.id else f"{resource.resourceType} #{position + 1}"


def when(log: ReadLog, where: str, element: str, date_time: str | None, period: Period | None = None) -> dt.date | None:
    """The calendar day of `element` (a dateTime, else the start of a Period); logs why when there is none."""
    text = date_time if date_time is not None else (period.start if period is not None else None)
    if text is None:
        log.warn(where, f"{element} is missing: a fact without a date cannot be placed on the timeline; not imported")
        return None
    day = calendar_date(text)
    if day is None:
        log.warn(where, f"{element} {text!r} gives no day (only a year or month); not imported")
    return day


def last_confirmed(log: ReadLog, where: str, element: str, text: str | None, start: dt.date) -> dt.date | None:
    """The day an open-ended course was last confirmed as ongoing, if the resource says; a date before the start
    or without a day is dropped with a warning (the course then counts for its start day only)."""
    if text is None:
        return None
    day = calendar_date(text)
    if day is None or day < start:
        log.warn(where, f"{element} {text!r} is not a day on or after the start: the course counts its start day only")
        return None
    return day


def own_code(concept: CodeableConcept | None, prefix: str = "") -> str | None:
    """The first code of ours in `concept` that starts with `prefix`, without the prefix."""
    if concept is None:
        return None
    for coding in concept.coding:
        if coding.system == OWN and coding.code is not None and coding.code.startswith(prefix):
            return coding.code.removeprefix(prefix)
    return None


Side = Literal["left", "right", "bilateral"]
_SIDES: dict[str, Side] = {"left-sij": "left", "right-sij": "right", "bilateral-sij": "bilateral"}


def side_of(log: ReadLog, where: str, sites: Iterable[CodeableConcept]) -> Side | None:
    """Which SI joint: our body-site codes, else the words left/right/bilateral in the site's text."""
    for site in sites:
        code = own_code(site, "")
        if code in _SIDES:
            return _SIDES[code]
        words = " ".join([site.text or "", *(c.display or "" for c in site.coding)]).lower()
        found = [side for side in ("bilateral", "left", "right") if side in words]
        if found and ("bilateral" in found or len(found) == 1):
            log.note(where, f"side read from the body-site text {words.strip()!r}")
            return "bilateral" if "bilateral" in found else ("left" if found[0] == "left" else "right")
    return None


def agent_of(concept: CodeableConcept | None) -> tuple[str | None, bool]:
    """The injectate agent a concept names, and whether it was matched by name only (not by a code)."""
    if concept is None:
        return None, False
    code = own_code(concept, "agent-")
    if code in INJECTATE_AGENTS:
        return code, False
    for rxcui in concept.codes(RXNORM):
        if rxcui in RXNORM_INGREDIENTS:
            return RXNORM_INGREDIENTS[rxcui], False
    words = " ".join([concept.text or "", *(c.display or "" for c in concept.coding)]).lower()
    named = [agent for agent in INJECTATE_AGENTS if agent in words]
    # `bupivacaine` is inside `levobupivacaine`: prefer the longest name.
    return (max(named, key=len), True) if named else (None, False)


def quantity_in(quantity: Quantity | None, units: dict[str, float]) -> float | None:
    """A quantity's value converted by its UCUM code (or unit text) through `units`; None when not convertible."""
    if quantity is None or quantity.value is None or quantity.comparator is not None:
        return None
    unit = quantity.code or quantity.unit
    factor = units.get(unit) if unit is not None else None
    return quantity.value * factor if factor is not None else None
