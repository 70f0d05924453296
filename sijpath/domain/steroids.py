"""Corticosteroid exposure in methylprednisolone-dose-equivalents (MPDE) over rolling windows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from pydantic import BaseModel

from sijpath.domain.procedures import SteroidDose
from sijpath.domain.timeline import add_months

__all__ = ["MPDE_FACTORS", "MPDE_SOURCES", "SteroidExposure", "cumulative_mpde", "mpde_mg"]

# Milligrams of methylprednisolone equivalent to 1 mg of each steroid. ASIPP Table 15: triamcinolone 4 mg ≈
# methylprednisolone 4 mg ≈ betamethasone 0.6 mg. Dexamethasone 0.75 mg ≈ methylprednisolone 4 mg is standard
# pharmacology but UNVERIFIED in our reference notes, so it carries its own (unverified) source.
MPDE_FACTORS: dict[str, float] = {
    "methylprednisolone": 1.0,
    "triamcinolone": 1.0,
    "betamethasone": 4 / 0.6,
    "dexamethasone": 4 / 0.75,
}
MPDE_SOURCES: dict[str, str] = {
    "methylprednisolone": "asipp-steroid-equivalence",
    "triamcinolone": "asipp-steroid-equivalence",
    "betamethasone": "asipp-steroid-equivalence",
    "dexamethasone": "dexamethasone-equivalence",
}


def mpde_mg(dose: SteroidDose) -> float:
    """The dose in methylprednisolone-equivalent milligrams."""
    return dose.dose_mg * MPDE_FACTORS[dose.drug]


class SteroidExposure(NamedTuple):
    """Total MPDE in the `months` up to and including `as_of`, and the doses that make it up."""

    months: int
    total_mg: float
    given: tuple[tuple[dt.date, BaseModel, SteroidDose], ...]

    @property
    def doses(self) -> tuple[tuple[dt.date, BaseModel, SteroidDose], ...]:
        """The doses in date order (same-day doses in the order given)."""
        return tuple(sorted(self.given, key=lambda d: d[0]))

    def describe(self) -> str:
        count = len(self.given)
        doses = f"{count} dose{'s' if count != 1 else ''}" if count else "no doses"
        return f"{self.total_mg:.0f} mg MPDE from {doses} in the {self.months} months to the as-of date"


def cumulative_mpde(
    doses: Iterable[tuple[dt.date, BaseModel, SteroidDose]], as_of: dt.date, months: int
) -> SteroidExposure:
    """Sum MPDE of the doses given after `as_of` − `months` and on or before `as_of`; each dose comes with what gave
    it (a procedure). The doses are in date order, same-day doses in the order given."""
    start = add_months(as_of, -months)
    inside = []
    total = 0.0
    for dose in doses:  # a plain loop: this runs for the 12- and 36-month windows of every patient assessed
        if start < dose[0] <= as_of:
            inside.append(dose)
            total += dose[2].dose_mg * MPDE_FACTORS[dose[2].drug]
    return SteroidExposure(months, total, tuple(inside))
