"""Reading Procedures, with the scores and injectate attached to them, into blocks, injections, RFA, fusion and PT."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from sijpath.domain.care import PhysicalTherapyCourse
from sijpath.domain.procedures import (
    DiagnosticBlock,
    Fusion,
    RadiofrequencyAblation,
    TherapeuticInjection,
)
from sijpath.fhir.model import Extension, MedicationAdministration, Observation, Procedure, calendar_date
from sijpath.fhir.reading import ReadLog, agent_of, own_code, quantity_in, side_of, when
from sijpath.fhir.vocabulary import CPT, EXT, HCPCS, INJECTION_CPT, LOINC, LOINC_PAIN_NRS

__all__ = ["PT_CPT", "procedure_kind", "read_procedure"]

FUSION_CPT = ("27279", "27280", "27278")
PT_CPT = ("97110", "97112", "97140", "97530")
STEROIDS = ("methylprednisolone", "triamcinolone", "betamethasone", "dexamethasone")
_MINUTES = {"min": 1.0, "h": 60.0}
_DAYS = {"d": 1.0, "wk": 7.0}
_MG = {"mg": 1.0, "g": 1000.0}


def procedure_kind(procedure: Procedure) -> str | None:
    """injection | rfa | fusion | physical-therapy, from our category or code, else the CPT/HCPCS code."""
    if own_code(procedure.category) in ("diagnostic-block", "therapeutic-injection"):
        return "injection"
    if own_code(procedure.code) == "physical-therapy-course":
        return "physical-therapy"
    codes = set(procedure.code.codes(CPT) + procedure.code.codes(HCPCS)) if procedure.code else set()
    if codes & INJECTION_CPT.keys():
        return "injection"
    if "64625" in codes:
        return "rfa"
    if codes & set(FUSION_CPT):
        return "fusion"
    if codes & set(PT_CPT):
        return "physical-therapy"
    return None


def read_procedure(
    log: ReadLog, where: str, procedure: Procedure, attached: Sequence[Observation | MedicationAdministration]
) -> tuple[str, BaseModel] | None:
    """The episode list and fact a completed Procedure becomes, or None (with the reason logged)."""
    kind = procedure_kind(procedure)
    day = when(log, where, "performedDateTime", procedure.performedDateTime, procedure.performedPeriod)
    if kind is None or day is None:
        if kind is None:
            shown = (
                next((f"{c.system} {c.code}" for c in procedure.code.coding), "no code")
                if procedure.code
                else "no code"
            )
            log.note(where, f"a Procedure sijpath does not read ({shown}); skipped")
        return None
    if procedure.status != "completed" and kind != "physical-therapy":
        log.note(where, f"status `{procedure.status}`: not a completed procedure; not imported")
        return None
    if kind == "physical-therapy":
        return _build(log, where, "physical_therapy", PhysicalTherapyCourse, _therapy(procedure, day))
    side = side_of(log, where, procedure.bodySite)
    if side is None:
        log.warn(where, "bodySite does not say which SI joint (left-sij, right-sij or bilateral-sij); not imported")
        return None
    common: dict[str, Any] = {"id": where, "date": day, "side": side}
    relief = _relief(attached)
    if kind == "rfa":
        technique = _ext(procedure, EXT.RFA_TECHNIQUE)
        fields = {**common, **relief, **({"technique": technique.valueCode} if technique else {})}
        return _build(log, where, "radiofrequency_ablations", RadiofrequencyAblation, fields)
    if kind == "fusion":
        return _build(log, where, "fusions", Fusion, {**common, **_fusion(procedure)})
    return _injection(log, where, procedure, day, attached, common, relief)


def _injection(
    log: ReadLog,
    where: str,
    procedure: Procedure,
    day: dt.date,
    attached: Sequence[Observation | MedicationAdministration],
    common: dict[str, Any],
    relief: dict[str, Any],
) -> tuple[str, BaseModel] | None:
    anesthetics, steroids = _injectate(log, where, procedure, attached)
    guidance = _ext(procedure, EXT.IMAGE_GUIDANCE)
    codes = set(procedure.code.codes(CPT) + procedure.code.codes(HCPCS)) if procedure.code else set()
    implied = next((INJECTION_CPT[c] for c in sorted(codes) if c in INJECTION_CPT), None)
    common["guidance"] = guidance.valueCode if guidance else implied
    intent = own_code(procedure.category)
    dosed = [s for s in steroids if "dose_mg" in s]
    if intent is None:
        intent = "therapeutic-injection" if steroids else "diagnostic-block" if anesthetics else None
        if intent is None:
            log.warn(where, "injectate not recorded: read as a therapeutic injection (it may have been a block)")
            intent = "therapeutic-injection"
    pre, post = _scores(log, where, procedure, day, attached)
    if intent == "diagnostic-block" and len(dosed) == len(steroids):
        contrast = _ext(procedure, EXT.CONTRAST_USED)
        first_post = post[0] if post else None
        fields = {
            **common,
            "contrast": contrast.valueBoolean if contrast else None,
            "anesthetics": anesthetics,
            "steroids": dosed,
            "pre_block_nrs": pre,
            "post_block_nrs": first_post[1] if first_post else None,
            "post_block_minutes": first_post[2] if first_post else None,
        }
        if len(post) > 1:
            log.note(where, f"{len(post)} post-block scores: the first one is used")
        return _build(log, where, "diagnostic_blocks", DiagnosticBlock, fields)
    if intent == "diagnostic-block":
        log.warn(where, "a block with a corticosteroid of unrecorded dose: read as a therapeutic injection")
    if len(steroids) > 1:
        log.warn(where, f"{len(steroids)} corticosteroids: only the first is kept on the injection")
    fields = {
        **common,
        **relief,
        "steroid": dosed[0] if dosed and steroids[0] is dosed[0] else None,
        "anesthetic": anesthetics[0] if anesthetics else None,
        "pre_injection_nrs": pre,
        "follow_up": [{"date": d, "nrs": nrs} for d, nrs, _ in post if d >= day and nrs is not None],
    }
    return _build(log, where, "therapeutic_injections", TherapeuticInjection, fields)


def _injectate(
    log: ReadLog, where: str, procedure: Procedure, attached: Sequence[Observation | MedicationAdministration]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Anesthetics and steroids: doses from MedicationAdministrations, else the agents named in `usedCode`."""
    anesthetics: list[dict[str, Any]] = []
    steroids: list[dict[str, Any]] = []
    given = [a for a in attached if isinstance(a, MedicationAdministration)]
    for item in given or procedure.usedCode:
        concept = item.medicationCodeableConcept if isinstance(item, MedicationAdministration) else item
        agent, by_name = agent_of(concept)
        if agent is None:
            log.note(where, f"injectate {_label(concept)!r} is not an agent sijpath knows; ignored")
            continue
        if by_name:
            log.note(where, f"injectate {_label(concept)!r} read as {agent} by its name")
        dose = item.dosage.dose if isinstance(item, MedicationAdministration) and item.dosage else None
        if agent in STEROIDS:
            mg = quantity_in(dose, _MG)
            steroids.append({"drug": agent, **({"dose_mg": mg} if mg is not None else {})})
        else:
            ml = quantity_in(dose, {"mL": 1.0, "ml": 1.0})
            strength = next((e.valueDecimal for e in _dosage_ext(item, EXT.CONCENTRATION_PERCENT)), None)
            anesthetics.append(
                {"drug": agent, "volume_ml": ml, "concentration_percent": strength}
                if isinstance(item, MedicationAdministration)
                else {"drug": agent}
            )
    return anesthetics, steroids


