"""The assessment: where the patient stands, the next step, every criterion and flag with evidence and sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sijpath.domain.issues import DataIssue
from sijpath.engine.results import Evidence, Measurement, Severity, Status
from sijpath.engine.steps import Action
from sijpath.evidence.catalog import Source

__all__ = ["ASSESSMENT_FORMAT", "NOTICE", "Assessment", "Criterion", "Flag", "MissingData"]

ASSESSMENT_FORMAT = "sijpath-assessment/1"
NOTICE = (
    "sijpath supports clinical decisions; it does not make them. "
    "Every recommendation must be weighed by a clinician who knows the patient."
)


@dataclass(frozen=True, slots=True)
class Criterion:
    """One evaluated criterion of the rule set."""

    id: str
    title: str
    stage: str
    role: str
    status: Status
    summary: str
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]
    citations: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Flag:
    """A fired flag (`diminishing-injection-relief`, `coverage-conflict`, …)."""

    code: str
    rule: str
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...]
    citations: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class MissingData:
    """A piece of data that would settle one or more unknown criteria."""

    item: str
    needed_for: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of `evaluate`: deterministic for the same episode, rule-set version and as-of date."""

    patient_id: str
    ruleset_id: str
    ruleset_version: str
    ruleset_title: str
    as_of: dt.date
    stage: str
    next_step: Action
    next_step_citations: tuple[Source, ...]
    other_actions: tuple[tuple[Action, tuple[Source, ...]], ...]
    criteria: tuple[Criterion, ...]
    flags: tuple[Flag, ...]
    missing_data: tuple[MissingData, ...]
    data_issues: tuple[DataIssue, ...]
    measurements: tuple[tuple[Measurement, tuple[Source, ...]], ...] = ()

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    @property
    def unverified_sources(self) -> tuple[Source, ...]:
        """Every UNVERIFIED source this assessment rests on, in first-use order."""
        used: dict[str, Source] = {}
        groups = [self.next_step_citations, *(c for _, c in self.other_actions)]
        groups += [c.citations for c in self.criteria] + [f.citations for f in self.flags]
        groups += [cites for _, cites in self.measurements]
        for group in groups:
            for source in group:
                if source.unverified:
                    used.setdefault(source.id, source)
        return tuple(used.values())

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract (docs/assessment-format.md)."""
        return {
            "format": ASSESSMENT_FORMAT,
            "patient": {"id": self.patient_id},
            "ruleset": {"id": self.ruleset_id, "version": self.ruleset_version, "title": self.ruleset_title},
            "as_of": self.as_of.isoformat(),
            "stage": self.stage,
            "next_step": _action(self.next_step, self.next_step_citations),
            "other_actions": [_action(action, cites) for action, cites in self.other_actions],
            "criteria": [
                {
                    "id": c.id,
                    "title": c.title,
                    "stage": c.stage,
                    "role": c.role,
                    "status": c.status,
                    "summary": c.summary,
                    "evidence": [_evidence(e) for e in c.evidence],
                    "missing": list(c.missing),
                    "citations": [_citation(s) for s in c.citations],
                }
                for c in self.criteria
            ],
            "flags": [
                {
                    "code": f.code,
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                    "evidence": [_evidence(e) for e in f.evidence],
                    "citations": [_citation(s) for s in f.citations],
                }
                for f in self.flags
            ],
            "measurements": [
                {
                    "name": m.name,
                    "value": m.value,
                    "unit": m.unit,
                    "detail": m.detail,
                    "citations": [_citation(s) for s in cites],
                }
                for m, cites in self.measurements
            ],
            "missing_data": [{"item": m.item, "needed_for": list(m.needed_for)} for m in self.missing_data],
            "data_issues": [
                {"severity": d.severity, "location": d.location, "message": d.message} for d in self.data_issues
            ],
            "unverified_sources": [s.id for s in self.unverified_sources],
            "notice": NOTICE,
        }


def _action(action: Action, cites: tuple[Source, ...]) -> dict[str, Any]:
    return {
        "code": action.code,
        "title": action.title,
        "rationale": action.rationale,
        "procedure": action.procedure,
        "citations": [_citation(s) for s in cites],
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {"date": evidence.date.isoformat() if evidence.date else None, "fact": evidence.fact, "ref": evidence.ref}


def _citation(source: Source) -> dict[str, Any]:
    return {"id": source.id, "title": source.title, "verification": source.verification}
