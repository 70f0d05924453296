"""A deterministic synthetic Bulk Data export: a population, a few of whom walk the SI-joint pathway, with noise.

The proportions and rates below are sijpath's own illustrative choices, made so that every branch of the pathway
and every data problem the screen handles appears in a benchmark-sized export; they are not epidemiology.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sijpath.domain.episode import Episode
from sijpath.fhir.writer import episode_bundle
from sijpath.screening.export import bundle_resources, write_export

__all__ = ["RATES", "SI_JOINT_SHARE", "Template", "synthesize", "write_synthetic_export"]

SI_JOINT_SHARE = 0.15  # of patients: an SI-joint trajectory (one example episode, varied); the rest are unrelated
RATES = {
    "stale-imaging": 0.10,  # of SI-joint patients: imaging reports moved four years back
    "duplicate-resource": 0.03,  # of SI-joint patients: one resource written twice
    "missing-patient": 0.01,  # of all patients: no Patient resource in the export
    "unknown-code": 0.02,  # of all patients: a Condition coded in a local system nothing reads
}
_SHIFT_DAYS = 120  # every SI-joint trajectory moves back up to this many days, so no fact lands after its as-of date
_STALE_DAYS = 1461
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VITALS = (("8867-4", "Heart rate", "/min", 55, 100), ("29463-7", "Body weight", "kg", 50, 120))
_CHRONIC = (("38341003", "Hypertensive disorder"), ("44054006", "Diabetes mellitus type 2"), ("195967001", "Asthma"))


@dataclass(frozen=True, slots=True)
class Template:
    """An example episode as the resources a trajectory is made from, and how often it is drawn (a weight)."""

    name: str
    resources: tuple[Mapping[str, Any], ...]
    weight: float


def template(name: str, episode: Episode, weight: float = 1.0) -> Template:
    return Template(name, tuple(bundle_resources(episode_bundle(episode))), weight)


def synthesize(templates: Sequence[Template], patients: int, seed: int) -> Iterator[dict[str, Any]]:
    """Every resource of the export, patient by patient; the same templates, count and seed give the same export."""
    chance = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not a secret
    weights = [t.weight for t in templates]
    for number in range(patients):
        prefix = f"syn{number:07d}"
        own: list[dict[str, Any]] = []
        if templates and chance.random() < SI_JOINT_SHARE:
            chosen = chance.choices(templates, weights)[0]
            prefix = f"{prefix}-{chosen.name}"
            own += _trajectory(chosen, prefix, chance)
        else:
            own.append(_patient(prefix, chance))
        own += _noise(prefix, chance)
        if chance.random() < RATES["missing-patient"]:
            own = [r for r in own if r["resourceType"] != "Patient"]
        yield from own


def _trajectory(chosen: Template, prefix: str, chance: random.Random) -> list[dict[str, Any]]:
    shift = -chance.randrange(_SHIFT_DAYS)
    stale = chance.random() < RATES["stale-imaging"]
    found = []
    for resource in chosen.resources:
        days = shift - (_STALE_DAYS if stale and resource["resourceType"] == "DiagnosticReport" else 0)
        found.append(_varied(resource, prefix, days, top=True))
    if found and chance.random() < RATES["duplicate-resource"]:
        found.append(found[chance.randrange(len(found))])
    return found


def _varied(value: Any, prefix: str, days: int, top: bool = False) -> Any:
    """A template resource as this patient's: ids and references prefixed, every date moved by `days`."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "id" and top:
                out[key] = prefix if value.get("resourceType") == "Patient" else f"{prefix}-{item}"
            elif key == "reference" and isinstance(item, str) and "/" in item:
                kind, _, rid = item.rpartition("/")
                out[key] = f"Patient/{prefix}" if kind == "Patient" else f"{kind}/{prefix}-{rid}"
            else:
                out[key] = _varied(item, prefix, days)
        return out
    if isinstance(value, list):
        return [_varied(v, prefix, days) for v in value]
    if isinstance(value, str) and days and _DATE.match(value):
        return (dt.date.fromisoformat(value[:10]) + dt.timedelta(days=days)).isoformat() + value[10:]
    return value


def _patient(prefix: str, chance: random.Random) -> dict[str, Any]:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=chance.randrange(60 * 365))
    gender = chance.choice(("female", "male"))
    return {"resourceType": "Patient", "id": prefix, "birthDate": born.isoformat(), "gender": gender}


def _noise(prefix: str, chance: random.Random) -> list[dict[str, Any]]:
    """What an EHR export holds besides: encounters, vital signs, chronic conditions and their prescriptions."""
    subject = {"reference": f"Patient/{prefix}"}
    found: list[dict[str, Any]] = []
    for n in range(chance.randint(1, 4)):
        day = dt.date(2022, 1, 1) + dt.timedelta(days=chance.randrange(1400))
        encounter = f"{prefix}-enc-{n}"
        found.append(
            {
                "resourceType": "Encounter",
                "id": encounter,
                "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "subject": subject,
                "period": {"start": day.isoformat(), "end": day.isoformat()},
            }
        )
        for m, (code, text, unit, low, high) in enumerate(_VITALS):
            found.append(
                {
                    "resourceType": "Observation",
                    "id": f"{encounter}-vital-{m}",
                    "status": "final",
                    "category": [{"coding": [{"code": "vital-signs"}]}],
                    "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": text}]},
                    "subject": subject,
                    "encounter": {"reference": f"Encounter/{encounter}"},
                    "effectiveDateTime": day.isoformat(),
                    "valueQuantity": {"value": chance.randint(low, high), "unit": unit},
                }
            )
    if chance.random() < 0.3:
        code, text = chance.choice(_CHRONIC)
        found.append(_condition(f"{prefix}-cond-0", subject, "http://snomed.info/sct", code, text))
        found.append(
            {
                "resourceType": "MedicationRequest",
                "id": f"{prefix}-rx-0",
                "status": "active",
                "intent": "order",
                "subject": subject,
                "medicationCodeableConcept": {"text": "maintenance medication"},
            }
        )
    if chance.random() < RATES["unknown-code"]:
        found.append(_condition(f"{prefix}-cond-local", subject, "urn:local:problem-list", "X-17", "local problem"))
    return found


def _condition(rid: str, subject: dict[str, str], system: str, code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": system, "code": code, "display": text}]},
        "subject": subject,
    }


def write_synthetic_export(folder: Path, templates: Sequence[Template], patients: int, seed: int) -> list[Path]:
    """Write the synthetic export as `<Type>.ndjson` files with a manifest; returns the files."""
    return write_export(folder, synthesize(templates, patients, seed))
