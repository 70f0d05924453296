"""Outcome evidence for the decision aid: validated rows, each citing catalog sources, gaps kept as 'not known'."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import tomllib
from importlib import resources
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sijpath.errors import EvidenceCatalogError, Problem
from sijpath.evidence.catalog import Catalog

__all__ = ["OPTIONS", "OutcomeEvidence", "OutcomeRow", "load_outcome_evidence", "parse_outcome_evidence"]

Option = Literal["wait-and-see", "repeat-injections", "rfa", "fusion"]
OPTIONS: tuple[Option, ...] = ("wait-and-see", "repeat-injections", "rfa", "fusion")


class OutcomeRow(BaseModel):
    """One outcome of one option as a study reported it, or a gap saying why it is not known."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    option: Option
    outcome: str
    kind: Literal["benefit", "harm"]
    known: bool = True
    why_not_known: str | None = None
    events: Annotated[int, Field(ge=0)] | None = None
    denominator: Annotated[int, Field(gt=0)] | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    months: Annotated[int, Field(gt=0)] | None = None
    # The source gives a minimum follow-up ("3 years or more"), not one time point: said so wherever it is shown.
    or_more: bool = False
    ci: str | None = None
    design: str | None = None
    population: str | None = None
    funding: str | None = None
    cites: tuple[str, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if not self.known:
            if not self.why_not_known:
                raise ValueError("a gap (known = false) needs why_not_known")
            return self
        if self.percent is None and (self.events is None or self.denominator is None):
            raise ValueError("a known outcome needs percent, or events with denominator")
        if self.events is not None and self.denominator is not None and self.events > self.denominator:
            raise ValueError("events exceed the denominator")
        if self.events is None and self.percent is not None and self.denominator is not None:
            # A range is worked out from the group size, so the size must be one the percentage can come from.
            nearest = round(self.percent * self.denominator / 100) * 100 / self.denominator
            if abs(nearest - self.percent) > 0.05:
                raise ValueError(
                    f"{self.percent:g}% cannot be a share of {self.denominator} people: give the analysed group size, "
                    "or leave the denominator out"
                )
        for name in ("months", "design", "population", "funding"):
            if getattr(self, name) is None:
                raise ValueError(f"a known outcome needs {name}")
        if not self.cites:
            raise ValueError("a known outcome needs at least one catalog source in cites")
        return self

    def per_100(self) -> int | None:
        """The natural frequency out of 100 people, or None for a gap."""
        if not self.known:
            return None
        if self.percent is not None:
            return round(self.percent)
        assert self.events is not None
        assert self.denominator is not None
        return round(100 * self.events / self.denominator)

    def likely_range(self) -> tuple[int, int] | None:
        """A 95% Wilson interval out of 100 worked out from the study group's size, or None when the size is unknown."""
        n = self.denominator
        if not self.known or n is None:
            return None
        share = self.events / n if self.events is not None else (self.percent or 0.0) / 100
        z2 = 1.96**2
        centre = (share + z2 / (2 * n)) / (1 + z2 / n)
        half = math.sqrt(z2 * share * (1 - share) / n + z2 * z2 / (4 * n * n)) / (1 + z2 / n)
        return max(0, round(100 * (centre - half))), min(100, round(100 * (centre + half)))

    @property
    def time_frame(self) -> str:
        if self.months is None:
            return "time not known"
        if self.or_more:
            span = f"{self.months // 12} years" if self.months % 12 == 0 else f"{self.months} months"
            return f"after {span} or more"
        return f"after {self.months} months"


class OutcomeEvidence(BaseModel):
    """All outcome rows, with when the evidence was last reviewed and how often it must be."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evidence_reviewed: dt.date
    review_every_months: Annotated[int, Field(gt=0)]
    outcome: tuple[OutcomeRow, ...]

    def for_option(self, option: str) -> tuple[OutcomeRow, ...]:
        return tuple(row for row in self.outcome if row.option == option)

    @property
    def review_due(self) -> dt.date:
        """The day the next evidence review is due under the update policy (the same day of the month, or its end)."""
        month0 = self.evidence_reviewed.month - 1 + self.review_every_months
        year, month = self.evidence_reviewed.year + month0 // 12, month0 % 12 + 1
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(self.evidence_reviewed.day, last))

    def stale_on(self, day: dt.date) -> bool:
        """True when the evidence review is overdue on `day` (the caller supplies the day; no clock here)."""
        return day > self.review_due


def parse_outcome_evidence(text: str, catalog: Catalog, origin: str = "outcomes.toml") -> OutcomeEvidence:
    """Parse and validate the outcome evidence; every cited id must be in the catalog."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EvidenceCatalogError(f"{origin}: not valid TOML ({exc})") from None
    try:
        evidence = OutcomeEvidence.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in error["loc"]), error["msg"]) for error in exc.errors(include_url=False)
        ]
        raise EvidenceCatalogError(f"{origin}: invalid outcome evidence", problems) from None
    catalog.check((f"outcome[{i}]", sid) for i, row in enumerate(evidence.outcome) for sid in row.cites)
    return evidence


def load_outcome_evidence(catalog: Catalog) -> OutcomeEvidence:
    """The packaged outcome evidence."""
    text = resources.files("sijpath.decisionaid").joinpath("outcomes.toml").read_text(encoding="utf-8")
    return parse_outcome_evidence(text, catalog)
