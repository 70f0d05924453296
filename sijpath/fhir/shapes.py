"""The FHIR R4 shape of each finding, score and course in an episode, and the element builders all shapes share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sijpath.domain import care, findings, procedures
from sijpath.fhir.vocabulary import (
    DICOM,
    EXT,
    ICD10CM,
    LOINC,
    LOINC_ODI_SCORE,
    LOINC_PAIN_NRS,
    LOINC_SMOKING_STATUS,
    OWN,
    OWN_CONCEPTS,
    SNOMED,
    SNOMED_NEGATIVE,
    SNOMED_POSITIVE,
    SNOMED_SMOKING,
    UCUM,
)

__all__ = [
    "clinical",
    "coding",
    "contraindication",
    "day",
    "diagnosis",
    "drop_none",
    "ext",
    "follow_up",
    "fortin",
    "function",
    "imaging",
    "medication",
    "observation",
    "odi",
    "own",
    "pain",
    "presentation",
    "provocation",
    "quantity",
    "reviewed",
    "site",
    "tobacco",
]

Resource = dict[str, Any]
Ref = dict[str, str]
_DISPLAY = dict(OWN_CONCEPTS)
_MODALITY = {
    "xray": ("DX", "Digital Radiography"),
    "ct": ("CT", "Computed Tomography"),
    "mri": ("MR", "Magnetic Resonance"),
}


def drop_none(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and v != [] and v != {}}


def day(date: dt.date | None) -> str | None:
    return date.isoformat() if date is not None else None


def own(code: str) -> dict[str, Any]:
    return {"coding": [{"system": OWN, "code": code, "display": _DISPLAY[code]}]}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [drop_none({"system": system, "code": code, "display": display})]}


def quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def ext(url: str, **value: Any) -> dict[str, Any] | None:
    ((kind, content),) = value.items()
    return None if content is None else {"url": url, kind: content}


def site(side: str | None) -> dict[str, Any] | None:
    return own(f"{side}-sij") if side is not None else None


def observation(rid: str, subject: Ref, code: dict[str, Any], date: dt.date | None, **more: Any) -> Resource:
    return drop_none(
        {
            "resourceType": "Observation",
            "id": rid,
            "status": "final",
            "code": code,
            "subject": subject,
            "effectiveDateTime": day(date),
            **more,
        }
    )


def _component(code: dict[str, Any], **value: Any) -> dict[str, Any] | None:
    ((kind, content),) = value.items()
    return None if content is None else {"code": code, kind: content}


def _components(*items: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [c for c in items if c is not None]


def presentation(pain: findings.PainPresentation, subject: Ref) -> Resource:
    side = own(f"{pain.laterality}-sij") if pain.laterality else None
    parts = _components(
        _component(own("pain-onset"), valueDateTime=day(pain.onset_date)),
        _component(own("pain-below-l5"), valueBoolean=pain.below_l5),
        _component(own("pain-laterality"), valueCodeableConcept=side),
        _component(own("pain-radiates-below-knee"), valueBoolean=pain.radiates_below_knee),
    )
    return observation("pain-presentation", subject, own("pain-presentation"), None, component=parts)


def reviewed(date: dt.date, subject: Ref) -> Resource:
    return observation("contraindications-reviewed", subject, own("fusion-contraindications-reviewed"), date)


def pain(fact: findings.PainScore, rid: str, subject: Ref) -> Iterator[Resource]:
    context = ext(EXT.PAIN_SCORE_CONTEXT, valueCode=f"pain-context-{fact.context}")
    yield observation(
        rid,
        subject,
        coding(LOINC, LOINC_PAIN_NRS),
        fact.date,
        extension=[context],
        valueQuantity=quantity(fact.nrs, "{score}"),
    )


def odi(fact: findings.OdiScore, rid: str, subject: Ref) -> Iterator[Resource]:
    yield observation(
        rid, subject, coding(LOINC, LOINC_ODI_SCORE), fact.date, valueQuantity=quantity(fact.percent, "%")
    )


def _result(positive: bool, detail: str | None = None) -> dict[str, Any]:
    concept = coding(SNOMED, SNOMED_POSITIVE if positive else SNOMED_NEGATIVE, "Positive" if positive else "Negative")
    if detail is not None:
        concept["coding"].append(own(detail)["coding"][0])
    return concept


def provocation(fact: findings.ProvocationTest, rid: str, subject: Ref) -> Iterator[Resource]:
    value = _result(fact.positive, None if fact.result == "no-pain" else fact.result)
    yield observation(
        rid, subject, own(f"provocation-{fact.test}"), fact.date, bodySite=site(fact.side), valueCodeableConcept=value
    )


def fortin(fact: findings.FortinFingerTest, rid: str, subject: Ref) -> Iterator[Resource]:
    yield observation(
        rid,
        subject,
        own("fortin-finger-test"),
        fact.date,
        bodySite=site(fact.side),
        valueCodeableConcept=_result(fact.positive),
    )


def clinical(active: bool) -> dict[str, Any]:
    status = "active" if active else "resolved"
    return coding("http://terminology.hl7.org/CodeSystem/condition-clinical", status)


def diagnosis(fact: findings.Diagnosis, rid: str, subject: Ref) -> Iterator[Resource]:
    yield drop_none(
        {
            "resourceType": "Condition",
            "id": rid,
            "clinicalStatus": clinical(fact.status == "active"),
            "code": coding(SNOMED if fact.system == "snomed-ct" else ICD10CM, fact.code, fact.display),
            "subject": subject,
            "recordedDate": day(fact.recorded_date),
        }
    )


def imaging(fact: findings.ImagingStudy, rid: str, subject: Ref) -> Iterator[Resource]:
    modality = coding(DICOM, *_MODALITY[fact.modality])
    report: Resource = {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": "final",
        "category": [coding("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology"), modality],
        "code": own(f"imaging-{fact.region}"),
        "subject": subject,
        "effectiveDateTime": day(fact.date),
        "conclusionCode": [own(finding) for finding in fact.findings],
    }
    side = ext(EXT.IMAGING_SIDE, valueCodeableConcept=site(fact.side))
    if side is not None:
        report["extension"] = [side]
    yield report


def medication(fact: care.MedicationCourse, rid: str, subject: Ref) -> Iterator[Resource]:
    concept = own(f"medication-{fact.drug_class}") | ({"text": fact.drug} if fact.drug else {})
    extensions = [
        ext(EXT.MEDICATION_CLASS, valueCode=f"medication-{fact.drug_class}"),
        ext(EXT.DAILY_MME, valueDecimal=fact.daily_mme),
    ]
    yield drop_none(
        {
            "resourceType": "MedicationStatement",
            "id": rid,
            "status": "completed" if fact.end_date else "active",
            "extension": [e for e in extensions if e],
            "medicationCodeableConcept": concept,
            "subject": subject,
            "effectivePeriod": drop_none({"start": day(fact.start_date), "end": day(fact.end_date)}),
            "dateAsserted": day(fact.last_confirmed),
        }
    )


def follow_up(fact: procedures.PostOperativeFollowUp, rid: str, subject: Ref) -> Iterator[Resource]:
    bearing = own(f"weight-bearing-{fact.weight_bearing}") if fact.weight_bearing else None
    parts = _components(
        _component(
            coding(LOINC, LOINC_PAIN_NRS), valueQuantity=quantity(fact.nrs, "{score}") if fact.nrs is not None else None
        ),
        _component(
            coding(LOINC, LOINC_ODI_SCORE),
            valueQuantity=quantity(fact.odi_percent, "%") if fact.odi_percent is not None else None,
        ),
        _component(own("taking-opioids"), valueBoolean=fact.taking_opioids),
        _component(own("ct-bony-bridging"), valueBoolean=fact.ct_bony_bridging),
        _component(own("weight-bearing"), valueCodeableConcept=bearing),
    )
    yield observation(rid, subject, own("post-fusion-follow-up"), fact.date, component=parts, bodySite=site(fact.side))


def tobacco(fact: findings.TobaccoUse, rid: str, subject: Ref) -> Iterator[Resource]:
    level = quantity(fact.cotinine_ng_per_ml, "ng/mL") if fact.cotinine_ng_per_ml is not None else None
    yield observation(
        rid,
        subject,
        coding(LOINC, LOINC_SMOKING_STATUS),
        fact.date,
        valueCodeableConcept=coding(SNOMED, SNOMED_SMOKING[fact.status]),
        component=_components(_component(own("cotinine"), valueQuantity=level)),
    )


def contraindication(fact: findings.FusionContraindication, rid: str, subject: Ref) -> Iterator[Resource]:
    code = own(fact.kind) | ({"text": fact.description} if fact.description else {})
    yield {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": clinical(fact.active),
        "category": [own("fusion-contraindication")],
        "code": code,
        "subject": subject,
        "recordedDate": day(fact.date),
    }


def function(fact: findings.FunctionalStatus, rid: str, subject: Ref) -> Iterator[Resource]:
    parts = _components(
        _component(own("work-status"), valueCodeableConcept=own(f"work-{fact.work}") if fact.work else None),
        _component(own("adl-limited"), valueBoolean=fact.adl_limited),
    )
    yield observation(
        rid,
        subject,
        own("functional-status"),
        fact.date,
        component=parts,
        note=[{"text": fact.note}] if fact.note else None,
    )
