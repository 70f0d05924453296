"""The assessment: per unit (joint) where it stands, the next step, each criterion and flag with its evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sijpath.domain.issues import DataIssue
from sijpath.engine.decision import Action
from sijpath.engine.explained import CriterionResult, MissingData, RaisedFlag
from sijpath.engine.results import Evidence, Measurement, Status
from sijpath.evidence.catalog import Source

__all__ = [
    "ASSESSMENT_FORMAT",
    "CONTRACT_VERSION",
    "NOTICE",
    "Assessment",
    "CriterionResult",
    "Explanation",
    "MissingData",
    "RaisedFlag",
    "UnitAssessment",
]

ASSESSMENT_FORMAT = "sijpath-assessment/2"
CONTRACT_VERSION = "2.1.0"
NOTICE = (
    "sijpath supports clinical decisions; it does not make them. "
    "Every suggestion must be weighed by a clinician who knows the patient."
)
# HCPCS Level II laterality modifiers, so an order names its side the way a claim does.
LATERALITY_MODIFIERS = {"left": "LT", "right": "RT"}


@dataclass(slots=True)
class Explanation:
    """What explains one unit's decision: its criteria, the sources of its actions, its measurements (on demand)."""

    criteria: tuple[CriterionResult, ...]
    next_step_citations: tuple[Source, ...]
    other_actions: tuple[tuple[Action, tuple[Source, ...]], ...]
    measure: Callable[[], tuple[tuple[Measurement, tuple[Source, ...]], ...]]
    measurements: tuple[tuple[Measurement, tuple[Source, ...]], ...] | None = None


