"""An episode out as a FHIR R4 collection Bundle that follows the sijpath profile (docs/fhir-profile.md)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from sijpath.domain import care, findings, procedures
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.errors import UsageError
from sijpath.fhir import procedure_shapes as p
from sijpath.fhir import shapes as s
from sijpath.fhir.model import IDENTIFIER_TYPES, MEMBER_NUMBER
from sijpath.fhir.vocabulary import BASE

__all__ = ["RESOURCE_OF", "WRITERS", "canonical_ids", "episode_bundle", "fact_resource_ids"]

_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# Room for the suffixes of the resources a fact brings along (`-follow-up-12`).
_FACT_ID = re.compile(r"[A-Za-z0-9\-.]{1,40}")
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
# Ids the export gives resources that are not facts: the pain presentation, the contraindication review, and the
# Observations a procedure brings along (`blk-1-pre`, `inj-1-follow-up-2`; see procedure_shapes).
_NOT_FACTS = ("Observation/pain-presentation", "Observation/contraindications-reviewed")
_ALONG = re.compile(r"(.+)-(?:pre|post|relief|relief-duration|function|follow-up-\d+)")


def fact_resource_ids(episode: Episode) -> dict[tuple[str, int], str]:
    """The resource id each fact is written under: its own (`Procedure/blk-1` → `blk-1`) when that is a FHIR id of
    the right type, else one made from its place (`diagnostic-blocks-0`); never two alike."""
    ids: dict[tuple[str, int], str] = {}
    taken: set[str] = set(_NOT_FACTS)
    procedures: set[str] = set()
    # Procedures first, so an Observation fact cannot take the id of a score a procedure brings along.
    for name, kind in sorted(RESOURCE_OF.items(), key=lambda item: item[1] != "Procedure"):
        for index, fact in enumerate(getattr(episode, name)):
            own = fact.id.removeprefix(f"{kind}/") if fact.id else ""
            along = _ALONG.fullmatch(own) if kind == "Observation" else None
            free = _FACT_ID.fullmatch(own) and f"{kind}/{own}" not in taken and not (along and along[1] in procedures)
            rid = own if free else _fresh(name, index, kind, taken)
            taken.add(f"{kind}/{rid}")
            if kind == "Procedure":
                procedures.add(rid)
            ids[name, index] = rid
    return ids


def _fresh(name: str, index: int, kind: str, taken: set[str]) -> str:
    base = f"{name.replace('_', '-')}-{index}"
    candidate, n = base, 1
    while f"{kind}/{candidate}" in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def canonical_ids(episode: Episode) -> Episode:
    """The episode as importing its export gives it back: every fact's id is `Type/id` of its resource."""
    ids = fact_resource_ids(episode)
    update = {
        name: tuple(
            fact.model_copy(update={"id": f"{kind}/{ids[name, i]}"}) for i, fact in enumerate(getattr(episode, name))
        )
        for name, kind in RESOURCE_OF.items()
    }
    return episode.model_copy(update=update)


def episode_bundle(episode: Episode) -> dict[str, Any]:
    """A collection Bundle holding the Patient and one resource per fact (plus the scores and injectate a
    procedure carries), with `urn:uuid` full URLs derived from the resource ids, so output is deterministic."""
    patient_id = episode.patient.id
    if not _FHIR_ID.fullmatch(patient_id):
        raise UsageError(f"patient.id {patient_id!r} is not a FHIR id (1–64 of A–Z, a–z, 0–9, '-', '.')")
    resources = list(_resources(episode))
    urls = {key: f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{patient_id}/{key}')}" for key in _keys(resources)}
    entries = [{"fullUrl": urls[f"{r['resourceType']}/{r['id']}"], "resource": _link(r, urls)} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _keys(resources: list[dict[str, Any]]) -> list[str]:
    return [f"{r['resourceType']}/{r['id']}" for r in resources]


def _link(value: Any, urls: dict[str, str]) -> Any:
    """Turn every `{"reference": "Type/id"}` into the `urn:uuid` of its entry."""
    if isinstance(value, dict):
        if set(value) == {"reference"} and value["reference"] in urls:
            return {"reference": urls[value["reference"]]}
        return {k: _link(v, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [_link(v, urls) for v in value]
    return value


Writer = Callable[[Any, str, dict[str, str]], Iterator[dict[str, Any]]]

# Each kind of fact: the resource type it becomes, and the function that writes it (with what it brings along).
# Keyed by the fact's model, so a new list in the episode without a writer fails loudly (and a meta-test says so).
WRITERS: dict[type[BaseModel], tuple[str, Writer]] = {
    findings.PainScore: ("Observation", s.pain),
    findings.OdiScore: ("Observation", s.odi),
    findings.ProvocationTest: ("Observation", s.provocation),
    findings.FortinFingerTest: ("Observation", s.fortin),
    findings.Diagnosis: ("Condition", s.diagnosis),
    findings.ImagingStudy: ("DiagnosticReport", s.imaging),
    procedures.DiagnosticBlock: ("Procedure", p.block),
    procedures.TherapeuticInjection: ("Procedure", p.injection),
    procedures.LateralBranchBlock: ("Procedure", p.lateral_branch_block),
    procedures.RadiofrequencyAblation: ("Procedure", p.rfa),
    care.PhysicalTherapyCourse: ("Procedure", p.therapy),
    care.MedicationCourse: ("MedicationStatement", s.medication),
    care.SupportiveCareCourse: ("Procedure", p.supportive_care),
    procedures.Fusion: ("Procedure", p.fusion),
    procedures.PostOperativeFollowUp: ("Observation", s.follow_up),
    findings.TobaccoUse: ("Observation", s.tobacco),
    findings.FusionContraindication: ("Condition", s.contraindication),
    findings.FunctionalStatus: ("Observation", s.function),
}
# Each episode list and the resource type its facts become, in the episode's order.
RESOURCE_OF: dict[str, str] = {entry.name: WRITERS[entry.model][0] for entry in FACT_LISTS}


def _resources(episode: Episode) -> Iterator[dict[str, Any]]:
    patient = episode.patient
    yield s.drop_none(
        {
            "resourceType": "Patient",
            "id": patient.id,
            "gender": patient.sex,
            "birthDate": s.day(patient.birth_date),
            "name": [{"text": patient.name}] if patient.name else None,
            "identifier": [
                {"type": {"coding": [{"system": IDENTIFIER_TYPES, "code": MEMBER_NUMBER}]}, "value": patient.member_id}
            ]
            if patient.member_id
            else None,
        }
    )
    subject = {"reference": f"Patient/{patient.id}"}
    if episode.pain != type(episode.pain)():
        yield s.presentation(episode.pain, subject)
    ids = fact_resource_ids(episode)
    for entry in FACT_LISTS:
        _, write = WRITERS[entry.model]
        facts: tuple[BaseModel, ...] = getattr(episode, entry.name)
        for index, fact in enumerate(facts):
            yield from write(fact, ids[entry.name, index], subject)
    if episode.contraindications_reviewed_on is not None:
        yield s.reviewed(episode.contraindications_reviewed_on, subject)
