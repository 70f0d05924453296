"""Outcome entries and index procedures as validated input: every problem named by field, nothing half-accepted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sijpath.domain.base import ClinicalDate
from sijpath.errors import OutcomeEntryError, Problem
from sijpath.outcomes.eq5d import Eq5dValueSet, eq5d_index, health_state
from sijpath.outcomes.odi import OdiScore, score_odi
from sijpath.outcomes.opioids import Medication, daily_mme
from sijpath.outcomes.schedule import BASELINE, Procedure

__all__ = ["EntryInput", "ProcedureInput", "entry_row", "parse_entry", "parse_procedure"]

# Numbers and booleans are strict, as in the episode format: JSON `true` is not a pain score, "8" is not a number.
Nrs = Annotated[int, Field(strict=True, ge=0, le=10)]
Whole = Annotated[int, Field(strict=True)]
Amount = Annotated[float, Field(strict=True)]
Flag = Annotated[bool, Field(strict=True)]
Satisfaction = Literal["very-satisfied", "satisfied", "neutral", "dissatisfied", "very-dissatisfied"]
# Events that cannot precede the procedure they follow.
_AFTER_ONLY = ("ct_bridging", "complication", "revision", "readmission")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProcedureInput(_Strict):
    """An index procedure on one joint: what the registry follows up."""

    patient_id: Annotated[str, Field(min_length=1, max_length=128)]
    joint: Literal["left", "right"]
    procedure: Procedure
    performed_on: ClinicalDate
    payer: Annotated[str, Field(max_length=80)] | None = None
    ruleset_id: Annotated[str, Field(max_length=80)] | None = None
    fact_id: Annotated[str, Field(max_length=128)] | None = None


class MedicationInput(_Strict):
    drug: str
    dose: Amount
    per_day: Amount


class EntryInput(_Strict):
    """One dated outcome measurement or event after (or, for a baseline, before) an index procedure."""

    measured_on: ClinicalDate
    nrs_back: Nrs | None = None
    nrs_leg: Nrs | None = None
    odi_items: list[Whole | None] | None = Field(default=None, description="Ten answers 0–5, null where unanswered.")
    odi_total: Annotated[float, Field(strict=True, ge=0, le=100)] | None = None
    eq5d: list[Whole] | None = Field(default=None, description="Five levels 1–5: mobility … anxiety/depression.")
    eq5d_vas: Annotated[int, Field(strict=True, ge=0, le=100)] | None = None
    medications: list[MedicationInput] | None = None
    # Daily MME as already computed elsewhere (a FHIR import): kept as given, never with a medication list.
    mme_per_day: Annotated[float, Field(strict=True, ge=0, le=100_000, allow_inf_nan=False)] | None = None
    opioid_use: Flag | None = None
    satisfaction: Satisfaction | None = None
    working: Flag | None = None
    ct_bridging: Literal["bridged", "not-bridged", "indeterminate"] | None = None
    complication: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    revision: Flag | None = None
    readmission: Flag | None = None


def _problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    return [
        Problem(prefix + ".".join(str(p) for p in error["loc"]), error["msg"])
        for error in exc.errors(include_url=False)
    ]


def parse_procedure(data: Mapping[str, Any]) -> ProcedureInput:
    try:
        return ProcedureInput.model_validate(data)
    except ValidationError as exc:
        raise OutcomeEntryError("the index procedure cannot be stored", _problems(exc)) from None


def parse_entry(data: Mapping[str, Any]) -> EntryInput:
    try:
        return EntryInput.model_validate(data)
    except ValidationError as exc:
        raise OutcomeEntryError("the outcome entry cannot be stored", _problems(exc)) from None


def _opioids(entry: EntryInput) -> tuple[float | None, bool | None, list[Problem]]:
    """Daily MME (from the medication list, or as given) and opioid use, checked against each other."""
    if entry.medications is not None and entry.mme_per_day is not None:
        return None, entry.opioid_use, [Problem("mme_per_day", "give the medication list or the daily MME, not both")]
    if entry.medications is not None:
        total = daily_mme([Medication(m.drug, m.dose, m.per_day) for m in entry.medications])
        if not isinstance(total, float):
            return None, entry.opioid_use, total
        source = "the medication list adds up to"
    elif entry.mme_per_day is not None:
        total, source = entry.mme_per_day, "the daily MME is"
    else:
        return None, entry.opioid_use, []
    if entry.opioid_use is False and total > 0:
        return None, False, [Problem("opioid_use", f"false, but {source} {total:g} MME/day")]
    if entry.opioid_use is True and total == 0:
        return None, True, [Problem("opioid_use", f"true, but {source} 0 MME/day")]
    return total, total > 0, []


def entry_row(entry: EntryInput, performed_on: dt.date, value_set: Eq5dValueSet | None = None) -> dict[str, Any]:
    """The database values of a valid entry for a procedure done on `performed_on`; OutcomeEntryError lists every
    problem (scores out of range, too many ODI sections missing, a date before the procedure)."""
    problems: list[Problem] = []
    day = (entry.measured_on - performed_on).days
    if day < BASELINE.opens_day:
        problems.append(
            Problem(
                "measured_on",
                f"{entry.measured_on} is {-day} days before the index procedure ({performed_on}); "
                f"a baseline is at most {-BASELINE.opens_day} days before it",
            )
        )
    elif day < 0:
        problems += [
            Problem(name, f"dated {entry.measured_on}, before the index procedure ({performed_on})")
            for name in _AFTER_ONLY
            if getattr(entry, name) is not None
        ]
    odi: float | None = entry.odi_total
    items: str | None = None
    if entry.odi_items is not None:
        if entry.odi_total is not None:
            problems.append(Problem("odi_total", "give the ten answers or a total, not both"))
        scored = score_odi(entry.odi_items)
        if isinstance(scored, OdiScore):
            odi = scored.index
            items = ",".join("" if a is None else str(a) for a in entry.odi_items)
        else:
            problems += scored
    state: str | None = None
    index: float | None = None
    if entry.eq5d is not None:
        checked = health_state(entry.eq5d)
        if isinstance(checked, str):
            state = checked
            index = eq5d_index(state, value_set) if value_set is not None else None
        else:
            problems += checked
    mme, opioid_use, opioid_problems = _opioids(entry)
    problems += opioid_problems
    values = entry.model_dump(exclude={"odi_items", "odi_total", "eq5d", "medications", "mme_per_day", "measured_on"})
    if (
        not problems
        and odi is None
        and state is None
        and opioid_use is None
        and all(v is None for v in values.values())
    ):
        problems.append(Problem("", "the entry records nothing: give at least one measurement or event"))
    if problems:
        raise OutcomeEntryError("the outcome entry cannot be stored; nothing was stored", problems)
    medications = orjson.dumps([m.model_dump() for m in entry.medications]).decode() if entry.medications else None
    return {
        **values,
        "measured_on": entry.measured_on,
        "day": day,
        "odi": odi,
        "odi_items": items,
        "eq5d_state": state,
        "eq5d_index": index,
        "eq5d_value_set": value_set.id if value_set is not None and state is not None else None,
        "opioid_use": opioid_use,
        "opioid_mme": mme,
        "medications": medications,
    }