def _dosage_ext(item: Any, url: str) -> list[Extension]:
    if isinstance(item, MedicationAdministration) and item.dosage is not None:
        return [e for e in item.dosage.extension if e.url == url]
    return []


def _label(concept: Any) -> str:
    if concept is None:
        return "(no code)"
    return str(concept.text or next((c.display or c.code for c in concept.coding), "(no code)"))


def _scores(
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
        timing = _ext(obs, EXT.PROCEDURE_TIMING)
        minutes_ext = _ext(obs, EXT.MINUTES_AFTER_PROCEDURE)
        minutes = quantity_in(minutes_ext.valueDuration, _MINUTES) if minutes_ext else None
        if obs_day is None or (value is None and minutes is None):
            log.warn(obs_where, "pain score without a value or a day; not imported")
            continue
        offset = _minutes_between(started, taken)
        phase = timing.valueCode.removeprefix("timing-") if timing and timing.valueCode else None
        if phase is None and offset is not None:
            phase = "pre-procedure" if offset < 0 else "post-procedure"
        if phase is None and obs_day != day:
            phase = "pre-procedure" if obs_day < day else "post-procedure"
        if phase == "post-procedure":
            # A score whose value was not recorded still tells when it was taken (the export writes it so).
            elapsed = (
                _whole(minutes) if minutes is not None else (offset if offset is not None and offset >= 0 else None)
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


def _whole(value: float) -> float:
    """A count of minutes or days, rounded; an infinite one is left for the model to reject (and the log to name)."""
    return round(value) if math.isfinite(value) else value


def _minutes_between(start: str | None, then: str | None) -> int | None:
    """Minutes from `start` to `then` when both carry a time (and so, being valid FHIR, a zone)."""
    if not start or not then or "T" not in start or "T" not in then:
        return None
    delta = dt.datetime.fromisoformat(then) - dt.datetime.fromisoformat(start)
    return int(delta.total_seconds() // 60)


def _relief(attached: Sequence[Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for obs in attached:
        if not isinstance(obs, Observation):
            continue
        code = own_code(obs.code)
        if code == "relief-percent" and obs.valueQuantity is not None:
            fields["relief_percent"] = quantity_in(obs.valueQuantity, {"%": 1.0})
        elif code == "relief-duration":
            days = quantity_in(obs.valueQuantity, _DAYS)
            fields["relief_duration_days"] = _whole(days) if days is not None else None
    return fields


def _fusion(procedure: Procedure) -> dict[str, Any]:
    # The codes procedure_kind found it a fusion by: CPT codes, sometimes sent under the HCPCS system.
    codes = procedure.code.codes(CPT) + procedure.code.codes(HCPCS) if procedure.code else ()
    cpt = next(c for c in FUSION_CPT if c in codes)
    approach = _ext(procedure, EXT.FUSION_APPROACH)
    implants = _ext(procedure, EXT.IMPLANT_SYSTEM)
    count = _ext(procedure, EXT.IMPLANT_COUNT)
    transfixing = _ext(procedure, EXT.TRANSFIXING)
    return {
        "cpt": cpt,
        # CPT 27280 is by definition an open arthrodesis.
        "approach": approach.valueCode if approach else ("open" if cpt == "27280" else None),
        "implants": implants.valueString if implants else None,
        "implant_count": count.valueInteger if count else None,
        "transfixing": transfixing.valueBoolean if transfixing else None,
    }


def _therapy(procedure: Procedure, day: dt.date) -> dict[str, Any]:
    period = procedure.performedPeriod
    end = calendar_date(period.end) if period and period.end else (None if period else day)
    sessions = _ext(procedure, EXT.THERAPY_SESSIONS)
    setting = _ext(procedure, EXT.THERAPY_SETTING)
    focus = [e.valueCode for e in procedure.extension if e.url == EXT.THERAPY_FOCUS]
    if not focus and procedure.code is not None and "97140" in procedure.code.codes(CPT):
        focus = ["manual-therapy"]
    return {
        "start_date": day,
        "end_date": end,
        "sessions": sessions.valueInteger if sessions else (1 if period is None else None),
        "setting": setting.valueCode if setting else "supervised",
        "focus": focus,
    }


def _ext(resource: Any, url: str) -> Extension | None:
    return next((e for e in resource.extension if e.url == url), None)


def _build(
    log: ReadLog, where: str, field: str, model: type[BaseModel], fields: dict[str, Any]
) -> tuple[str, BaseModel] | None:
    fields["id"] = where
    try:
        return field, model.model_validate(fields)
    except ValidationError as exc:
        log.invalid(where, exc, field.replace("_", " ").rstrip("s"))
        return None
