"""The services sijpath offers, their prefetch templates, and the discovery document listing them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["PATHWAY", "PREFETCH", "PROCEDURE_ORDER", "SERVICES", "Service", "discovery"]

# What the FHIR profile reads (docs/fhir-profile.md, "Resources and statuses read"), one query per resource type.
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medicationAdministrations": "MedicationAdministration?patient={{context.patientId}}",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "diagnosticReports": "DiagnosticReport?patient={{context.patientId}}",
}

USAGE = (
    "Needs the patient's SI-joint record as FHIR R4 (docs/fhir-profile.md): send the prefetch, or fhirServer with "
    "read access to these resources. Every request is authenticated with a signed JWT (ES384 or RS384)."
)


@dataclass(frozen=True, slots=True)
class Service:
    """One CDS service: its id, the hooks it answers, and what it says about itself."""

    id: str
    hooks: tuple[str, ...]
    kind: Literal["pathway", "procedure-order"]
    title: str
    description: str


PATHWAY = Service(
    "sij-pathway",
    ("patient-view",),
    "pathway",
    "SI-joint pain pathway",
    "Where the patient stands on the SI-joint pain pathway, the next step with its rationale and sources, the "
    "flags worth a second look, and the data still missing, under the configured rule set.",
)
PROCEDURE_ORDER = Service(
    "sij-procedure-order",
    ("order-select", "order-sign"),
    "procedure-order",
    "SI-joint procedure order check",
    "For a draft order of an SI-joint injection, block, radiofrequency ablation or fusion (CPT 27096, G0260, 64451, "
    "64625, 27279, 27280, 27278): whether the configured rule set's criteria are met, what is unmet or "
    "undocumented, whether the rule set covers the procedure, and a better next step where the record shows one. "
    "Other orders get no card.",
)
SERVICES: dict[str, Service] = {s.id: s for s in (PATHWAY, PROCEDURE_ORDER)}


def discovery(spec_version: str) -> dict[str, Any]:
    """GET {baseUrl}/cds-services: one entry per service and hook (the same id may serve several hooks)."""
    return {
        "services": [
            {
                "hook": hook,
                "title": service.title,
                "description": service.description,
                "id": service.id,
                "prefetch": dict(PREFETCH),
                "usageRequirements": USAGE,
                "version": spec_version,
            }
            for service in SERVICES.values()
            for hook in service.hooks
        ]
    }
