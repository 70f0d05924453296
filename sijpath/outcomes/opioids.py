"""Opioid use as daily morphine milligram equivalents from a medication list, with the CDC 2022 conversion factors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sijpath.errors import Problem

__all__ = ["MME_FACTORS", "MME_SOURCE", "Medication", "daily_mme"]

MME_SOURCE = "cdc-2022-opioid-mme"
# CDC 2022 guideline table (cited in the catalog): multiply the daily dose by the factor. All doses are mg/day
# except transdermal fentanyl, whose factor applies to the patch's mcg/hr. Equianalgesic estimates only: never a
# basis for converting one opioid to another.
MME_FACTORS: dict[str, float] = {
    "codeine": 0.15,
    "fentanyl-transdermal": 2.4,
    "hydrocodone": 1.0,
    "hydromorphone": 5.0,
    "methadone": 4.7,
    "morphine": 1.0,
    "oxycodone": 1.5,
    "oxymorphone": 3.0,
    "tapentadol": 0.4,
    "tramadol": 0.2,
}


@dataclass(frozen=True, slots=True)
class Medication:
    """One opioid on the list: dose per administration (mg; mcg/hr for a fentanyl patch) and doses per day."""

    drug: str
    dose: float
    per_day: float  # for a fentanyl patch, 1: its mcg/hr rate is what the factor applies to


def daily_mme(medications: Sequence[Medication], field: str = "medications") -> float | list[Problem]:
    """Total daily MME; an unknown drug or an impossible dose is a problem naming the entry, never a zero."""
    problems: list[Problem] = []
    total = 0.0
    for i, m in enumerate(medications):
        where = f"{field}[{i}]"
        if m.drug not in MME_FACTORS:
            problems.append(
                Problem(f"{where}.drug", f"{m.drug!r} has no CDC 2022 factor; known: {sorted(MME_FACTORS)}")
            )
            continue
        if not (m.dose > 0 and math.isfinite(m.dose)):  # NaN fails both; infinity would make the total inf
            problems.append(Problem(f"{where}.dose", f"{m.dose} must be a finite amount above 0"))
        if not (m.per_day > 0 and math.isfinite(m.per_day)) or (m.drug == "fentanyl-transdermal" and m.per_day != 1):
            hint = " (a fentanyl patch: 1, its mcg/hr rate is the dose)" if m.drug == "fentanyl-transdermal" else ""
            problems.append(Problem(f"{where}.per_day", f"{m.per_day} is not a number of doses per day{hint}"))
        total += m.dose * m.per_day * MME_FACTORS[m.drug]
    return problems or total
