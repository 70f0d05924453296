"""`sijpath assess` on FHIR input and with FHIR output, and `sijpath fhir export|import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sijpath.domain.document import parse_episode
from sijpath.fhir.guidance import STEP_SYSTEM
from sijpath.fhir.writer import canonical_ids
from sijpath.wiring import load_episode
from tests.cli.running import run
from tests.fhir.records import EXAMPLES, bundle, dumps, pain_score, patient, r4b_problems

BUNDLE = "examples/fhir/fusion-candidate.json"
YAML = "examples/fusion-candidate.yaml"


def only(report: dict[str, Any]) -> dict[str, Any]:
    """The one assessed joint of a JSON assessment (the example patients hurt on one side)."""
    (joint,) = report["joints"]
    return joint  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _in_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("COLUMNS", "200")


def test_assessing_the_fhir_bundle_gives_the_same_next_step_as_the_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", BUNDLE, "--as-of", "2026-11-01", "-f", "json")
    assert (code, err) == (0, "")
    _, yaml_out, _ = run(capsys, "assess", YAML, "--as-of", "2026-11-01", "-f", "json")
    from_fhir, from_yaml = json.loads(out), json.loads(yaml_out)
    assert only(from_fhir)["next_step"] == only(from_yaml)["next_step"]
    assert only(from_fhir)["next_step"]["code"] == "fusion-evaluation"
    block = next(c for c in only(from_fhir)["criteria"] if c["id"] == "diagnostic-block-confirms-sij")
    assert block["evidence"][0]["ref"] == "Procedure/blk-1"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_bundle_assesses_like_its_yaml(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    _, from_fhir, _ = run(capsys, "assess", f"examples/fhir/{path.stem}.json", "--as-of", "2026-11-01", "-f", "json")
    _, from_yaml, _ = run(capsys, "assess", f"examples/{path.name}", "--as-of", "2026-11-01", "-f", "json")
    fhir, yaml = json.loads(from_fhir), json.loads(from_yaml)
    assert [j["joint"] for j in fhir["joints"]] == [j["joint"] for j in yaml["joints"]]
    for from_bundle, from_file in zip(fhir["joints"], yaml["joints"], strict=True):
        assert from_bundle["next_step"] == from_file["next_step"]
        assert [(c["id"], c["status"]) for c in from_bundle["criteria"]] == [
            (c["id"], c["status"]) for c in from_file["criteria"]
        ]
        assert [f["code"] for f in from_bundle["flags"]] == [f["code"] for f in from_file["flags"]]


def test_fhir_output_of_an_assessment_conforms_to_r4b_and_leads_with_the_next_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "assess", BUNDLE, "--as-of", "2026-11-01", "-f", "fhir")
    assert code == 0
    document = json.loads(out)
    assert r4b_problems(document) is None
    assert document["entry"][0]["resource"]["resourceType"] == "GuidanceResponse"
    plan = document["entry"][1]["resource"]
    assert plan["action"][0]["code"][0]["coding"][0]["system"] == STEP_SYSTEM
    assert plan["action"][0]["code"][0]["coding"][0]["code"] == "fusion-evaluation"


def test_fhir_output_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "assess", BUNDLE, "--as-of", "2026-11-01", "-f", "fhir")
    _, second, _ = run(capsys, "assess", BUNDLE, "--as-of", "2026-11-01", "-f", "fhir")
    assert first == second


@pytest.mark.parametrize("as_yaml", [False, True], ids=["json", "yaml"])
def test_fhir_import_writes_an_episode_that_parses_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_yaml: bool
) -> None:
    out = tmp_path / ("episode.yaml" if as_yaml else "episode.json")
    code, stdout, err = run(capsys, "fhir", "import", BUNDLE, "-o", str(out), *(["--yaml"] if as_yaml else []))
    assert (code, stdout, err) == (0, "", "")
    episode = parse_episode(out.read_bytes(), "yaml" if as_yaml else "json", str(out))
    assert episode == canonical_ids(load_episode(Path(YAML)))


def test_fhir_import_to_standard_output_keeps_data_issues_on_standard_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = tmp_path / "record.json"
    record.write_bytes(dumps(bundle(patient(), pain_score("o1"), pain_score("o2", day="2025"))))
    code, out, err = run(capsys, "fhir", "import", str(record))
    assert code == 0
    assert json.loads(out)["pain_scores"] == [{"id": "Observation/o1", "date": "2025-01-10", "nrs": 5.0}]
    assert (
        err == "warning: Observation/o2: effectiveDateTime '2025' gives no day (only a year or month); not imported\n"
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_fhir_export_of_an_example_is_byte_identical_to_its_shipped_bundle(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, path: Path
) -> None:
    out = tmp_path / "bundle.json"
    assert run(capsys, "fhir", "export", f"examples/{path.name}", "-o", str(out)) == (0, "", "")
    assert out.read_bytes() == Path(f"examples/fhir/{path.stem}.json").read_bytes()


def test_fhir_export_of_an_imported_bundle_gives_the_bundle_back(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fhir", "export", BUNDLE)
    assert code == 0
    assert out == Path(BUNDLE).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["assess"], ["fhir", "import"], ["fhir", "export"]])
def test_an_unknown_patient_exits_2_naming_it_and_the_patients_held(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = run(capsys, *command, BUNDLE, "--patient", "nobody")
    assert (code, out) == (2, "")
    assert err == f"error: {BUNDLE}: no patient `nobody` (patients: fusion-candidate)\n"


def test_a_bundle_of_several_patients_without_patient_exits_2_listing_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = tmp_path / "record.json"
    record.write_bytes(dumps(bundle(patient("ann"), patient("bob"))))
    code, _, err = run(capsys, "assess", str(record), "--as-of", "2026-11-01")
    assert code == 2
    assert err == f"error: {record}: holds 2 patients; choose one with --patient (ann, bob)\n"
    code, out, _ = run(capsys, "assess", str(record), "--patient", "bob", "--as-of", "2026-11-01", "-f", "json")
    assert (code, json.loads(out)["patient"]["id"]) == (0, "bob")


def test_a_fhir_resource_that_is_not_a_bundle_exits_2_with_its_type(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = tmp_path / "patient.json"
    record.write_bytes(dumps(patient()))
    code, _, err = run(capsys, "assess", str(record))
    assert code == 2
    assert err.startswith(f"error: {record}: a FHIR Patient resource, not a Bundle;")


def test_a_yaml_file_read_as_a_fhir_bundle_exits_2_as_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "assess", YAML, "--input-format", "fhir-bundle")
    assert code == 2
    assert err.startswith(f"error: {YAML}: not valid JSON (")


def test_exporting_a_patient_whose_id_is_not_a_fhir_id_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    episode = tmp_path / "episode.json"
    episode.write_text('{"patient": {"id": "Jane Doe"}}')
    code, out, err = run(capsys, "fhir", "export", str(episode))
    assert (code, out) == (2, "")
    assert "patient.id 'Jane Doe' is not a FHIR id" in err
