"""Reading one patient's FHIR R4 resources into an episode; every fact keeps the id of the resource it came from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from sijpath.domain.base import EARLIEST_DATE, LATEST_DATE
from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.fhir.model import (
    IDENTIFIER_TYPES,
    MEMBER_NUMBER,
    Condition,
    DiagnosticReport,
    MedicationAdministration,
    MedicationStatement,
    Observation,
    Patient,
    Procedure,
    Resource,
    calendar_date,
)
from sijpath.fhir.observations import read_condition, read_medication, read_observation, read_report
from sijpath.fhir.procedures import read_procedure
from sijpath.fhir.reading import ReadLog, Resolve, key

__all__ = ["ImportedEpisode", "read_patient"]

MODELS: dict[str, type[Resource]] = {
    m.__name__: m
    for m in (
        Patient,
        Procedure,
        Observation,
        Condition,
        MedicationAdministration,
        MedicationStatement,
        DiagnosticReport,
    )
}
USABLE_STATUS = {
    # A physical-therapy course still going on is `in-progress`; every other procedure must be completed.
    "Procedure": {"completed", "in-progress"},
    "Observation": {"final", "amended", "corrected"},
    "MedicationAdministration": {"completed"},
    "MedicationStatement": {"active", "completed", "stopped"},
    "DiagnosticReport": {"final", "amended", "corrected", "appended"},
}


@dataclass(frozen=True, slots=True)
class ImportedEpisode:
    """An episode read from FHIR, with what could not be read from the record (the assessment shows both)."""

    episode: Episode
    issues: tuple[DataIssue, ...]


def read_patient(patient_id: str, resources: Iterable[Mapping[str, Any]], resolve: Resolve) -> ImportedEpisode:
    """Read one patient's resources (in record order) into an episode and the data issues met on the way."""
    log = ReadLog()
    unused: Counter[str] = Counter()
    parsed: list[tuple[str, Resource]] = []
    for position, raw in enumerate(resources):
        kind = str(raw.get("resourceType"))
        model = MODELS.get(kind)
        if model is None:
            unused[kind] += 1
            continue
        where = f"{kind}/{raw['id']}" if isinstance(raw.get("id"), str) else f"{kind} #{position + 1}"
        try:
            resource = model.__pydantic_validator__.validate_python(raw)  # model_validate, one call less
        except ValidationError as exc:
            log.invalid(where, exc, "resource")
            continue
        where = key(resource, position)
        usable = USABLE_STATUS.get(kind)
        # Asked only of the types that have a status: a pydantic model answers a missing attribute slowly.
        if usable is not None and (status := resource.__dict__["status"]) not in usable:
            log.note(where, f"status `{status}`: not a completed record; not imported")
            continue
        if isinstance(resource, Condition) and _refuted(resource):
            log.note(where, "verificationStatus says this condition is refuted or entered in error; not imported")
            continue
        parsed.append((where, resource))
    if unused:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(unused.items()))
        log.note("record", f"resources of types sijpath does not read were skipped: {kinds}")
    episode = _assemble(patient_id, parsed, resolve, log)
    return ImportedEpisode(episode, tuple(log.issues))


def _refuted(condition: Condition) -> bool:
    status = condition.verificationStatus
    codes = {c.code for c in status.coding} if status else set()
    return bool(codes & {"refuted", "entered-in-error"})


def _assemble(patient_id: str, parsed: list[tuple[str, Resource]], resolve: Resolve, log: ReadLog) -> Episode:
    attached: dict[str, list[Observation | MedicationAdministration]] = {}
    standalone: list[tuple[str, Resource]] = []
    for where, resource in parsed:
        if isinstance(resource, Observation | MedicationAdministration) and (parts := resource.partOf):
            target = next((resolve(p.reference) for p in parts if p.reference), None)
            if target is None or not target.startswith("Procedure/"):
                log.warn(where, f"partOf {parts[0].reference!r} is not a Procedure in this record; not imported")
                continue
            attached.setdefault(target, []).append(resource)
        elif isinstance(resource, MedicationAdministration):
            log.note(where, "a medication administration not part of an SI-joint procedure; not imported")
        else:
            standalone.append((where, resource))

    lists: dict[str, list[BaseModel]] = {}
    fields: dict[str, Any] = {"patient": {"id": patient_id}}
    used_attachments: set[str] = set()
    for where, resource in standalone:
        found: list[tuple[str, Any]] = []
        if isinstance(resource, Patient):
            fields["patient"] = _patient(patient_id, resource, log, where)
        elif isinstance(resource, Procedure):
            fact = read_procedure(log, where, resource, attached.get(where, ()))
            used_attachments.add(where)
            if fact is not None:
                found.append(fact)
            elif where in attached:
                log.note(where, f"{len(attached[where])} resource(s) attached to it were not imported with it")
        elif isinstance(resource, Observation):
            found.extend(read_observation(log, where, resource))
        elif isinstance(resource, Condition):
            found.extend(read_condition(log, where, resource))
        elif isinstance(resource, MedicationStatement):
            found.extend(read_medication(log, where, resource))
        elif isinstance(resource, DiagnosticReport):
            found.extend(read_report(log, where, resource))
        for name, value in found:
            if name == "pain":
                fields[name] = value
            elif name == "contraindications_reviewed_on":
                fields[name] = max(value, fields.get(name, value))
            else:
                lists.setdefault(name, []).append(value)
    for target in sorted(attached.keys() - used_attachments):
        log.warn(target, f"{len(attached[target])} resource(s) are partOf this Procedure, which is not in the record")
    return Episode.model_validate({**fields, **{name: tuple(values) for name, values in lists.items()}})


def _patient(patient_id: str, patient: Patient, log: ReadLog, where: str) -> dict[str, Any]:
    birth = calendar_date(patient.birthDate) if patient.birthDate else None
    if patient.birthDate and birth is None:
        log.note(where, f"birthDate {patient.birthDate!r} gives no day; age is unknown")
    elif birth is not None and not EARLIEST_DATE <= birth <= LATEST_DATE:
        log.warn(where, f"birthDate {patient.birthDate!r} is outside {EARLIEST_DATE} … {LATEST_DATE}; age is unknown")
        birth = None
    names = sorted(patient.name, key=lambda n: n.use != "official")  # the official name first, else as recorded
    name = next((full for n in names if (full := n.full())), None)
    member = next(
        (
            i.value.strip()
            for i in patient.identifier
            if i.value and i.value.strip() and i.type is not None and MEMBER_NUMBER in i.type.codes(IDENTIFIER_TYPES)
        ),
        None,
    )
    return {
        "id": patient_id,
        "name": name[:200] if name else None,
        "birth_date": birth,
        "sex": patient.gender or "unknown",
        "member_id": member[:64] if member else None,
    }
