"""Data issues: clinically implausible or unusable facts in an otherwise valid episode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DataIssue"]


@dataclass(frozen=True, slots=True)
class DataIssue:
    """A fact the assessment could not use as recorded, and why; the affected criteria become unknown."""

    severity: Literal["info", "warning"]
    location: str
    message: str