@dataclass(frozen=True, slots=True)
class UnitAssessment:
    """One unit's (joint's) part of an assessment: complete on its own, so a letter, card or order can use it.

    The decision (stage, next step, flags, each criterion's status) is made when the assessment is; what explains it
    (the criteria with their words, evidence and sources, the measurements) is put together on first read and kept.
    """

    key: str
    title: str
    presentation: str
    stage: str
    next_step: Action
    flags: tuple[RaisedFlag, ...]
    explain: Callable[[], Explanation] = field(repr=False, compare=False)
    decision_row: int = 0
    _kept: dict[str, Explanation] = field(default_factory=dict, repr=False, compare=False)

    def _explanation(self) -> Explanation:
        kept = self._kept.get("explanation")
        if kept is None:
            kept = self._kept["explanation"] = self.explain()
        return kept

    @property
    def criteria(self) -> tuple[CriterionResult, ...]:
        return self._explanation().criteria

    @property
    def next_step_citations(self) -> tuple[Source, ...]:
        return self._explanation().next_step_citations

    @property
    def other_actions(self) -> tuple[tuple[Action, tuple[Source, ...]], ...]:
        return self._explanation().other_actions

    @property
    def measurements(self) -> tuple[tuple[Measurement, tuple[Source, ...]], ...]:
        """The measurements shown with the criteria, each with its sources."""
        explanation = self._explanation()
        if explanation.measurements is None:
            explanation.measurements = explanation.measure()
        return explanation.measurements

    @property
    def missing_data(self) -> tuple[MissingData, ...]:
        """What would settle the unknown criteria, each item once with the criteria it settles."""
        needed: dict[str, list[str]] = {}
        for criterion in self.criteria:
            if criterion.status == "unknown":
                for item in criterion.missing:
                    needed.setdefault(item, []).append(criterion.id)
        return tuple(MissingData(item, tuple(ids)) for item, ids in needed.items())

    def criterion(self, criterion_id: str) -> CriterionResult:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def status(self, criterion_id: str) -> Status | None:
        """The status of a criterion, or None when it was not evaluated for this unit."""
        return next((c.status for c in self.criteria if c.id == criterion_id), None)

    def sources(self) -> list[tuple[Source, ...]]:
        groups = [self.next_step_citations, *(c for _, c in self.other_actions)]
        groups += [c.citations for c in self.criteria] + [f.citations for f in self.flags]
        groups += [cites for _, cites in self.measurements]
        return groups

    def to_dict(self, label: str) -> dict[str, Any]:
        return {
            label: self.key,
            "title": self.title,
            "presentation": self.presentation,
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
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of `evaluate`: deterministic for the same record, rule-set version and as-of date.

    One `UnitAssessment` per assessed unit (for sijpath: per SI joint, left before right); data issues and the
    summary are the patient's.
    """

    patient_id: str
    ruleset_id: str
    ruleset_version: str
    ruleset_title: str
    as_of: dt.date
    units: tuple[UnitAssessment, ...]
    data_issues: tuple[DataIssue, ...]
    unit_label: str = "joint"

    def unit(self, key: str) -> UnitAssessment:
        for unit in self.units:
            if unit.key == key:
                return unit
        raise KeyError(key)

    @property
    def summary(self) -> str:
        """One sentence per unit: `Left SI joint: consider … (CPT 27279-LT).`"""
        return " ".join(f"{u.title}: {_step_text(u.next_step)}." for u in self.units)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        """Every flag raised for any unit, once each, sorted."""
        return tuple(sorted({f.code for u in self.units for f in u.flags}))

    @property
    def unverified_sources(self) -> tuple[Source, ...]:
        """Every UNVERIFIED source this assessment rests on, in first-use order."""
        return self._sources_where(lambda source: source.unverified)

    @property
    def own_reading_sources(self) -> tuple[Source, ...]:
        """Every sijpath operational reading (a number or rule no source states) this assessment rests on."""
        return self._sources_where(lambda source: source.own_reading)

    def _sources_where(self, keep: Callable[[Source], bool]) -> tuple[Source, ...]:
        used: dict[str, Source] = {}
        for unit in self.units:
            for group in unit.sources():
                for source in group:
                    if keep(source):
                        used.setdefault(source.id, source)
        return tuple(used.values())

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract (docs/assessment-format.md)."""
        label = self.unit_label
        return {
            "format": ASSESSMENT_FORMAT,
            "contract_version": CONTRACT_VERSION,
            "patient": {"id": self.patient_id},
            "ruleset": {"id": self.ruleset_id, "version": self.ruleset_version, "title": self.ruleset_title},
            "as_of": self.as_of.isoformat(),
            "summary": {
                "text": self.summary,
                "next_steps": [
                    {label: u.key, "code": u.next_step.code, "procedure": u.next_step.procedure} for u in self.units
                ],
                "flags": list(self.flag_codes),
            },
            f"{label}s": [u.to_dict(label) for u in self.units],
            "data_issues": [
                {"severity": d.severity, "location": d.location, "message": d.message} for d in self.data_issues
            ],
            "unverified_sources": [s.id for s in self.unverified_sources],
            "own_reading_sources": [s.id for s in self.own_reading_sources],
            "notice": NOTICE,
        }


def _step_text(action: Action) -> str:
    procedure = action.step.procedure
    text = action.title[:1].lower() + action.title[1:]
    if procedure is None:
        return text
    modifier = LATERALITY_MODIFIERS.get(action.laterality or "")
    return f"{text} (CPT {procedure.code}{'-' + modifier if modifier else ''})"


def _action(action: Action, cites: tuple[Source, ...]) -> dict[str, Any]:
    procedure = action.step.procedure
    return {
        "code": action.code,
        "title": action.title,
        "rationale": action.rationale,
        "laterality": action.laterality,
        "procedure": None
        if procedure is None
        else {
            "code": procedure.code,
            "description": procedure.description,
            "laterality": action.laterality,
            "modifier": LATERALITY_MODIFIERS.get(action.laterality or ""),
        },
        "citations": [_citation(s) for s in cites],
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {"date": evidence.date.isoformat() if evidence.date else None, "fact": evidence.fact, "ref": evidence.ref}


def _citation(source: Source) -> dict[str, Any]:
    return {"id": source.id, "title": source.title, "verification": source.verification}
