"""Choosing the input: native episodes, FHIR Bundles and NDJSON folders, and one patient out of several."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from sijpath import wiring
from sijpath.errors import FhirDocumentError, UsageError
from sijpath.fhir.writer import canonical_ids
from tests.fhir.records import bundle, dumps, pain_score, patient

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_patients(tmp_path: Path) -> Path:
    path = tmp_path / "record.json"
    path.write_bytes(dumps(bundle(patient("ann"), patient("bob"), pain_score("o1", pid="bob"))))
    return path


def test_a_bundle_of_several_patients_needs_a_patient_and_the_error_lists_them(two_patients: Path) -> None:
    with pytest.raises(UsageError) as caught:
        wiring.load_record(two_patients)
    assert str(caught.value) == f"{two_patients}: holds 2 patients; choose one with --patient (ann, bob)"


def test_the_patient_chosen_from_several_is_read(two_patients: Path) -> None:
    record = wiring.load_record(two_patients, patient="bob")
    assert record.episode.patient.id == "bob"
    assert [p.id for p in record.episode.pain_scores] == ["Observation/o1"]


def test_an_unknown_patient_is_a_usage_error_listing_the_patients_held(two_patients: Path) -> None:
    with pytest.raises(UsageError) as caught:
        wiring.load_record(two_patients, patient="cy")
    assert str(caught.value) == f"{two_patients}: no patient `cy` (patients: ann, bob)"


def test_a_long_list_of_patients_is_cut_after_ten(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_bytes(dumps(bundle(*(patient(f"p{n:02d}") for n in range(12)))))
    with pytest.raises(UsageError, match=r"holds 12 patients; choose one with --patient \(p00, .*, p09 and 2 more\)$"):
        wiring.load_record(path)


def test_a_bundle_about_no_patient_is_a_fhir_document_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(dumps(bundle()))
    with pytest.raises(FhirDocumentError, match=r"empty\.json: no resources about a patient$"):
        wiring.load_record(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("examples/fusion-candidate.yaml", "episode"),
        ("examples/fhir/fusion-candidate.json", "fhir-bundle"),
        ("examples", "fhir-ndjson"),
    ],
)
def test_the_input_format_is_told_from_the_path_and_its_content(name: str, expected: str) -> None:
    assert wiring.input_format_of(REPO / name) == expected


def test_a_json_episode_is_not_taken_for_fhir(tmp_path: Path) -> None:
    path = tmp_path / "episode.json"
    path.write_bytes(orjson.dumps({"patient": {"id": "p"}}))
    assert wiring.input_format_of(path) == "episode"
    assert wiring.load_record(path).episode.patient.id == "p"


def test_the_example_bundle_and_the_example_episode_load_as_the_same_record() -> None:
    from_yaml = wiring.load_record(REPO / "examples" / "fusion-candidate.yaml")
    from_fhir = wiring.load_record(REPO / "examples" / "fhir" / "fusion-candidate.json")
    assert from_fhir.episode == canonical_ids(from_yaml.episode)
    assert from_yaml.issues == from_fhir.issues == ()


def test_a_native_episode_asked_for_another_patient_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"holds patient `fusion-candidate`, not `someone`$"):
        wiring.load_record(REPO / "examples" / "fusion-candidate.yaml", patient="someone")


def test_an_ndjson_folder_of_several_patients_needs_a_patient(tmp_path: Path) -> None:
    lines = [orjson.dumps(patient("ann")), orjson.dumps(patient("bob"))]
    (tmp_path / "Patient.ndjson").write_bytes(b"\n".join(lines))
    with pytest.raises(UsageError, match=r"holds 2 patients; choose one with --patient \(ann, bob\)$"):
        wiring.load_record(tmp_path)
    assert wiring.load_record(tmp_path, patient="bob").episode.patient.id == "bob"
