"""What a procedure carries: the injectate (agents and doses) and the pain scores taken before and after it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from sijpath.fhir.model import (
    CodeableConcept,
    Extension,
    MedicationAdministration,
    Observation,
    Procedure,
    calendar_date,
)
from sijpath.fhir.reading import ReadLog, agent_of, quantity_in
from sijpath.fhir.vocabulary import EXT, LOINC, LOINC_PAIN_NRS

__all__ = ["extension", "injectate", "scores", "whole"]

STEROIDS = ("methylprednisolone", "triamcinolone", "betamethasone", "dexamethasone")
_MINUTES = {"min": 1.0, "h": 60.0}
_MG = {"mg": 1.0, "g": 1000.0}


def whole(value: float) -> float:
    """A count of minutes or days, rounded; an infinite one is left for the model to reject (and the log to name)."""
    return round(value) if math.isfinite(value) else value


def extension(resource: Any, url: str) -> Extension | None:
    """The first extension of a resource with this URL."""
    return next((e for e in resource.extension if e.url == url), None)


def injectate(
    log: ReadLog, where: str, procedure: Procedure, attached: Sequence[Observation | MedicationAdministration]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Anesthetics and steroids: doses from MedicationAdministrations, else the agents named in `usedCode`."""
    anesthetics: list[dict[str, Any]] = []
    steroids: list[dict[str, Any]] = []
    given = [a for a in attached if isinstance(a, MedicationAdministration)]
    given_agents = {agent_of(a.medicationCodeableConcept)[0] for a in given}
    # usedCode agents without an administration still count: a steroid named only there makes a block invalid.
    named_only = [c for c in procedure.usedCode if agent_of(c)[0] not in given_agents]
    items: list[MedicationAdministration | CodeableConcept] = [*given, *named_only]
    for item in items:
        concept = item.medicationCodeableConcept if isinstance(item, MedicationAdministration) else item
        agent, by_name = agent_of(concept)
        if agent is None:
            log.note(where, f"injectate {label(concept)!r} is not an agent sijpath knows; ignored")
            continue
        if by_name:
            log.note(where, f"injectate {label(concept)!r} read as {agent} by its name")
        dose = item.dosage.dose if isinstance(item, MedicationAdministration) and item.dosage else None
        if agent in STEROIDS:
            mg = quantity_in(dose, _MG)
            steroids.append({"drug": agent, **({"dose_mg": mg} if mg is not None else {})})
        else:
            ml = quantity_in(dose, {"mL": 1.0, "ml": 1.0})
            strength = next((e.valueDecimal for e in dosage_ext(item, EXT.CONCENTRATION_PERCENT)), None)
            anesthetics.append(
                {"drug": agent, "volume_ml": ml, "concentration_percent": strength}
                if isinstance(item, MedicationAdministration)
                else {"drug": agent}
            )
    return anesthetics, steroids


def dosage_ext(item: Any, url: str) -> list[Extension]:
    if isinstance(item, MedicationAdministration) and item.dosage is not None:
        return [e for e in item.dosage.extension if e.url == url]
    return []


def label(concept: Any) -> str:
    if concept is None:
        return "(no code)"
    return str(concept.text or next((c.display or c.code for c in concept.coding), "(no code)"))


def scores(
    log: ReadLog, where: str, procedure: Procedure, day: dt.date, attached: Sequence[Any]
) -> tuple[float | None, list[tuple[dt.date, float | None, float | None]]]:
    """The pre-procedure score and the post-procedure scores (day, NRS, minutes after) attached to a procedure."""
    pre: float | None = None
    post: list[tuple[dt.date, float | None, float | None]] = []
    started = procedure.performedDateTime or (procedure.performedPeriod.start if procedure.performedPeriod else None)
    for obs in attached:
        if not isinstance(obs, Observation) or LOINC_PAIN_NRS not in obs.code.codes(LOINC):
            continue
        obs_where = f"Observation/{obs.id}" if obs.id else where
        value = obs.valueQuantity.value if obs.valueQuantity else obs.valueInteger
        taken = obs.effectiveDateTime or (obs.effectivePeriod.start if obs.effectivePeriod else None)
        obs_day = calendar_date(taken) if taken else None
        timing = extension(obs, EXT.PROCEDURE_TIMING)
        minutes_ext = extension(obs, EXT.MINUTES_AFTER_PROCEDURE)
        minutes = quantity_in(minutes_ext.valueDuration, _MINUTES) if minutes_ext else None
        if obs_day is None or (value is None and minutes is None):
            log.warn(obs_where, "pain score without a value or a day; not imported")
            continue
        offset = minutes_between(started, taken)
        phase = timing.valueCode.removeprefix("timing-") if timing and timing.valueCode else None
        if phase is None and offset is not None:
            phase = "pre-procedure" if offset < 0 else "post-procedure"
        if phase is None and obs_day != day:
            phase = "pre-procedure" if obs_day < day else "post-procedure"
        if phase == "post-procedure":
            # A score whose value was not recorded still tells when it was taken (the export writes it so).
            elapsed = (
                whole(minutes) if minutes is not None else (offset if offset is not None and offset >= 0 else None)
            )
            post.append((obs_day, None if value is None else float(value), elapsed))
        elif value is None:
            log.warn(obs_where, "pain score without a value; not imported")
        elif phase == "pre-procedure":
            pre = float(value)
        else:
            log.warn(
                obs_where,
                "same-day pain score with no time and no procedure-timing extension: before or "
                "after the procedure cannot be told; not imported",
            )
    post.sort(key=lambda p: (p[0], p[2] if p[2] is not None else 0))
    return pre, post


def minutes_between(start: str | None, then: str | None) -> int | None:
    """Minutes from `start` to `then` when both carry a time (and so, being valid FHIR, a zone)."""
    if not start or not then or "T" not in start or "T" not in then:
        return None
    delta = dt.datetime.fromisoformat(then) - dt.datetime.fromisoformat(start)
    return int(delta.total_seconds() // 60)
