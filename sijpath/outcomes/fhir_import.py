"""Outcome Observations and QuestionnaireResponses read back into the registry: all valid, or nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from sijpath.domain.issues import DataIssue
from sijpath.errors import OutcomeEntryError, Problem
from sijpath.fhir.bundle import parse_bundle
from sijpath.fhir.model import calendar_date
from sijpath.fhir.reading import ReadLog
from sijpath.fhir.vocabulary import LOINC, LOINC_ODI_SCORE, LOINC_PAIN_NRS, OWN
from sijpath.limits import check_json
from sijpath.outcomes.entries import entry_row, parse_entry, parse_procedure
from sijpath.outcomes.eq5d import EQ5D_DIMENSIONS, Eq5dValueSet
from sijpath.outcomes.fhir_export import PROCEDURE_CODES, QUESTIONNAIRE_EQ5D, QUESTIONNAIRE_ODI, SYNTHETIC_LABEL
from sijpath.outcomes.registry import record_entry, register_procedure
from sijpath.store import outcomes as rows

__all__ = ["OutcomeImport", "ReadOutcomes", "import_outcomes", "read_outcomes"]

Resource = Mapping[str, Any]
_KINDS = {code: kind for kind, code in PROCEDURE_CODES.items()}
_READ_STATUSES = ("final", "amended", "corrected")
_BRIDGING = ("bridged", "not-bridged", "indeterminate")
_FLAGS = {"working": "working", "revision-surgery": "revision", "readmission": "readmission"}
_ENCOUNTER_STATUSES = ("arrived", "triaged", "in-progress", "onleave", "finished")


@dataclass
class ReadOutcomes:
    """What a Bundle holds for the registry: index procedures by `Type/id`, entries per (procedure, day)."""

    procedures: dict[str, dict[str, Any]] = field(default_factory=dict)
    entries: dict[tuple[str, dt.date], dict[str, Any]] = field(default_factory=dict)
    responses: dict[str, Resource] = field(default_factory=dict)  # QuestionnaireResponses by `Type/id`
    complication_of: dict[str, str] = field(default_factory=dict)  # Condition `Type/id` → its index procedure
    synthetic: set[str] = field(default_factory=set)  # index procedures labelled as test data (HTEST)
    log: ReadLog = field(default_factory=ReadLog)


@dataclass(frozen=True, slots=True)
class OutcomeImport:
    procedures_added: int
    entries_added: int
    issues: tuple[DataIssue, ...]


def _codes(resource: Resource) -> set[tuple[str, str]]:
    codings = (resource.get("code") or {}).get("coding") or []
    return {(c.get("system", ""), c.get("code", "")) for c in codings if isinstance(c, dict)}


def _own(concept: Any) -> str | None:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return next((c.get("code") for c in codings or [] if isinstance(c, dict) and c.get("system") == OWN), None)


def _number(value: Any) -> Any:
    # Whole numbers stay whole, so a score of 7.0 reads as 7; anything else goes to validation as it came.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _answers(response: Resource) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in response.get("item") or []:
        answers = item.get("answer") or [] if isinstance(item, dict) else []
        if answers and isinstance(answers[0], dict):
            found[str(item.get("linkId"))] = answers[0].get("valueInteger")
    return found


def _references(resource: Resource, element: str, resolve: Callable[[str], str | None]) -> list[str]:
    found = [resolve(str(r.get("reference", ""))) for r in resource.get(element) or [] if isinstance(r, dict)]
    return [f for f in found if f is not None]


def _procedure(
    patient_id: str, resource: Resource, where: str, resolve: Callable[[str], str | None], out: ReadOutcomes
) -> None:
    kind = _KINDS.get(_own(resource.get("code")) or "")
    if kind is None or resource.get("status") != "completed":
        out.log.note(where, "not a completed index procedure of the outcomes registry (sij-fusion, sij-rfa, …)")
        return
    side = next((_own(s) for s in resource.get("bodySite") or []), None)
    day = calendar_date(str(resource.get("performedDateTime", "")))
    if side not in ("left-sij", "right-sij") or day is None:
        out.log.warn(where, "an index procedure needs a day (performedDateTime) and one joint (left-sij, right-sij)")
        return
    out.procedures[where] = {"patient_id": patient_id, "joint": side[:-4], "procedure": kind, "performed_on": day}
    labels = (resource.get("meta") or {}).get("security") or []
    if any(
        isinstance(x, dict) and x.get("system") == SYNTHETIC_LABEL["system"] and x.get("code") == "HTEST"
        for x in labels
    ):
        out.synthetic.add(where)
    # FHIR's own link from a procedure to what went wrong after it: Procedure.complicationDetail → Condition.
    out.complication_of.update((c, where) for c in _references(resource, "complicationDetail", resolve))


def _measure(resource: Resource, response: Resource | None, entry: dict[str, Any]) -> str | None:
    """Put one Observation's value into its entry; the reason it was not read, or None."""
    codes = _codes(resource)
    own = next((code for system, code in codes if system == OWN), None)
    quantity = _number((resource.get("valueQuantity") or {}).get("value"))
    if (LOINC, LOINC_PAIN_NRS) in codes:
        if own not in ("nrs-back-pain", "nrs-leg-pain"):
            return "a pain score without our nrs-back-pain or nrs-leg-pain code: back or leg is not guessed"
        entry["nrs_back" if own == "nrs-back-pain" else "nrs_leg"] = quantity
    elif (LOINC, LOINC_ODI_SCORE) in codes:
        if response is not None and str(response.get("questionnaire", "")).startswith(QUESTIONNAIRE_ODI):
            answers = _answers(response)
            entry["odi_items"] = [_number(answers.get(f"odi-{i + 1}")) for i in range(10)]
        else:
            entry["odi_total"] = float(quantity) if isinstance(quantity, int) else quantity
    elif own in ("eq5d-5l-health-state", "eq5d-vas", "eq5d-5l-index"):
        if response is not None and str(response.get("questionnaire", "")).startswith(QUESTIONNAIRE_EQ5D):
            answers = _answers(response)
            levels = [answers.get(d) for d in EQ5D_DIMENSIONS]
            entry["eq5d"] = levels if any(v is not None for v in levels) else entry.get("eq5d")
            entry["eq5d_vas"] = answers.get("vas", entry.get("eq5d_vas"))
        elif own == "eq5d-5l-health-state":
            state = str(resource.get("valueString", ""))
            entry["eq5d"] = [int(c) if c.isdigit() else c for c in state]
        elif own == "eq5d-vas":
            entry["eq5d_vas"] = quantity
        # The index is not read: it is recomputed from the levels with the value set this deployment loaded.
    elif own == "satisfaction-with-result":
        level = _own(resource.get("valueCodeableConcept"))
        if level is None:
            return "a satisfaction needs valueCodeableConcept with one of our satisfaction-* codes"
        entry["satisfaction"] = level.removeprefix("satisfaction-")  # anything else is refused by validation
    elif own == "complication":
        text = resource.get("valueString")
        if not isinstance(text, str) or not text.strip():
            return "a complication needs its description in valueString"
        _add_complication(entry, text)
    elif own in _FLAGS:
        flag = resource.get("valueBoolean")
        if not isinstance(flag, bool):
            return f"{own} needs valueBoolean (true or false)"
        entry[_FLAGS[own]] = flag
    elif own == "opioid-daily-mme":
        entry["mme_per_day"] = float(quantity) if isinstance(quantity, int) else quantity
    elif own == "taking-opioids":
        entry["opioid_use"] = resource.get("valueBoolean")
    elif own == "ct-bridging":
        value = (_own(resource.get("valueCodeableConcept")) or "").removeprefix("ct-bridging-")
        entry["ct_bridging"] = value if value in _BRIDGING else value or None
    else:
        return "not an outcome measure sijpath reads"
    return None


