"""FHIR R4 Bundles in: check the document, resolve references, group resources by patient, read each patient."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sijpath.domain.document import load_json
from sijpath.domain.issues import DataIssue
from sijpath.errors import FhirDocumentError, Problem
from sijpath.fhir.reader import MODELS, ImportedEpisode, read_patient

__all__ = [
    "BUNDLE_TYPES",
    "FHIR_ID",
    "PatientGroups",
    "group_by_patient",
    "import_bundle",
    "parse_bundle",
    "reference_key",
]

BUNDLE_TYPES = ("collection", "searchset", "transaction", "document", "batch")
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_TAIL = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


def reference_key(reference: str) -> str | None:
    """`Type/id` of a relative or absolute RESTful reference; None for `urn:uuid:…`, `#contained` and the like."""
    match = _TAIL.search(reference)
    return f"{match[1]}/{match[2]}" if match else None


@dataclass
class PatientGroups:
    """Resources grouped by the patient they are about, in record order, with the record-level issues."""

    patients: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    unlinked: list[str] = field(default_factory=list)
    absent_patients: set[str] = field(default_factory=set)

    def resolve(self, reference: str) -> str | None:
        if reference in self.aliases:
            return self.aliases[reference]
        tail = reference_key(reference)
        return tail if tail is not None and tail in self.aliases else None

    def read(self, patient_id: str) -> ImportedEpisode:
        """One patient's episode, with the issues that concern the whole record added to its own."""
        imported = read_patient(patient_id, self.patients[patient_id], self.resolve)
        extra: list[DataIssue] = []
        if patient_id in self.absent_patients:
            extra.append(DataIssue("info", f"Patient/{patient_id}", "no Patient resource: birth date and sex unknown"))
        if self.unlinked:
            shown = ", ".join(self.unlinked[:5]) + (" …" if len(self.unlinked) > 5 else "")
            extra.append(
                DataIssue(
                    "warning",
                    "record",
                    f"{len(self.unlinked)} resource(s) name no patient this record holds ({shown}); "
                    "any of them may belong to this patient and none was imported",
                )
            )
        return ImportedEpisode(imported.episode, imported.issues + tuple(extra))


def _duplicate_key(origin: str, problems: list[Problem]) -> FhirDocumentError:
    return FhirDocumentError(f"{origin}: not a FHIR document sijpath can read", problems)


def parse_bundle(data: bytes | str, origin: str = "<input>") -> PatientGroups:
    """Check that `data` is a FHIR R4 Bundle sijpath can read, and group its resources by patient."""
    document = load_json(data, origin, _duplicate_key)  # a key given twice (a resource's value replaced) is refused
    if not isinstance(document, dict) or "resourceType" not in document:
        raise FhirDocumentError(f"{origin}: not a FHIR resource (no `resourceType` at the top level)")
    if document["resourceType"] != "Bundle":
        raise FhirDocumentError(
            f"{origin}: a FHIR {document['resourceType']!s:.40} resource, not a Bundle; give a Bundle of the "
            "patient's resources, or an NDJSON folder"
        )
    if document.get("type") not in BUNDLE_TYPES:
        raise FhirDocumentError(
            f"{origin}: Bundle.type {document.get('type')!r} is not one sijpath reads ({', '.join(BUNDLE_TYPES)})"
        )
    entries = document.get("entry", [])
    if not isinstance(entries, list):
        raise FhirDocumentError(f"{origin}: Bundle.entry must be a list, not {type(entries).__name__}")
    resources: list[Mapping[str, Any]] = []
    full_urls: list[str | None] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            if isinstance(entry, dict) and _member(entry, "request", "method") == "DELETE":
                continue
            raise FhirDocumentError(f"{origin}: Bundle.entry[{index}] holds no resource (an object with resourceType)")
        if _member(entry, "search", "mode") == "outcome":
            continue
        full_url = entry.get("fullUrl")
        if "id" not in resource and isinstance(full_url, str) and full_url.startswith("urn:uuid:"):
            # A transaction's new resources have no id yet; their urn:uuid is what references name, so it
            # serves as the id (and as the fact id the assessment cites).
            resource = {**resource, "id": full_url.removeprefix("urn:uuid:")}
        resources.append(resource)
        full_urls.append(full_url if isinstance(full_url, str) else None)
    return group_by_patient(resources, full_urls)


def _member(entry: Mapping[str, Any], element: str, name: str) -> Any:
    """`entry.element.name`, or None when the element is absent or not an object."""
    value = entry.get(element)
    return value.get(name) if isinstance(value, dict) else None


def group_by_patient(resources: Iterable[Mapping[str, Any]], full_urls: Iterable[str | None] = ()) -> PatientGroups:
    """Group resources by the Patient their `subject` (or `patient`) names; a Patient groups with itself."""
    groups = PatientGroups()
    items = list(resources)
    urls = list(full_urls) or [None] * len(items)
    for resource, full_url in zip(items, urls, strict=True):
        kind, rid = resource.get("resourceType"), resource.get("id")
        if isinstance(rid, str) and FHIR_ID.fullmatch(rid):
            canonical = f"{kind}/{rid}"
            groups.aliases[canonical] = canonical
            if full_url:
                groups.aliases[full_url] = canonical
    for resource in items:
        patient = _patient_of(resource, groups)
        if patient is None:
            if resource.get("resourceType") not in MODELS:
                continue  # Practitioner, Organization, …: about no patient, and not read anyway
            rid = resource.get("id")
            groups.unlinked.append(f"{resource.get('resourceType')}/{rid}" if isinstance(rid, str) else "(no id)")
            continue
        groups.patients.setdefault(patient, []).append(resource)
    groups.absent_patients = {p for p in groups.patients if f"Patient/{p}" not in groups.aliases}
    return groups


def _patient_of(resource: Mapping[str, Any], groups: PatientGroups) -> str | None:
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return rid if isinstance(rid, str) and FHIR_ID.fullmatch(rid) else None
    for element in ("subject", "patient"):
        ref = resource.get(element)
        text = ref.get("reference") if isinstance(ref, dict) else None
        if isinstance(text, str):
            target = groups.resolve(text) or reference_key(text)
            return target.removeprefix("Patient/") if target and target.startswith("Patient/") else None
    return None


def import_bundle(data: bytes | str, origin: str = "<input>") -> dict[str, ImportedEpisode]:
    """Every patient of a Bundle, read into an episode, in the order the Bundle first names them."""
    groups = parse_bundle(data, origin)
    return {patient_id: groups.read(patient_id) for patient_id in groups.patients}
