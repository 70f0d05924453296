"""Outcome evidence for the decision aid: validated rows, each citing catalog sources, gaps kept as 'not known'."""

from __future__ import annotations

import datetime as dt
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

    @property
    def time_frame(self) -> str:
        return "time not known" if self.months is None else f"after {self.months} months"


class OutcomeEvidence(BaseModel):
    """All outcome rows, with when the evidence was last reviewed and how often it must be."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evidence_reviewed: dt.date
    review_every_months: Annotated[int, Field(gt=0)]
    outcome: tuple[OutcomeRow, ...]

    def for_option(self, option: str) -> tuple[OutcomeRow, ...]:
        return tuple(row for row in self.outcome if row.option == option)

    def stale_on(self, day: dt.date) -> bool:
        """True when the evidence review is overdue on `day` (the caller supplies the day; no clock here)."""
        months = (day.year - self.evidence_reviewed.year) * 12 + day.month - self.evidence_reviewed.month
        return months > self.review_every_months


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
