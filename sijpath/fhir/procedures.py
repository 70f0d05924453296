"""Reading Procedures, with the scores and injectate attached to them, into blocks, injections, RFA, fusion and PT."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from sijpath.domain.care import PhysicalTherapyCourse, SupportiveCareCourse
from sijpath.domain.procedures import (
    DiagnosticBlock,
    Fusion,
    LateralBranchBlock,
    RadiofrequencyAblation,
    TherapeuticInjection,
)
from sijpath.fhir.care_procedures import (
    FUSION_CPT,
    SUPPORTIVE_CARE_KINDS,
    fusion_fields,
    supportive_fields,
    therapy_fields,
)
from sijpath.fhir.model import (
    MedicationAdministration,
    Observation,
    Procedure,
)
from sijpath.fhir.procedure_parts import extension, injectate, scores, whole
from sijpath.fhir.reading import FACT_NAMES, ReadLog, own_code, quantity_in, side_of, when
from sijpath.fhir.vocabulary import CPT, EXT, HCPCS, INJECTION_CPT, LOINC, LOINC_PAIN_NRS

__all__ = ["PT_CPT", "procedure_kind", "read_procedure"]

LATERAL_BRANCH_CPT = "64451"
PT_CPT = ("97110", "97112", "97140", "97530")
STEROIDS = ("methylprednisolone", "triamcinolone", "betamethasone", "dexamethasone")
_MINUTES = {"min": 1.0, "h": 60.0}
_DAYS = {"d": 1.0, "wk": 7.0}
_MG = {"mg": 1.0, "g": 1000.0}
_READ_ON_PROCEDURES = ("relief-percent", "relief-duration", "functional-improvement", "functional-improvement-duration")


def procedure_kind(procedure: Procedure) -> str | None:
    """lateral-branch-block | injection | rfa | fusion | physical-therapy | supportive-care, from our category or
    code, else the CPT/HCPCS code. CPT 64451 is a block of the nerves, never an intra-articular injection,
    whatever its category."""
    codes = set(procedure.code.codes(CPT) + procedure.code.codes(HCPCS)) if procedure.code else set()
    own = own_code(procedure.code)
    if LATERAL_BRANCH_CPT in codes or own == "lateral-branch-block":
        return "lateral-branch-block"
    if own_code(procedure.category) in ("diagnostic-block", "therapeutic-injection"):
        return "injection"
    if own == "physical-therapy-course":
        return "physical-therapy"
    if own in SUPPORTIVE_CARE_KINDS:
        return "supportive-care"
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
    if procedure.status != "completed" and kind not in ("physical-therapy", "supportive-care"):
        log.note(where, f"status `{procedure.status}`: not a completed procedure; not imported")
        return None
    if kind == "physical-therapy":
        return _build(log, where, "physical_therapy", PhysicalTherapyCourse, therapy_fields(log, where, procedure, day))
    if kind == "supportive-care":
        return _build(
            log, where, "supportive_care", SupportiveCareCourse, supportive_fields(log, where, procedure, day)
        )
    side = side_of(log, where, procedure.bodySite)
    if side is None and procedure.bodySite:
        # Imported without a side: it then counts for neither joint, and the assessment asks for the side.
        log.note(where, "bodySite does not say which SI joint (left-sij, right-sij or bilateral-sij)")
    common: dict[str, Any] = {"id": where, "date": day, "side": side}
    relief = _relief(log, attached)
    _report_unread(log, where, kind, attached)
    if kind == "rfa":
        technique = extension(procedure, EXT.RFA_TECHNIQUE)
        function = (relief.pop("functional_improvement", None), relief.pop("functional_improvement_days", None))
        if function != (None, None):
            log.note(where, "functional improvement is read on therapeutic injections only; not imported")
        fields = {**common, **relief, **({"technique": technique.valueCode} if technique else {})}
        return _build(log, where, "radiofrequency_ablations", RadiofrequencyAblation, fields)
    if kind == "fusion":
        return _build(log, where, "fusions", Fusion, {**common, **fusion_fields(procedure)})
    if kind == "lateral-branch-block":
        return _lateral_branch(log, where, procedure, day, attached, common, relief)
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
    anesthetics, steroids = injectate(log, where, procedure, attached)
    guidance = extension(procedure, EXT.IMAGE_GUIDANCE)
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
    pre, post = scores(log, where, procedure, day, attached)
    if intent == "diagnostic-block" and len(dosed) == len(steroids):
        contrast = extension(procedure, EXT.CONTRAST_USED)
        fields = {
            **common,
            "contrast": contrast.valueBoolean if contrast else None,
            "anesthetics": anesthetics,
            "steroids": dosed,
            **_block_scores(log, where, pre, post),
        }
        return _build(log, where, "diagnostic_blocks", DiagnosticBlock, fields)
    if intent == "diagnostic-block":
        log.warn(where, "a block with a corticosteroid of unrecorded dose: read as a therapeutic injection")
    if len(steroids) > 1:
        log.warn(where, f"{len(steroids)} corticosteroids: only the first is kept on the injection")
    if steroids and "dose_mg" not in steroids[0]:
        log.warn(where, f"{steroids[0]['drug']} dose not recorded in mg: steroid exposure from it is not counted")
    if len(anesthetics) > 1:
        log.note(where, f"{len(anesthetics)} anesthetics: only the first is kept on a therapeutic injection")
    fields = {
        **common,
        **relief,
        "steroid": dosed[0] if dosed and steroids[0] is dosed[0] else None,
        "anesthetic": anesthetics[0] if anesthetics else None,
        "pre_injection_nrs": pre,
        "follow_up": [{"date": d, "nrs": nrs} for d, nrs, _ in post if d >= day and nrs is not None],
    }
    return _build(log, where, "therapeutic_injections", TherapeuticInjection, fields)


def _lateral_branch(
    log: ReadLog,
    where: str,
    procedure: Procedure,
    day: dt.date,
    attached: Sequence[Observation | MedicationAdministration],
    common: dict[str, Any],
    relief: dict[str, Any],
) -> tuple[str, BaseModel] | None:
    """A lateral branch block (CPT 64451, "with image guidance (fluoroscopy or CT)"): its injectate and scores. A
    steroid is kept with its dose (counted in exposure; the block is then not diagnostic), else the block is not."""
    anesthetics, steroids = injectate(log, where, procedure, attached)
    undosed = [s["drug"] for s in steroids if "dose_mg" not in s]
    if undosed:
        log.warn(
            where,
            f"a lateral branch block with {', '.join(undosed)} of unrecorded dose (mg): its steroid exposure cannot be "
            "counted; not imported",
        )
        return None
    if relief:
        log.note(where, "relief percent or duration is not read on a lateral branch block (its scores are)")
    guidance = extension(procedure, EXT.IMAGE_GUIDANCE)
    coded = procedure.code is not None and LATERAL_BRANCH_CPT in procedure.code.codes(CPT) + procedure.code.codes(HCPCS)
    pre, post = scores(log, where, procedure, day, attached)
    fields = {
        **common,
        # CPT 64451 is by definition fluoroscopy- or CT-guided; our own code says nothing about guidance.
        "guidance": guidance.valueCode if guidance else ("fluoroscopy-or-ct" if coded else None),
        "anesthetics": anesthetics,
        "steroids": steroids,
        **_block_scores(log, where, pre, post),
    }
    return _build(log, where, "lateral_branch_blocks", LateralBranchBlock, fields)


def _block_scores(
    log: ReadLog, where: str, pre: float | None, post: list[tuple[dt.date, float | None, float | None]]
) -> dict[str, Any]:
    """A block's pre score and its first post score with the minutes after the injection it was read at."""
    if len(post) > 1:
        log.note(where, f"{len(post)} post-block scores: the first one is used")
    first_post = post[0] if post else None
    return {
        "pre_block_nrs": pre,
        "post_block_nrs": first_post[1] if first_post else None,
        "post_block_minutes": first_post[2] if first_post else None,
    }