def _observation(resource: Resource, where: str, resolve: Callable[[str], str | None], out: ReadOutcomes) -> None:
    if resource.get("status") not in _READ_STATUSES:
        out.log.note(where, f"status {resource.get('status')!r} is not read; not imported")
        return
    part_of = [resolve(str(r.get("reference", ""))) for r in resource.get("partOf") or [] if isinstance(r, dict)]
    procedure = next((p for p in part_of if p in out.procedures), None)
    day = calendar_date(str(resource.get("effectiveDateTime", "")))
    if procedure is None or day is None:
        out.log.warn(where, "an outcome needs a day and partOf an index procedure in this Bundle; not imported")
        return
    derived = _references(resource, "derivedFrom", resolve)
    response = next((out.responses[d] for d in derived if d in out.responses), None)
    # Taken into the entry only once read: an Observation that is not read never leaves an empty entry behind.
    entry = out.entries.get((procedure, day), {"measured_on": day.isoformat()})
    reason = _measure(resource, response, entry)
    if reason is not None:
        out.log.note(where, f"{reason}; not imported")
        return
    out.entries[procedure, day] = entry


def _add_complication(entry: dict[str, Any], text: str) -> None:
    # Two complications on one day share the entry's one text (validation refuses it past 200 characters).
    entry["complication"] = f"{entry['complication']}; {text}" if entry.get("complication") else text


