"""The scan's pre-filter sends a patient's full record whenever the reader could take a fact from it, and the
screen of a trimmed patient is the screen of their full record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sijpath import wiring
from sijpath.fhir.vocabulary import ICD10CM, LOINC, LOINC_PAIN_NRS, OWN, SNOMED
from sijpath.screening.patient import PatientScreen, screen_patient
from sijpath.screening.scan import find_export, scan_export
from sijpath.screening.synth import template, write_synthetic_export
from tests.screening.conftest import AS_OF, RULESETS, write_examples

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _screens(folder: Path, prefilter: bool) -> dict[str, tuple[PatientScreen, bool]]:
    """Each patient's screen, and whether the scan sent all of their resources."""
    rulesets = [wiring.load_ruleset(r, AS_OF) for r in RULESETS]
    with scan_export(find_export(folder)) as scan:
        return {
            pid: (screen_patient(pid, texts, rulesets, AS_OF, count), len(texts) == count)
            for pid, texts, count in scan.patients(prefilter)
        }


def _held_to_the_full_reader(folder: Path) -> dict[str, bool]:
    full, trimmed = _screens(folder, False), _screens(folder, True)
    assert trimmed.keys() == full.keys()
    for patient_id, (screen, _) in full.items():
        kept, whole = trimmed[patient_id]
        assert kept == screen, patient_id  # rows, issues and assessed: the same
        if screen.assessed or any(i.kind == "unreadable-patient" for i in screen.issues):
            assert whole, f"{patient_id}: assessed in full but trimmed by the pre-filter"
    return {pid: whole for pid, (_, whole) in trimmed.items()}


def test_a_synthetic_population_screens_the_same_with_the_prefilter_and_most_records_are_trimmed(
    tmp_path: Path,
) -> None:
    templates = [template(p.stem, wiring.load_episode(p), 1.0) for p in sorted(EXAMPLES.glob("*.yaml"))]
    write_synthetic_export(tmp_path / "export", templates, 700, 5)
    whole = _held_to_the_full_reader(tmp_path / "export")
    assert sum(whole.values()) < len(whole) / 2  # the pre-filter does trim: most patients are not SI-joint ones


def test_every_example_patient_is_sent_whole(repo: Path, tmp_path: Path) -> None:
    export = write_examples(repo, tmp_path)
    assert all(_held_to_the_full_reader(export.folder).values())


def _coding(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


# One resource per patient (besides the Patient), and whether the reader could take a fact from it.
_CASES: dict[str, tuple[dict[str, Any], bool]] = {
    "pain-score": (
        {
            "resourceType": "Observation",
            "status": "final",
            "code": _coding(LOINC, LOINC_PAIN_NRS),
            "effectiveDateTime": "2026-05-01",
            "valueInteger": 7,
        },
        True,
    ),
    "own-code": (
        {
            "resourceType": "Observation",
            "status": "final",
            "code": _coding(OWN, "fortin-finger-test"),
            "effectiveDateTime": "2026-05-01",
            "valueBoolean": True,
        },
        True,
    ),
    "vital-sign": (
        {
            "resourceType": "Observation",
            "status": "final",
            "code": _coding(LOINC, "8867-4"),
            "effectiveDateTime": "2026-05-01",
            "valueInteger": 70,
        },
        False,
    ),
    "coding-not-a-list": (
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": {"system": LOINC, "code": LOINC_PAIN_NRS}},
        },
        True,
    ),
    "dated-diagnosis": (
        {"resourceType": "Condition", "code": _coding(SNOMED, "38341003"), "recordedDate": "2025-01-01"},
        True,
    ),
    "dated-icd": (
        {"resourceType": "Condition", "code": _coding(ICD10CM, "M53.3"), "onsetDateTime": "2025-01-01"},
        True,
    ),
    "undated-diagnosis": ({"resourceType": "Condition", "code": _coding(SNOMED, "38341003")}, False),
    "local-code": (
        {"resourceType": "Condition", "code": _coding("urn:local", "X-1"), "recordedDate": "2025-01-01"},
        False,
    ),
    "imaging": (
        {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "code": _coding(OWN, "imaging-pelvis"),
            "effectiveDateTime": "2026-01-01",
        },
        True,
    ),
    "other-report": (
        {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "code": _coding(LOINC, "58410-2"),
            "effectiveDateTime": "2026-01-01",
        },
        False,
    ),
    "statement": (
        {
            "resourceType": "MedicationStatement",
            "status": "active",
            "effectiveDateTime": "2026-01-01",
            "medicationCodeableConcept": {"text": "ibuprofen"},
        },
        True,
    ),
    "encounter": ({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}}, False),
}


@pytest.mark.parametrize("escaped", [False, True], ids=["plain", "json-escaped"])
def test_each_kind_of_resource_is_sent_whole_exactly_when_the_reader_could_read_it(
    tmp_path: Path, escaped: bool
) -> None:
    import orjson

    lines = []
    for name, (resource, _) in _CASES.items():
        lines.append({"resourceType": "Patient", "id": name, "gender": "female", "birthDate": "1970-01-01"})
        lines.append({**resource, "id": f"{name}-1", "subject": {"reference": f"Patient/{name}"}})
    text = b"\n".join(orjson.dumps(line) for line in lines) + b"\n"
    if escaped:  # an exporter may escape `/` and letters: DuckDB compares the unescaped strings, as the reader does
        text = text.replace(b"/", b"\\/").replace(b"http", b"\\u0068ttp")
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "mixed.ndjson").write_bytes(text)
    whole = _held_to_the_full_reader(folder)
    assert whole == {name: relevant for name, (_, relevant) in _CASES.items()}
