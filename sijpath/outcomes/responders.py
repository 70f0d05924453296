"""Responder classification: improvement from baseline against cited MCID and substantial-clinical-benefit thresholds.

Every threshold names its source; no source in sijpath's catalog gives a PASS (patient acceptable symptom state)
for these instruments, so none is offered. Missing baseline or follow-up gives `None` (unknown), never "not a
responder".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["THRESHOLDS", "Instrument", "ResponderThreshold", "classify", "is_responder", "thresholds_for"]

Instrument = Literal["odi", "nrs_back", "nrs_leg", "eq5d_index"]
# Change scores are compared after rounding, so an ODI of 62 → 47 computed from item sums counts as exactly 15.
_PLACES = 6


@dataclass(frozen=True, slots=True)
class ResponderThreshold:
    """Improvement that makes a responder: at least `points`, or at least `percent` of baseline when given."""

    id: str
    instrument: Instrument
    label: str
    points: float
    percent: float | None
    source: str
    lower_is_better: bool = True  # ODI and pain: improvement is a fall; EQ-5D index: a rise
    caveat: str = ""


THRESHOLDS: tuple[ResponderThreshold, ...] = (
    ResponderThreshold(
        "odi-insite-clinical", "odi", "ODI ≥15 points (INSITE clinical improvement)", 15, None, "insite-polly-2016"
    ),
    ResponderThreshold(
        "odi-insite-scb",
        "odi",
        "ODI ≥18.8 points (INSITE substantial clinical benefit)",
        18.8,
        None,
        "insite-polly-2016",
    ),
    ResponderThreshold(
        "odi-ostelo-mic", "odi", "ODI ≥10 points or ≥30% (Ostelo 2008 consensus)", 10, 30, "ostelo-2008"
    ),
    ResponderThreshold(
        "nrs-back-ostelo-mic", "nrs_back", "back pain NRS ≥2 points or ≥30% (Ostelo 2008)", 2, 30, "ostelo-2008"
    ),
    ResponderThreshold(
        "nrs-leg-ostelo-mic", "nrs_leg", "leg pain NRS ≥2 points or ≥30% (Ostelo 2008)", 2, 30, "ostelo-2008"
    ),
    ResponderThreshold(
        "eq5d-japanese-lbp",
        "eq5d_index",
        "EQ-5D index ≥0.08 (Japanese LBP anchor)",
        0.08,
        None,
        "eq5d-mcid-japanese-lbp",
        lower_is_better=False,
        caveat="approximate (~0.08), a different population and value set",
    ),
)


def thresholds_for(instrument: Instrument) -> tuple[ResponderThreshold, ...]:
    return tuple(t for t in THRESHOLDS if t.instrument == instrument)


def is_responder(threshold: ResponderThreshold, baseline: float | None, follow_up: float | None) -> bool | None:
    """True when the improvement reaches the threshold, False when it does not, None when either value is missing."""
    return classify(threshold, ((baseline, follow_up),))[0]


def classify(threshold: ResponderThreshold, pairs: Iterable[tuple[float | None, float | None]]) -> list[bool | None]:
    """`is_responder` for each (baseline, follow-up) pair: one call for a cohort, whose report classifies 100,000s."""
    points, percent, falls = threshold.points, threshold.percent, threshold.lower_is_better
    verdicts: list[bool | None] = []
    for baseline, follow_up in pairs:
        if baseline is None or follow_up is None:
            verdicts.append(None)
            continue
        improvement = baseline - follow_up if falls else follow_up - baseline
        if round(improvement, _PLACES) >= points:
            verdicts.append(True)
        elif percent is not None and baseline > 0:
            verdicts.append(round(improvement / baseline * 100, _PLACES) >= percent)
        else:
            verdicts.append(False)
    return verdicts
