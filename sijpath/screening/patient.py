"""One patient's screen: their resources read into an episode with the FHIR reader, then assessed per rule set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.findings import PainPresentation
from sijpath.domain.issues import DataIssue
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import SijpathError
from sijpath.fhir.bulk import read_own_resources
from sijpath.fhir.reader import ImportedEpisode
from sijpath.pathway.assess import evaluate
from sijpath.screening.rows import IssueRow, ResultRow

__all__ = ["PatientScreen", "has_facts", "patient_only", "read_resources", "result_rows", "screen_patient"]

# The measurements each row carries, by the pathway's measurement name.
_KEY_MEASUREMENTS = (
    "latest-valid-block-relief",
    "therapeutic-injections-12-months",
    "steroid-mpde-12-months",
    "conservative-care",
)


@dataclass(frozen=True, slots=True)
class PatientScreen:
    """What screening one patient gave: result rows (none when not assessed) and issue rows."""

    patient_id: str
    rows: tuple[ResultRow, ...]
    issues: tuple[IssueRow, ...]
    assessed: bool


def read_resources(
    patient_id: str, texts: Sequence[str], resource_count: int | None = None
) -> tuple[ImportedEpisode, list[IssueRow]]:
    """One patient's resources (JSON text) read into an episode; references resolve only within these resources.

    A resource given twice under one type and id is read once (the first in the given order), with a data issue.
    `resource_count` is how many resources the export holds about the patient, when more than `texts`.
    """
    resources: list[Mapping[str, Any]] = []
    seen: dict[str, tuple[str, Mapping[str, Any]]] = {}
    repeats: list[DataIssue] = []
    for text in texts:
        resource = orjson.loads(text)
        rid = resource.get("id")
        where = f"{resource.get('resourceType')}/{rid}" if isinstance(rid, str) else None
        if where is not None and where in seen:
            first_text, first = seen[where]
            same = text == first_text or first == resource  # the same line, or the same content written otherwise
            message = "given again, identical; read once" if same else "given again with other content; first read"
            repeats.append(DataIssue("info" if same else "warning", where, message))
            continue
        if where is not None:
            seen[where] = (text, resource)
        resources.append(resource)
    imported = read_own_resources(patient_id, resources, tuple(repeats))
    return imported, _missing_patient(patient_id, seen.keys(), len(texts) if resource_count is None else resource_count)


def _missing_patient(patient_id: str, keys: Collection[str], count: int) -> list[IssueRow]:
    if f"Patient/{patient_id}" in keys:
        return []
    message = f"{count} resource(s) refer to Patient/{patient_id}, which the export does not hold"
    return [IssueRow(patient_id, "missing-patient", f"Patient/{patient_id}", message)]


def patient_only(patient_id: str, texts: Sequence[str], resource_count: int | None = None) -> PatientScreen | None:
    """The screen of a patient whose resources are all Patient resources (as the scan's pre-filter sends a patient
    without one SI-joint-relevant resource), or None for any other: a Patient resource gives no SI-joint fact, so
    they are not assessed and the reader is not needed; the issue rows are `read_resources`' own."""
    keys = set()
    for text in texts:
        try:
            resource = orjson.loads(text)
        except orjson.JSONDecodeError:
            return None  # the reader's path names it
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            return None
        if isinstance(rid := resource.get("id"), str):
            keys.add(f"Patient/{rid}")
    count = len(texts) if resource_count is None else resource_count
    return PatientScreen(patient_id, (), tuple(_missing_patient(patient_id, keys, count)), False)


def has_facts(episode: Episode) -> bool:
    """Whether the reader found anything of the SI-joint pathway in the record (beyond the patient)."""
    return episode.pain != PainPresentation() or any(getattr(episode, entry.name) for entry in FACT_LISTS)


def screen_patient(
    patient_id: str,
    texts: Sequence[str],
    rulesets: Sequence[RuleSet],
    as_of: dt.date,
    resource_count: int | None = None,
) -> PatientScreen:
    """Read one patient and assess them under every rule set; a patient who cannot be read becomes an issue row.

    `resource_count`, when more than `texts`: the scan found none of the others SI-joint-relevant and sent only the
    Patient resources (`Scan.patients`), which give the same result as all of them."""
    trimmed = patient_only(patient_id, texts, resource_count)
    if trimmed is not None:
        return trimmed
    try:
        imported, issues = read_resources(patient_id, texts, resource_count)
    except (SijpathError, ValidationError, orjson.JSONDecodeError, AttributeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        issue = IssueRow(patient_id, "unreadable-patient", f"Patient/{patient_id}", f"not assessed: {reason}")
        return PatientScreen(patient_id, (), (issue,), False)
    if not has_facts(imported.episode):
        return PatientScreen(patient_id, (), tuple(issues), False)
    rows: list[ResultRow] = []
    for ruleset in rulesets:
        rows += result_rows(evaluate(imported.episode, ruleset, as_of, imported.issues))
    return PatientScreen(patient_id, tuple(rows), tuple(issues), True)


def result_rows(assessment: Assessment) -> list[ResultRow]:
    """One row per joint of an assessment."""
    return [_row(assessment, unit) for unit in assessment.units]


def _row(assessment: Assessment, unit: UnitAssessment) -> ResultRow:
    measured = {m.name: m.value for m, _ in unit.measurements if m.name in _KEY_MEASUREMENTS}
    return ResultRow(
        patient_id=assessment.patient_id,
        joint=unit.key,
        ruleset_id=assessment.ruleset_id,
        ruleset_version=assessment.ruleset_version,
        stage=unit.stage,
        next_step=unit.next_step.code,
        cpt=unit.next_step.procedure or "",
        flags=";".join(sorted({f.code for f in unit.flags})),
        missing_data=len(unit.missing_data),
        data_issues=len(assessment.data_issues),
        latest_valid_block_relief_percent=_number(measured.get("latest-valid-block-relief")),
        therapeutic_injections_12_months=_count(measured.get("therapeutic-injections-12-months")),
        steroid_mpde_12_months_mg=_number(measured.get("steroid-mpde-12-months")),
        conservative_care_months=_number(measured.get("conservative-care")),
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
