"""The FHIR R4 shape of each SI-joint procedure, with the injectate and scores it carries along."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sijpath.domain import care, procedures
from sijpath.fhir.shapes import Ref, Resource, coding, day, drop_none, ext, observation, own, quantity, site
from sijpath.fhir.vocabulary import CPT, EXT, HCPCS, LOINC, LOINC_PAIN_NRS, RXNORM, RXNORM_INGREDIENTS

__all__ = ["block", "fusion", "injection", "lateral_branch_block", "rfa", "therapy"]

DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_RXNORM_OF = {agent: code for code, agent in RXNORM_INGREDIENTS.items()}


def _agent(drug: str) -> dict[str, Any]:
    concept = own(f"agent-{drug}")
    if drug in _RXNORM_OF:
        concept["coding"].insert(0, {"system": RXNORM, "code": _RXNORM_OF[drug], "display": drug})
    return {**concept, "text": drug}


def _given(
    rid: str, subject: Ref, date: dt.date, drug: str, dose: dict[str, Any] | None, strength: float | None
) -> Resource:
    dosage = drop_none(
        {"dose": dose, "extension": [e for e in [ext(EXT.CONCENTRATION_PERCENT, valueDecimal=strength)] if e]}
    )
    return drop_none(
        {
            "resourceType": "MedicationAdministration",
            "id": rid,
            "status": "completed",
            "medicationCodeableConcept": _agent(drug),
            "subject": subject,
            "partOf": [{"reference": f"Procedure/{rid.rsplit('-agent-', 1)[0]}"}],
            "effectiveDateTime": day(date),
            "dosage": dosage,
        }
    )


def _score(
    proc: str, n: str, subject: Ref, date: dt.date, nrs: float | None, timing: str, minutes: int | None = None
) -> Resource:
    """A pain score taken before or after a procedure; without a value when only its time was recorded."""
    extension = [
        ext(EXT.PROCEDURE_TIMING, valueCode=f"timing-{timing}"),
        ext(EXT.MINUTES_AFTER_PROCEDURE, valueDuration=quantity(minutes, "min") if minutes is not None else None),
    ]
    return observation(
        f"{proc}-{n}",
        subject,
        coding(LOINC, LOINC_PAIN_NRS),
        date,
        extension=[e for e in extension if e],
        partOf=[{"reference": f"Procedure/{proc}"}],
        valueQuantity=quantity(nrs, "{score}") if nrs is not None else None,
        dataAbsentReason=coding(DATA_ABSENT_REASON, "unknown") if nrs is None else None,
    )


def _relief(proc: str, subject: Ref, date: dt.date, percent: float | None, days: int | None) -> Iterator[Resource]:
    part = [{"reference": f"Procedure/{proc}"}]
    if percent is not None:
        yield observation(
            f"{proc}-relief", subject, own("relief-percent"), date, partOf=part, valueQuantity=quantity(percent, "%")
        )
    if days is not None:
        yield observation(
            f"{proc}-relief-duration",
            subject,
            own("relief-duration"),
            date,
            partOf=part,
            valueQuantity=quantity(days, "d"),
        )


def _attached(rid: str, subject: Ref, date: dt.date, suffix: str, **value: Any) -> Resource:
    """An Observation of procedure `rid` (partOf it): `function` is its functional improvement, `function-duration`
    how long that lasted."""
    code = {"function": "functional-improvement", "function-duration": "functional-improvement-duration"}[suffix]
    return observation(f"{rid}-{suffix}", subject, own(code), date, partOf=[{"reference": f"Procedure/{rid}"}], **value)


def _procedure(
    rid: str, subject: Ref, code: dict[str, Any], date: dt.date, side: str | None, *extensions: Any, **more: Any
) -> Resource:
    return drop_none(
        {
            "resourceType": "Procedure",
            "id": rid,
            "status": "completed",
            "extension": [e for e in extensions if e],
            **more,
            "code": code,
            "subject": subject,
            "performedDateTime": day(date),
            "bodySite": [site(side)] if side else None,
        }
    )


def _injection_code(guidance: str | None) -> dict[str, Any]:
    if guidance in ("fluoroscopy", "ct", "fluoroscopy-or-ct"):
        return coding(CPT, "27096", "Injection procedure for sacroiliac joint, anesthetic/steroid, with image guidance")
    return coding(
        HCPCS,
        "G0260",
        "Injection procedure for sacroiliac joint; provision of anesthetic, steroid and/or other therapeutic agent",
    )


def _injectate(
    rid: str,
    subject: Ref,
    date: dt.date,
    anesthetics: tuple[procedures.Anesthetic, ...],
    steroids: tuple[procedures.SteroidDose, ...],
) -> Iterator[Resource]:
    """One MedicationAdministration per agent, part of the procedure: volume and strength, or dose in mg."""
    for i, a in enumerate(anesthetics):
        volume = quantity(a.volume_ml, "mL") if a.volume_ml is not None else None
        yield _given(f"{rid}-agent-{i}", subject, date, a.drug, volume, a.concentration_percent)
    for j, st in enumerate(steroids, start=len(anesthetics)):
        yield _given(f"{rid}-agent-{j}", subject, date, st.drug, quantity(st.dose_mg, "mg"), None)


def block(fact: procedures.DiagnosticBlock, rid: str, subject: Ref) -> Iterator[Resource]:
    agents = [a.drug for a in fact.anesthetics] + [st.drug for st in fact.steroids]
    yield _procedure(
        rid,
        subject,
        _injection_code(fact.guidance),
        fact.date,
        fact.side,
        ext(EXT.IMAGE_GUIDANCE, valueCode=fact.guidance),
        ext(EXT.CONTRAST_USED, valueBoolean=fact.contrast),
        category=own("diagnostic-block"),
        usedCode=[_agent(a) for a in agents],
    )
    yield from _injectate(rid, subject, fact.date, fact.anesthetics, fact.steroids)
    if fact.pre_block_nrs is not None:
        yield _score(rid, "pre", subject, fact.date, fact.pre_block_nrs, "pre-procedure")
    if fact.post_block_nrs is not None or fact.post_block_minutes is not None:
        yield _score(rid, "post", subject, fact.date, fact.post_block_nrs, "post-procedure", fact.post_block_minutes)


def injection(fact: procedures.TherapeuticInjection, rid: str, subject: Ref) -> Iterator[Resource]:
    agents = [x for x in (fact.anesthetic, fact.steroid) if x is not None]
    yield _procedure(
        rid,
        subject,
        _injection_code(fact.guidance),
        fact.date,
        fact.side,
        ext(EXT.IMAGE_GUIDANCE, valueCode=fact.guidance),
        category=own("therapeutic-injection"),
        usedCode=[_agent(a.drug) for a in agents],
    )
    anesthetics = (fact.anesthetic,) if fact.anesthetic else ()
    yield from _injectate(rid, subject, fact.date, anesthetics, (fact.steroid,) if fact.steroid else ())
    if fact.pre_injection_nrs is not None:
        yield _score(rid, "pre", subject, fact.date, fact.pre_injection_nrs, "pre-procedure")
    for i, entry in enumerate(fact.follow_up):
        yield _score(rid, f"follow-up-{i}", subject, entry.date, entry.nrs, "post-procedure")
    yield from _relief(rid, subject, fact.date, fact.relief_percent, fact.relief_duration_days)
    if fact.functional_improvement is not None:
        yield _attached(rid, subject, fact.date, "function", valueBoolean=fact.functional_improvement)
    if fact.functional_improvement_days is not None:
        days = quantity(fact.functional_improvement_days, "d")
        yield _attached(rid, subject, fact.date, "function-duration", valueQuantity=days)


def lateral_branch_block(fact: procedures.LateralBranchBlock, rid: str, subject: Ref) -> Iterator[Resource]:
    # CPT 64451 says "with image guidance (fluoroscopy or CT)": without that guidance recorded, our own code.
    code = (
        coding(CPT, "64451", "Injection(s), anesthetic and/or steroid, nerves innervating the sacroiliac joint")
        if fact.guidance in ("fluoroscopy", "ct", "fluoroscopy-or-ct")
        else own("lateral-branch-block")
    )
    yield _procedure(
        rid,
        subject,
        code,
        fact.date,
        fact.side,
        ext(EXT.IMAGE_GUIDANCE, valueCode=fact.guidance),
        usedCode=[_agent(a) for a in [*(a.drug for a in fact.anesthetics), *(st.drug for st in fact.steroids)]],
    )
    yield from _injectate(rid, subject, fact.date, fact.anesthetics, fact.steroids)
    if fact.pre_block_nrs is not None:
        yield _score(rid, "pre", subject, fact.date, fact.pre_block_nrs, "pre-procedure")
    if fact.post_block_nrs is not None or fact.post_block_minutes is not None:
        yield _score(rid, "post", subject, fact.date, fact.post_block_nrs, "post-procedure", fact.post_block_minutes)


def rfa(fact: procedures.RadiofrequencyAblation, rid: str, subject: Ref) -> Iterator[Resource]:
    code = coding(CPT, "64625", "Radiofrequency ablation, nerves innervating the sacroiliac joint, with image guidance")
    yield _procedure(rid, subject, code, fact.date, fact.side, ext(EXT.RFA_TECHNIQUE, valueCode=fact.technique))
    yield from _relief(rid, subject, fact.date, fact.relief_percent, fact.relief_duration_days)


def fusion(fact: procedures.Fusion, rid: str, subject: Ref) -> Iterator[Resource]:
    yield _procedure(
        rid,
        subject,
        coding(CPT, fact.cpt),
        fact.date,
        fact.side,
        ext(EXT.FUSION_APPROACH, valueCode=fact.approach),
        ext(EXT.IMPLANT_SYSTEM, valueString=fact.implants),
        ext(EXT.IMPLANT_COUNT, valueInteger=fact.implant_count),
        ext(EXT.TRANSFIXING, valueBoolean=fact.transfixing),
    )


def therapy(fact: care.PhysicalTherapyCourse, rid: str, subject: Ref) -> Iterator[Resource]:
    extensions = [
        ext(EXT.THERAPY_SESSIONS, valueInteger=fact.sessions),
        ext(EXT.THERAPY_SETTING, valueCode=fact.setting),
        *(ext(EXT.THERAPY_FOCUS, valueCode=f) for f in fact.focus),
        ext(EXT.LAST_CONFIRMED, valueDate=day(fact.last_confirmed)),
    ]
    yield drop_none(
        {
            "resourceType": "Procedure",
            "id": rid,
            "status": "completed" if fact.end_date else "in-progress",
            "extension": [e for e in extensions if e],
            "code": own("physical-therapy-course"),
            "subject": subject,
            "performedPeriod": drop_none({"start": day(fact.start_date), "end": day(fact.end_date)}),
        }
    )


SUPPORTIVE_CARE_CODES = {"bracing": "bracing-course", "activity-modification": "activity-modification-course"}


def supportive_care(fact: care.SupportiveCareCourse, rid: str, subject: Ref) -> Iterator[Resource]:
    confirmed = ext(EXT.LAST_CONFIRMED, valueDate=day(fact.last_confirmed))
    yield drop_none(
        {
            "resourceType": "Procedure",
            "id": rid,
            "status": "completed" if fact.end_date else "in-progress",
            "extension": [confirmed] if confirmed else None,
            "code": own(SUPPORTIVE_CARE_CODES[fact.kind]),
            "subject": subject,
            "performedPeriod": drop_none({"start": day(fact.start_date), "end": day(fact.end_date)}),
        }
    )
