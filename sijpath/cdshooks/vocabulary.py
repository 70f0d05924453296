"""Codes the CDS service speaks: procedure code systems, card topics and the override reasons it offers."""

from __future__ import annotations

from typing import Any

from sijpath.fhir.vocabulary import CPT, HCPCS

__all__ = [
    "CARD_TYPE",
    "NON_ADHERENCE",
    "OVERRIDE_REASONS",
    "PROCEDURE_SYSTEMS",
    "SIJPATH_OVERRIDE",
    "topic",
]

# CPT and HCPCS as EHRs write them: the FHIR URIs (HCPCS also with https, as in the Da Vinci CRD examples) and
# the HL7 OIDs.
PROCEDURE_SYSTEMS = frozenset(
    {
        CPT,
        "urn:oid:2.16.840.1.113883.6.12",
        HCPCS,
        HCPCS.replace("http://", "https://"),
        "urn:oid:2.16.840.1.113883.6.285",
    }
)

CARD_TYPE = "http://terminology.hl7.org/CodeSystem/cdshooks-card-type"
NON_ADHERENCE = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
SIJPATH_OVERRIDE = "https://sijpath.org/fhir/CodeSystem/override-reason"

# Offered on every card: the CDS Hooks 3.0 example code system, then reasons particular to the SI-joint pathway.
OVERRIDE_REASONS: tuple[dict[str, str], ...] = (
    {"system": NON_ADHERENCE, "code": "cds-not-applicable", "display": "Does not apply to this patient"},
    {"system": NON_ADHERENCE, "code": "action-completed", "display": "Already done"},
    {"system": NON_ADHERENCE, "code": "patient-refuses", "display": "Patient declines"},
    {"system": NON_ADHERENCE, "code": "recipient-disagrees-evidence", "display": "Disagree with the evidence"},
    {"system": NON_ADHERENCE, "code": "need-more-info", "display": "Need more information first"},
    {
        "system": SIJPATH_OVERRIDE,
        "code": "documented-elsewhere",
        "display": "Criteria are documented outside the record sent",
    },
    {"system": SIJPATH_OVERRIDE, "code": "clinical-judgment", "display": "Clinical judgment for this patient"},
)


def topic(code: str) -> dict[str, Any]:
    displays = {"guideline": "Guideline", "therapy-alternatives-opt": "Optional Therapy Alternatives"}
    return {"system": CARD_TYPE, "code": code, "display": displays[code]}
