"""Evaluated rules as the assessment shows them: a criterion's or flag's result with the sources behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sijpath.engine.results import Evidence, FlagResult, Outcome, Severity, Status
from sijpath.evidence.catalog import Source

__all__ = ["CriterionResult", "MissingData", "RaisedFlag"]


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One evaluated criterion of the rule set, for one unit; its reason and evidence are the outcome's."""

    id: str
    title: str
    stage: str
    role: str
    outcome: Outcome
    citations: tuple[Source, ...]
    remedy: str = ""

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def summary(self) -> str:
        return self.outcome.summary

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.outcome.evidence

    @property
    def missing(self) -> tuple[str, ...]:
        """What would settle the criterion (only while it is unknown)."""
        return self.outcome.missing if self.outcome.status == "unknown" else ()


class RaisedFlag(NamedTuple):
    """A fired flag (`diminishing-injection-relief`, `coverage-conflict`, …); its message and evidence are the
    rule's result's."""

    code: str
    rule: str
    result: FlagResult
    citations: tuple[Source, ...]

    @property
    def severity(self) -> Severity:
        return self.result.severity

    @property
    def message(self) -> str:
        return self.result.message

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.result.evidence


@dataclass(frozen=True, slots=True)
class MissingData:
    """A piece of data that would settle one or more unknown criteria."""

    item: str
    needed_for: tuple[str, ...]
