"""What the prior-authorization pages ask of the letters, which `wiring` supplies (web does not import documents)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from sijpath.domain.episode import Episode
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.ruleset import RuleSet
from sijpath.settings import Practice

__all__ = ["LetterRequest", "LetterView", "LetterWriter"]


@dataclass(frozen=True, slots=True)
class LetterRequest:
    """A letter (always allowed as a draft, which marks what is missing) for one procedure on one joint."""

    assessment: Assessment
    unit: UnitAssessment
    ruleset: RuleSet
    procedure: str
    episode: Episode
    practice: Practice
    narrative: str | None


@dataclass(frozen=True, slots=True)
class LetterView:
    """The letter as escaped HTML elements (headings from h3, inside the page's own), and whether it is a draft."""

    html: str
    draft: bool


class LetterWriter(Protocol):
    """Both raise `RequestNotSupportedError` while a red flag holds every procedure: no letter, not even a draft."""

    def view(self, request: LetterRequest) -> LetterView: ...

    def pdf(self, request: LetterRequest, paper: Literal["letter", "a4"], packet: bool) -> bytes: ...