def _condition(resource: Resource, where: str, out: ReadOutcomes) -> None:
    """A Condition an index procedure names in complicationDetail: a complication, on the day it was recorded."""
    procedure = out.complication_of.get(where)
    if procedure is None:
        return  # a diagnosis, not a complication of an index procedure: the episode import reads those
    status = {c.get("code") for c in (resource.get("verificationStatus") or {}).get("coding") or []}
    if status & {"refuted", "entered-in-error"}:
        out.log.note(where, "a complication refuted or entered in error; not imported")
        return
    day = calendar_date(str(resource.get("recordedDate") or resource.get("onsetDateTime") or ""))
    concept = resource.get("code") or {}
    displays = [c.get("display") for c in concept.get("coding") or [] if isinstance(c, dict) and c.get("display")]
    text = concept.get("text") or next(iter(displays), None)
    if day is None or not isinstance(text, str) or not text.strip():
        out.log.warn(
            where, "a complication needs a day (recordedDate or onsetDateTime) and words (code.text); not imported"
        )
        return
    entry = out.entries.setdefault((procedure, day), {"measured_on": day.isoformat()})
    _add_complication(entry, text)


def _encounter(resource: Resource, where: str, resolve: Callable[[str], str | None], out: ReadOutcomes) -> None:
    """A hospital stay marked as a readmission (hospitalization.reAdmission) whose reason is an index procedure."""
    if not (resource.get("hospitalization") or {}).get("reAdmission"):
        return  # not a readmission: other encounters are not the registry's
    procedure = next((p for p in _references(resource, "reasonReference", resolve) if p in out.procedures), None)
    day = calendar_date(str((resource.get("period") or {}).get("start", "")))
    if resource.get("status") not in _ENCOUNTER_STATUSES:
        out.log.note(where, f"a readmission with status {resource.get('status')!r} did not take place; not imported")
    elif procedure is None or day is None:
        out.log.warn(
            where,
            "a readmission needs period.start and reasonReference to an index procedure in this Bundle; not imported",
        )
    else:
        out.entries.setdefault((procedure, day), {"measured_on": day.isoformat()})["readmission"] = True


def read_outcomes(data: bytes, origin: str) -> dict[str, ReadOutcomes]:
    """Each patient's index procedures and entries in a FHIR Bundle; what is not read becomes a data issue."""
    check_json(data, f"FHIR Bundle ({origin})")
    groups = parse_bundle(data, origin)
    found: dict[str, ReadOutcomes] = {}
    for patient_id, resources in groups.patients.items():
        out = found[patient_id] = ReadOutcomes()
        keyed = [(f"{r.get('resourceType')}/{r.get('id')}", r) for r in resources]
        out.responses = {k: r for k, r in keyed if r.get("resourceType") == "QuestionnaireResponse"}
        for where, resource in keyed:
            if resource.get("resourceType") == "Procedure":
                _procedure(patient_id, resource, where, groups.resolve, out)
        for where, resource in keyed:
            kind = resource.get("resourceType")
            if kind == "Observation":
                _observation(resource, where, groups.resolve, out)
            elif kind == "Condition":
                _condition(resource, where, out)
            elif kind == "Encounter":
                _encounter(resource, where, groups.resolve, out)
    return found


def import_outcomes(
    connection: Connection,
    data: bytes,
    origin: str,
    *,
    actor: str,
    now: dt.datetime,
    value_set: Eq5dValueSet | None = None,
    remote: str = "local",
) -> OutcomeImport:
    """Store a Bundle's outcomes in the caller's transaction: every entry is checked first and any problem stores
    nothing (OutcomeEntryError names each). A procedure already in the registry is reused, and an entry on a day
    that procedure already has one for is left out (a data issue), so importing the same Bundle twice adds nothing."""
    read = read_outcomes(data, origin)
    problems: list[Problem] = []
    for patient, found in read.items():
        for where, values in found.procedures.items():
            try:
                parse_procedure(values)
            except OutcomeEntryError as exc:
                problems += [Problem(f"{where}.{p.location}", p.message) for p in exc.problems]
        for (where, day), values in found.entries.items():
            try:
                entry_row(parse_entry(values), found.procedures[where]["performed_on"], value_set)
            except OutcomeEntryError as exc:
                problems += [Problem(f"{patient} {where} {day}: {p.location}", p.message) for p in exc.problems]
    if problems:
        raise OutcomeEntryError(f"{origin}: the outcomes cannot be imported; nothing was imported", problems)
    added = stored = 0
    issues: list[DataIssue] = []
    for found in read.values():
        ids: dict[str, int] = {}
        for where, values in found.procedures.items():
            existing = rows.find_procedure(connection, **values)
            if existing is None:
                synthetic = where in found.synthetic
                existing = register_procedure(
                    connection, values, actor=actor, now=now, remote=remote, synthetic=synthetic
                )
                added += 1
            ids[where] = existing
        days = rows.entry_days(connection, ids.values())
        for (where, day), values in found.entries.items():
            procedure = found.procedures[where]
            if (day - procedure["performed_on"]).days in days[ids[where]]:
                found.log.note(where, f"the registry already holds an entry on {day} for this procedure; not imported")
                continue
            record_entry(connection, ids[where], values, actor=actor, now=now, value_set=value_set, remote=remote)
            stored += 1
        issues += found.log.issues
    return OutcomeImport(added, stored, tuple(issues))
