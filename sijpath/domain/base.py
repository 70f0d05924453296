"""Shared building blocks of the episode model: the frozen base class and the small vocabularies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EARLIEST_DATE",
    "JOINTS",
    "LATEST_DATE",
    "ClinicalDate",
    "FactId",
    "Guidance",
    "Joint",
    "Nrs",
    "Percent",
    "Side",
    "Vocabulary",
    "joints_of",
]


class Vocabulary(BaseModel):
    """Base of every episode model: immutable, and unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# Dates outside this range are typing errors, not history, and would overflow month arithmetic.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
ClinicalDate = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]

Side = Literal["left", "right", "bilateral"]
"""Which SI joint(s) a fact concerns; a fact whose side was not recorded carries None, never a guess."""

Joint = Literal["left", "right"]
"""One SI joint: the unit every assessment is made for."""
JOINTS: tuple[Joint, ...] = ("left", "right")

_JOINTS_OF: dict[str | None, tuple[Joint, ...]] = {
    "left": ("left",),
    "right": ("right",),
    "bilateral": JOINTS,
    None: (),
}


def joints_of(side: Side | None) -> tuple[Joint, ...]:
    """The joints a recorded side names: one, both (bilateral), or none when the side was not recorded."""
    return _JOINTS_OF[side]


Guidance = Literal["fluoroscopy", "ct", "fluoroscopy-or-ct", "ultrasound", "none"]
"""How a needle was guided into the joint; `fluoroscopy-or-ct` is all a CPT 27096 claim says."""

# Numbers and booleans are strict: JSON `true` is not a pain score, and "8" is not a number.
Nrs = Annotated[float, Field(strict=True, ge=0, le=10, description="Numeric rating scale, 0 (none) to 10 (worst).")]
Percent = Annotated[float, Field(strict=True, ge=0, le=100)]
FactId = Annotated[
    str | None,
    Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Stable id of this fact in its source record (for example `Procedure/blk-1`); "
        "assessments cite it so a conclusion can be traced back to the chart.",
    ),
]
