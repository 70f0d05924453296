"""Small FHIR R4 records for the FHIR tests: resources, Bundles, and the example patients as Bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.reader import ImportedEpisode
from sijpath.fhir.vocabulary import LOINC, LOINC_PAIN_NRS

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"

Resource = dict[str, Any]


def example(name: str) -> Episode:
    return wiring.load_episode(REPO / "examples" / f"{name}.yaml")


def example_bundle(name: str) -> Resource:
    """The shipped Bundle of an example patient (examples/fhir/<name>.json)."""
    document: Resource = orjson.loads((REPO / "examples" / "fhir" / f"{name}.json").read_bytes())
    return document


def bundle(*resources: Resource, kind: str = "collection") -> Resource:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def dumps(document: object) -> bytes:
    return orjson.dumps(document)


def patient(pid: str = "p1", **more: Any) -> Resource:
    return {"resourceType": "Patient", "id": pid, **more}


def subject(pid: str = "p1") -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def pain_score(rid: str, day: str = "2025-01-10", nrs: float = 5.0, pid: str = "p1", **more: Any) -> Resource:
    """A standalone pain score (LOINC 72514-3), as an EHR records a clinic visit's score."""
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": LOINC_PAIN_NRS}]},
        "subject": subject(pid),
        "effectiveDateTime": day,
        "valueQuantity": {"value": nrs, "unit": "{score}"},
        **more,
    }


def injection(rid: str, day: str = "2025-01-10", pid: str = "p1", **more: Any) -> Resource:
    """A CPT 27096 SI-joint injection on the left joint."""
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": "completed",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "27096"}]},
        "subject": subject(pid),
        "performedDateTime": day,
        "bodySite": [{"text": "left sacroiliac joint"}],
        **more,
    }


def import_one(*resources: Resource) -> ImportedEpisode:
    """Import a collection Bundle of `resources` that is about one patient."""
    imported = import_bundle(dumps(bundle(*resources)))
    assert len(imported) == 1, f"expected one patient, got {list(imported)}"
    return next(iter(imported.values()))


def issues_at(issues: tuple[DataIssue, ...], location: str) -> list[str]:
    """The messages of the issues found at one location, as `severity: message`."""
    return [f"{i.severity}: {i.message}" for i in issues if i.location == location]


def r4b_problems(document: Resource) -> str | None:
    """What the independent R4B models (fhir.resources) find wrong with a Bundle, or None when it conforms."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(document)
    except ValidationError as exc:
        return str(exc)
    return None
