"""Data issues: clinically implausible, unusable or disputed facts in an otherwise valid episode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DataIssue", "Dispute"]


@dataclass(frozen=True, slots=True)
class Dispute:
    """One fact two sources record differently for the same event: where it is, the sources, and each value
    they give (field name, the record's value as JSON, the other source's value as JSON). Until someone chooses
    one source, every criterion resting on the fact is unknown, whichever value it holds."""

    list_name: str
    position: int
    ref: str  # how evidence names the fact: its id, else `list_name[position]`
    fact: str  # the fact as the record holds it (canonical JSON): it is found again after edits by this
    held_source: str
    other_source: str
    values: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class DataIssue:
    """A fact the assessment could not use as recorded, and why; the affected criteria become unknown. With a
    `dispute`, the criteria resting on the disputed fact are unknown until the dispute is resolved."""

    severity: Literal["info", "warning"]
    location: str
    message: str
    dispute: Dispute | None = None