def _relief(log: ReadLog, attached: Sequence[Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for obs in attached:
        if not isinstance(obs, Observation):
            continue
        code = own_code(obs.code)
        obs_where = f"Observation/{obs.id}" if obs.id else "Observation"
        if code == "relief-percent":
            fields["relief_percent"] = quantity_in(obs.valueQuantity, {"%": 1.0})
            if fields["relief_percent"] is None:
                log.warn(obs_where, "relief is not a valueQuantity in % (UCUM `%`); not imported")
        elif code == "relief-duration":
            days = quantity_in(obs.valueQuantity, _DAYS)
            fields["relief_duration_days"] = whole(days) if days is not None else None
            if days is None:
                log.warn(obs_where, "relief duration is not a valueQuantity in d or wk; not imported")
        elif code == "functional-improvement-duration":
            days = quantity_in(obs.valueQuantity, _DAYS)
            fields["functional_improvement_days"] = whole(days) if days is not None else None
            if days is None:
                log.warn(obs_where, "functional improvement duration is not a valueQuantity in d or wk; not imported")
        elif code == "functional-improvement":
            fields["functional_improvement"] = obs.valueBoolean
            if obs.valueBoolean is None:
                log.warn(obs_where, "functional improvement is not a valueBoolean; not imported")
    return fields


def _report_unread(
    log: ReadLog, where: str, kind: str, attached: Sequence[Observation | MedicationAdministration]
) -> None:
    """Resources `partOf` this procedure that nothing reads are reported, never dropped in silence."""
    for item in attached:
        item_where = f"{item.resourceType}/{item.id}" if item.id else item.resourceType
        if isinstance(item, MedicationAdministration):
            if kind not in ("injection", "lateral-branch-block"):
                log.note(
                    item_where, f"a medication given during {where}, which is not an SI-joint injection; not imported"
                )
        elif LOINC_PAIN_NRS not in item.code.codes(LOINC) and own_code(item.code) not in _READ_ON_PROCEDURES:
            log.note(item_where, f"an Observation partOf {where} that sijpath does not read; not imported")
        elif kind in ("fusion", "physical-therapy"):
            log.note(item_where, f"sijpath reads no pain scores or relief on a {kind} procedure; not imported")


def _build(
    log: ReadLog, where: str, field: str, model: type[BaseModel], fields: dict[str, Any]
) -> tuple[str, BaseModel] | None:
    fields["id"] = where
    try:
        return field, model.model_validate(fields)
    except ValidationError as exc:
        log.invalid(where, exc, FACT_NAMES.get(field, field.replace("_", " ")))
        return None
