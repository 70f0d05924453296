"""The Oswestry Disability Index from its ten section answers, with the published rule for an unanswered section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sijpath.errors import Problem

__all__ = ["MAX_MISSING_SECTIONS", "ODI_SECTIONS", "ODI_SOURCES", "OdiScore", "score_odi"]

ODI_SECTIONS = (
    "pain intensity",
    "personal care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex life",
    "social life",
    "travelling",
)
# The published instructions reduce the total possible score by 5 per unanswered section and work through one
# missed section; they state no upper limit in what sijpath read, so allowing only one is sijpath's own reading.
MAX_MISSING_SECTIONS = 1
ODI_SOURCES = ("odi-fairbank-scoring", "sijpath-odi-missing-items")


@dataclass(frozen=True, slots=True)
class OdiScore:
    """An ODI index (0–100) and how many sections it was computed from."""

    index: float
    answered: int

    @property
    def missing(self) -> int:
        return len(ODI_SECTIONS) - self.answered


def score_odi(answers: Sequence[int | None], field: str = "odi_items") -> OdiScore | list[Problem]:
    """Score ten answers (0–5, None for unanswered): sum ÷ (5 × answered) × 100. Problems name each bad field;
    more than one unanswered section is refused, never scored from the rest."""
    if len(answers) != len(ODI_SECTIONS):
        return [Problem(field, f"needs {len(ODI_SECTIONS)} answers (one per section), got {len(answers)}")]
    problems = [
        Problem(f"{field}[{i}]", f"{ODI_SECTIONS[i]}: {a} is not an answer 0–5")
        for i, a in enumerate(answers)
        if a is not None and (isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= 5)
    ]
    if problems:
        return problems
    given = [a for a in answers if a is not None]
    missing = len(answers) - len(given)
    if missing > MAX_MISSING_SECTIONS:
        names = ", ".join(ODI_SECTIONS[i] for i, a in enumerate(answers) if a is None)
        return [
            Problem(
                field,
                f"{missing} sections unanswered ({names}); an ODI is scored with at most {MAX_MISSING_SECTIONS} "
                "missing (sijpath's reading of the published rule): add the answers or enter a total",
            )
        ]
    return OdiScore(index=sum(given) / (5 * len(given)) * 100, answered=len(given))
