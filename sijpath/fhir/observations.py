"""Reading Observations, Conditions, MedicationStatements and imaging DiagnosticReports into episode facts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from sijpath.domain.base import EARLIEST_DATE, LATEST_DATE
from sijpath.domain.care import MedicationCourse
from sijpath.domain.findings import (
    Diagnosis,
    FortinFingerTest,
    FunctionalStatus,
    FusionContraindication,
    ImagingStudy,
    OdiScore,
    PainPresentation,
    PainScore,
    ProvocationTest,
    TobaccoUse,
)
from sijpath.domain.procedures import PostOperativeFollowUp
from sijpath.fhir.model import (
    CodeableConcept,
    Condition,
    DiagnosticReport,
    MedicationStatement,
    Observation,
    ObservationComponent,
    calendar_date,
)
from sijpath.fhir.reading import FACT_NAMES, ReadLog, last_confirmed, own_code, quantity_in, side_of, when
from sijpath.fhir.vocabulary import (
    DICOM,
    EXT,
    ICD10CM,
    LOINC,
    LOINC_ODI_SCORE,
    LOINC_PAIN_NRS,
    LOINC_SMOKING_STATUS,
    OWN,
    SNOMED,
    SNOMED_NEGATIVE,
    SNOMED_POSITIVE,
    SNOMED_SMOKER_CURRENT,
    SNOMED_SMOKING,
)

__all__ = ["read_condition", "read_medication", "read_observation", "read_report"]

Found = list[tuple[str, Any]]
_MODALITY = {"CR": "xray", "DX": "xray", "CT": "ct", "MR": "mri"}
_SMOKING = {code: status for status, code in SNOMED_SMOKING.items()} | dict.fromkeys(SNOMED_SMOKER_CURRENT, "current")


def read_observation(log: ReadLog, where: str, obs: Observation) -> Found:
    """The fact a standalone Observation records; unknown codes are counted as skipped, not guessed at."""
    loinc = set(obs.code.codes(LOINC))
    own = own_code(obs.code)
    day = obs.effectiveDateTime or (obs.effectivePeriod.start if obs.effectivePeriod else None)
    if own == "pain-presentation":
        return _build(log, where, "pain", PainPresentation, _presentation(obs.component))
    date = when(log, where, "effectiveDateTime", day)
    if date is None:
        return []
    base: dict[str, Any] = {"id": where, "date": date}
    if LOINC_PAIN_NRS in loinc:
        context = obs.extension_value(EXT.PAIN_SCORE_CONTEXT)
        nrs = _number(obs)
        extra = {"context": context.valueCode.removeprefix("pain-context-")} if context and context.valueCode else {}
        return _build(log, where, "pain_scores", PainScore, {**base, "nrs": nrs, **extra})
    if LOINC_ODI_SCORE in loinc:
        return _build(log, where, "odi_scores", OdiScore, {**base, "percent": _number(obs)})
    if LOINC_SMOKING_STATUS in loinc:
        status = next((_SMOKING[c] for c in _codes(obs.valueCodeableConcept, SNOMED) if c in _SMOKING), None)
        cotinine = _component(obs.component, "cotinine")
        level = quantity_in(cotinine.valueQuantity, {"ng/mL": 1.0}) if cotinine else None
        return _build(log, where, "tobacco", TobaccoUse, {**base, "status": status, "cotinine_ng_per_ml": level})
    if own is not None and own.startswith("provocation-"):
        fields = {**base, "test": own.removeprefix("provocation-"), "side": side_of(log, where, _sites(obs))}
        return _build(log, where, "provocation_tests", ProvocationTest, {**fields, "result": _provocation(obs)})
    if own == "fortin-finger-test":
        fields = {**base, "side": side_of(log, where, _sites(obs)), "positive": _positive(obs)}
        return _build(log, where, "fortin_tests", FortinFingerTest, fields)
    if own == "functional-status":
        return _build(log, where, "functional_status", FunctionalStatus, {**base, **_function(obs)})
    if own == "fusion-contraindications-reviewed":
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            log.warn(where, f"effectiveDateTime {date} is outside {EARLIEST_DATE} … {LATEST_DATE}; not imported")
            return []
        return [("contraindications_reviewed_on", date)]
    if own == "post-fusion-follow-up":
        fields = {**base, **_follow_up(obs), "side": side_of(log, where, _sites(obs))}
        return _build(log, where, "post_operative_follow_ups", PostOperativeFollowUp, fields)
    shown = next((f"{c.system} {c.code}" for c in obs.code.coding), obs.code.text or "no code")
    log.note(where, f"an Observation sijpath does not read ({shown}); skipped")
    return []


def read_condition(log: ReadLog, where: str, condition: Condition) -> Found:
    """A contraindication (our category) or a diagnosis coded in ICD-10-CM or SNOMED CT."""
    date = when(log, where, "recordedDate", condition.recordedDate or condition.onsetDateTime)
    if date is None:
        return []
    clinical = {c.code for c in condition.clinicalStatus.coding} if condition.clinicalStatus else {"active"}
    if condition.clinicalStatus is None:
        log.note(where, "no clinicalStatus: read as active")
    active = bool(clinical & {"active", "recurrence", "relapse"})
    if any(own_code(c) == "fusion-contraindication" for c in condition.category):
        fields = {
            "id": where,
            "date": date,
            "kind": own_code(condition.code),
            "description": condition.code.text if condition.code else None,
            "active": active,
        }
        return _build(log, where, "contraindications", FusionContraindication, fields)
    # ICD-10-CM first (what payers read); a Condition coded only in SNOMED CT is kept as a SNOMED CT diagnosis, so the
    # red-flag and exclusion value sets see it.
    for system, system_name in ((ICD10CM, "icd-10-cm"), (SNOMED, "snomed-ct")):  # noqa: B007 (used after the loop)
        codes = condition.code.codes(system) if condition.code else ()
        if codes:
            break
    else:
        log.note(where, "a Condition without an ICD-10-CM or SNOMED CT code; skipped")
        return []
    display = next((c.display for c in condition.code.coding if c.system == system), None) if condition.code else None
    fields = {"id": where, "system": system_name, "code": codes[0], "display": display, "recorded_date": date}
    return _build(log, where, "diagnoses", Diagnosis, {**fields, "status": "active" if active else "resolved"})


def read_medication(log: ReadLog, where: str, statement: MedicationStatement) -> Found:
    """A course of pain medication; its class comes from our extension, else it is `other`."""
    period = statement.effectivePeriod
    start = when(log, where, "effectivePeriod.start", statement.effectiveDateTime, period)
    if start is None:
        return []
    end = calendar_date(period.end) if period and period.end else None
    if period and period.end and end is None:
        log.warn(where, f"effectivePeriod.end {period.end!r} gives no day: read as ending on its start date")
        end = start
    elif end is None and statement.status in ("completed", "stopped"):
        # Reading a finished course as ongoing would stretch conservative care to today; its start is all we know.
        log.warn(where, f"status `{statement.status}` without an end date: read as ending on its start date")
        end = start
    confirmed = last_confirmed(log, where, "dateAsserted", statement.dateAsserted, start) if end is None else None
    drug_class = statement.extension_value(EXT.MEDICATION_CLASS)
    mme = statement.extension_value(EXT.DAILY_MME)
    concept = statement.medicationCodeableConcept
    if drug_class is None:
        log.note(where, "no medication-class extension: counted as medication of class `other`")
    fields = {
        "id": where,
        "start_date": start,
        "end_date": end,
        "last_confirmed": confirmed,
        "drug_class": (drug_class.valueCode or "").removeprefix("medication-") if drug_class else "other",
        "drug": (concept.text or next((c.display for c in concept.coding if c.display and c.system != OWN), None))
        if concept
        else None,
        "daily_mme": mme.valueDecimal if mme else None,
    }
    return _build(log, where, "medications", MedicationCourse, fields)


def read_report(log: ReadLog, where: str, report: DiagnosticReport) -> Found:
    """An imaging report: region from our code, modality from a DICOM category, findings from `conclusionCode`."""
    region = own_code(report.code, "imaging-")
    if region is None:
        log.note(where, "a DiagnosticReport that is not SI-joint imaging (no imaging-* code); skipped")
        return []
    date = when(log, where, "effectiveDateTime", report.effectiveDateTime, report.effectivePeriod)
    modality = next((_MODALITY[c] for cat in report.category for c in cat.codes(DICOM) if c in _MODALITY), None)
    findings = [own_code(c) for c in report.conclusionCode if own_code(c) is not None]
    if len(findings) < len(report.conclusionCode):
        unread = len(report.conclusionCode) - len(findings)
        log.note(where, f"{unread} conclusionCode(s) not from the sijpath finding codes; ignored")
    if date is None:
        return []
    side_extension = report.extension_value(EXT.IMAGING_SIDE)
    sites = (side_extension.valueCodeableConcept,) if side_extension and side_extension.valueCodeableConcept else ()
    fields = {
        "id": where,
        "date": date,
        "modality": modality,
        "region": region,
        "side": side_of(log, where, sites),
        "findings": findings,
    }
    return _build(log, where, "imaging", ImagingStudy, fields)


def _codes(concept: CodeableConcept | None, system: str) -> tuple[str, ...]:
    return concept.codes(system) if concept is not None else ()


def _number(obs: Observation | ObservationComponent) -> float | None:
    if obs.valueQuantity is not None and obs.valueQuantity.comparator is None:
        return obs.valueQuantity.value
    return float(obs.valueInteger) if obs.valueInteger is not None else None


def _sites(obs: Observation) -> tuple[CodeableConcept, ...]:
    return (obs.bodySite,) if obs.bodySite is not None else ()


def _provocation(obs: Observation) -> str | None:
    own = own_code(obs.valueCodeableConcept)
    if own in ("familiar-pain", "other-pain"):
        return own
    positive = _positive(obs)
    return None if positive is None else "familiar-pain" if positive else "no-pain"


def _positive(obs: Observation) -> bool | None:
    if obs.valueBoolean is not None:
        return obs.valueBoolean
    codes = set(_codes(obs.valueCodeableConcept, SNOMED))
    return True if SNOMED_POSITIVE in codes else False if SNOMED_NEGATIVE in codes else None


def _component(components: tuple[ObservationComponent, ...], code: str) -> ObservationComponent | None:
    return next((c for c in components if own_code(c.code) == code), None)


def _presentation(components: tuple[ObservationComponent, ...]) -> dict[str, Any]:
    onset = _component(components, "pain-onset")
    below = _component(components, "pain-below-l5")
    side = _component(components, "pain-laterality")
    knee = _component(components, "pain-radiates-below-knee")
    return {
        "onset_date": calendar_date(onset.valueDateTime) if onset and onset.valueDateTime else None,
        "below_l5": below.valueBoolean if below else None,
        "laterality": {"left-sij": "left", "right-sij": "right", "bilateral-sij": "bilateral"}.get(
            own_code(side.valueCodeableConcept) or ""
        )
        if side
        else None,
        "radiates_below_knee": knee.valueBoolean if knee else None,
    }


def _function(obs: Observation) -> dict[str, Any]:
    work = _component(obs.component, "work-status")
    adl = _component(obs.component, "adl-limited")
    return {
        "work": own_code(work.valueCodeableConcept, "work-") if work else None,
        "adl_limited": adl.valueBoolean if adl else None,
        "note": obs.note[0].text if obs.note else None,
    }


def _follow_up(obs: Observation) -> dict[str, Any]:
    by_loinc = {code: c for c in obs.component for code in c.code.codes(LOINC)}
    opioids = _component(obs.component, "taking-opioids")
    bridging = _component(obs.component, "ct-bony-bridging")
    bearing = _component(obs.component, "weight-bearing")
    nrs = by_loinc.get(LOINC_PAIN_NRS)
    odi = by_loinc.get(LOINC_ODI_SCORE)
    return {
        "nrs": _number(nrs) if nrs else None,
        "odi_percent": _number(odi) if odi else None,
        "taking_opioids": opioids.valueBoolean if opioids else None,
        "ct_bony_bridging": bridging.valueBoolean if bridging else None,
        "weight_bearing": own_code(bearing.valueCodeableConcept, "weight-bearing-") if bearing else None,
    }


def _build(log: ReadLog, where: str, field: str, model: type[BaseModel], fields: dict[str, Any]) -> Found:
    try:
        return [(field, model.model_validate(fields))]
    except ValidationError as exc:
        log.invalid(where, exc, FACT_NAMES.get(field, field.replace("_", " ")))
        return []
