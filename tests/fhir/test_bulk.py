"""Bulk-data NDJSON folders in: one file per resource type, several patients, unreadable lines reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from sijpath.errors import FhirDocumentError, UnreadableInputError
from sijpath.fhir.bulk import NdjsonFolder, open_ndjson_folder
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.reader import MODELS
from sijpath.fhir.writer import episode_bundle
from tests.fhir.records import dumps, example, issues_at

PATIENTS = ["fibromyalgia", "fusion-candidate", "post-fusion"]
BAD_LINE = "Observation.ndjson line 4"


def _relative(value: Any, keys: dict[str, str]) -> Any:
    """Bulk exports use `Type/id` references, not a Bundle's `urn:uuid` full URLs."""
    if isinstance(value, dict):
        if set(value) == {"reference"} and value["reference"] in keys:
            return {"reference": keys[value["reference"]]}
        return {k: _relative(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, keys) for v in value]
    return value


def write_export(folder: Path) -> dict[str, int]:
    """An `$export`-style folder of the example patients; returns how many resources each file holds."""
    by_type: dict[str, list[bytes]] = {}
    for name in PATIENTS:
        entries = episode_bundle(example(name))["entry"]
        keys = {e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in entries}
        for entry in entries:
            resource = _relative(entry["resource"], keys)
            by_type.setdefault(resource["resourceType"], []).append(orjson.dumps(resource))
    counts = {kind: len(lines) for kind, lines in by_type.items()}
    observations = by_type["Observation"]
    observations.insert(3, b'{"resourceType": "Observation", "id": "cut-off-mid')  # line 4: not JSON
    observations.insert(6, b"   ")  # a blank line
    for kind, lines in by_type.items():
        (folder / f"{kind}.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    return counts


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_export(folder)
    return folder


@pytest.fixture
def opened(export: Path) -> Iterator[NdjsonFolder]:
    with open_ndjson_folder(export) as folder:
        yield folder


def test_the_export_has_one_file_for_each_resource_type_sijpath_reads(export: Path) -> None:
    assert sorted(p.name for p in export.iterdir()) == sorted(f"{kind}.ndjson" for kind in MODELS)


def test_iterating_yields_every_patient_once_in_id_order(opened: NdjsonFolder) -> None:
    assert [patient_id for patient_id, _ in opened] == PATIENTS
    assert opened.patient_ids() == PATIENTS


def test_every_readable_resource_is_indexed(tmp_path: Path) -> None:
    counts = write_export(tmp_path)
    with open_ndjson_folder(tmp_path) as folder:
        assert folder.resource_count == sum(counts.values())


@pytest.mark.parametrize("patient_id", PATIENTS)
def test_a_patient_read_from_the_folder_equals_the_same_patient_read_from_a_bundle(
    opened: NdjsonFolder, patient_id: str
) -> None:
    from_bundle = import_bundle(dumps(episode_bundle(example(patient_id))))[patient_id]
    from_folder = opened.read(patient_id)
    assert from_folder.episode == from_bundle.episode
    assert from_bundle.issues == ()


def test_iteration_gives_the_same_episodes_as_reading_each_patient(opened: NdjsonFolder) -> None:
    assert {pid: imported.episode for pid, imported in opened} == {pid: opened.read(pid).episode for pid in PATIENTS}


def test_a_line_that_is_not_json_is_a_data_issue_naming_the_file_and_line_and_blank_lines_are_not(
    opened: NdjsonFolder,
) -> None:
    for patient_id in PATIENTS:
        assert issues_at(opened.read(patient_id).issues, "record") == [
            f"warning: 1 NDJSON line(s) are not FHIR resources and were not read ({BAD_LINE})"
        ]


def test_a_json_line_that_is_not_a_resource_and_an_unlinked_resource_are_each_reported(tmp_path: Path) -> None:
    score = {"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "pain"}}
    lines = [b'{"resourceType": "Patient", "id": "p1"}', b"[1, 2]", orjson.dumps(score)]
    (tmp_path / "Mixed.ndjson").write_bytes(b"\n".join(lines))
    with open_ndjson_folder(tmp_path) as folder:
        issues = issues_at(folder.read("p1").issues, "record")
    assert issues == [
        "warning: 1 NDJSON line(s) are not FHIR resources and were not read (Mixed.ndjson line 2)",
        "warning: 1 resource(s) name no patient (Mixed.ndjson line 3); any of them may belong to this patient and "
        "none was imported",
    ]


def test_reading_a_patient_the_folder_does_not_hold_is_a_fhir_document_error(opened: NdjsonFolder) -> None:
    with pytest.raises(FhirDocumentError, match=r"no resources for patient `nobody`$"):
        opened.read("nobody")


def test_a_patient_without_a_patient_resource_has_unknown_demographics(tmp_path: Path) -> None:
    score = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
        "subject": {"reference": "Patient/p9"},
        "effectiveDateTime": "2025-01-01",
        "valueInteger": 4,
    }
    (tmp_path / "Observation.ndjson").write_bytes(orjson.dumps(score) + b"\n")
    with open_ndjson_folder(tmp_path) as folder:
        imported = folder.read("p9")
    assert [p.nrs for p in imported.episode.pain_scores] == [4.0]
    assert issues_at(imported.issues, "Patient/p9") == ["info: no Patient resource: birth date and sex unknown"]


def test_a_path_that_is_not_a_folder_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match=r"not a folder$"):
        open_ndjson_folder(tmp_path / "missing")


def test_a_folder_without_ndjson_files_is_not_a_bulk_export(tmp_path: Path) -> None:
    (tmp_path / "Patient.json").write_text("{}")
    with pytest.raises(FhirDocumentError, match=r"no \.ndjson files \(a bulk-data export has one per resource type\)"):
        open_ndjson_folder(tmp_path)


def test_progress_is_reported_for_every_indexed_resource(tmp_path: Path) -> None:
    counts = write_export(tmp_path)
    seen: list[int] = []
    with open_ndjson_folder(tmp_path, progress=seen.append):
        pass
    assert sum(seen) == sum(counts.values())
