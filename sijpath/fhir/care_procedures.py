"""Reading fusion, physical-therapy and supportive-care (bracing, activity modification) Procedures into fact fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpath.fhir.model import Procedure, calendar_date
from sijpath.fhir.procedure_parts import extension
from sijpath.fhir.reading import ReadLog, last_confirmed, own_code
from sijpath.fhir.vocabulary import CPT, EXT, HCPCS

__all__ = ["FUSION_CPT", "SUPPORTIVE_CARE_KINDS", "fusion_fields", "supportive_fields", "therapy_fields"]

FUSION_CPT = ("27279", "27280", "27278")
SUPPORTIVE_CARE_KINDS = {"bracing-course": "bracing", "activity-modification-course": "activity-modification"}


def fusion_fields(procedure: Procedure) -> dict[str, Any]:
    # The codes procedure_kind found it a fusion by: CPT codes, sometimes sent under the HCPCS system.
    codes = procedure.code.codes(CPT) + procedure.code.codes(HCPCS) if procedure.code else ()
    cpt = next(c for c in FUSION_CPT if c in codes)
    approach = extension(procedure, EXT.FUSION_APPROACH)
    implants = extension(procedure, EXT.IMPLANT_SYSTEM)
    count = extension(procedure, EXT.IMPLANT_COUNT)
    transfixing = extension(procedure, EXT.TRANSFIXING)
    return {
        "cpt": cpt,
        # CPT 27280 is by definition an open arthrodesis.
        "approach": approach.valueCode if approach else ("open" if cpt == "27280" else None),
        "implants": implants.valueString if implants else None,
        "implant_count": count.valueInteger if count else None,
        "transfixing": transfixing.valueBoolean if transfixing else None,
    }


def supportive_fields(log: ReadLog, where: str, procedure: Procedure, day: dt.date) -> dict[str, Any]:
    """A course of bracing or activity modification: its period, and the last confirmation of an ongoing one."""
    end, confirmed = _course_period(log, where, procedure, day)
    kind = SUPPORTIVE_CARE_KINDS[str(own_code(procedure.code))]
    return {"kind": kind, "start_date": day, "end_date": end, "last_confirmed": confirmed}


def _course_period(
    log: ReadLog, where: str, procedure: Procedure, day: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """A course's end (none while ongoing; the day itself for a one-day Procedure) and, while ongoing, the last
    day it was confirmed."""
    period = procedure.performedPeriod
    end = calendar_date(period.end) if period and period.end else (None if period else day)
    confirmed_ext = extension(procedure, EXT.LAST_CONFIRMED)
    confirmed = (
        last_confirmed(log, where, "extension[last-confirmed]", confirmed_ext.valueDate if confirmed_ext else None, day)
        if end is None
        else None
    )
    return end, confirmed


def therapy_fields(log: ReadLog, where: str, procedure: Procedure, day: dt.date) -> dict[str, Any]:
    period = procedure.performedPeriod
    end, confirmed = _course_period(log, where, procedure, day)
    sessions = extension(procedure, EXT.THERAPY_SESSIONS)
    setting = extension(procedure, EXT.THERAPY_SETTING)
    if setting is None and own_code(procedure.code) == "physical-therapy-course":
        # A billed PT session (CPT 97110…) is supervised by definition; a course without the setting is not known.
        log.note(where, "therapy-setting extension missing: whether therapy was supervised is unknown")
    focus = [e.valueCode for e in procedure.extension if e.url == EXT.THERAPY_FOCUS]
    if not focus and procedure.code is not None and "97140" in procedure.code.codes(CPT):
        focus = ["manual-therapy"]
    return {
        "start_date": day,
        "end_date": end,
        "last_confirmed": confirmed,
        "sessions": sessions.valueInteger if sessions else (1 if period is None else None),
        "setting": setting.valueCode if setting else (None if own_code(procedure.code) else "supervised"),
        "focus": focus,
    }
