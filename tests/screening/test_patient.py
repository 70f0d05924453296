"""One patient's screen is the assessment of that patient's own record, row for row, with what reading it found."""

from __future__ import annotations

from pathlib import Path

import orjson

from sijpath import wiring
from sijpath.pathway.assess import evaluate
from sijpath.screening.patient import (
    PatientScreen,
    has_facts,
    patient_only,
    read_resources,
    result_rows,
    screen_patient,
)
from sijpath.screening.scan import find_export, scan_export
from sijpath.wiring.screening import synthesize_export
from tests.screening.conftest import AS_OF, RULESETS, ExampleExport


def test_each_patients_rows_equal_the_assessment_of_their_bundle(examples_export: ExampleExport) -> None:
    rulesets = [wiring.load_ruleset(r, AS_OF) for r in RULESETS]
    with scan_export(find_export(examples_export.folder)) as scan:
        screened = {
            pid: screen_patient(pid, texts, rulesets, AS_OF) for pid, texts, _ in scan.patients(prefilter=False)
        }
    assert sorted(screened) == sorted(examples_export.bundles)
    for patient_id, bundle in examples_export.bundles.items():
        record = wiring.load_record(bundle)
        expected = [row for rs in rulesets for row in result_rows(evaluate(record.episode, rs, AS_OF, record.issues))]
        assert list(screened[patient_id].rows) == expected, patient_id
        assert screened[patient_id].issues == ()


def _resources(examples_export: ExampleExport, patient_id: str) -> list[dict[str, object]]:
    with scan_export(find_export(examples_export.folder)) as scan:
        texts = {pid: texts for pid, texts, _ in scan.patients(prefilter=False)}[patient_id]
    return [orjson.loads(t) for t in texts]


def test_a_patient_without_a_patient_resource_is_assessed_and_reported(examples_export: ExampleExport) -> None:
    patient_id = next(iter(examples_export.bundles))
    texts = [
        orjson.dumps(r).decode() for r in _resources(examples_export, patient_id) if r["resourceType"] != "Patient"
    ]
    rules = [wiring.load_ruleset("source-articles", AS_OF)]
    screen = screen_patient(patient_id, texts, rules, AS_OF)
    assert screen.assessed
    assert [(i.kind, i.where) for i in screen.issues] == [("missing-patient", f"Patient/{patient_id}")]
    with_patient = screen_patient(
        patient_id, [orjson.dumps(r).decode() for r in _resources(examples_export, patient_id)], rules, AS_OF
    )
    assert [r.data_issues for r in screen.rows] == [r.data_issues + 1 for r in with_patient.rows]


def test_a_resource_given_twice_is_read_once(examples_export: ExampleExport) -> None:
    patient_id = next(iter(examples_export.bundles))
    texts = [orjson.dumps(r).decode() for r in _resources(examples_export, patient_id)]
    procedure = next(t for t in texts if '"Procedure"' in t)
    rules = [wiring.load_ruleset("source-articles", AS_OF)]
    once = screen_patient(patient_id, texts, rules, AS_OF)
    twice = screen_patient(patient_id, [*texts, procedure], rules, AS_OF)
    assert [(r.next_step, r.flags) for r in twice.rows] == [(r.next_step, r.flags) for r in once.rows]
    assert [r.data_issues for r in twice.rows] == [r.data_issues + 1 for r in once.rows]


def test_a_patient_whose_record_cannot_be_read_becomes_an_issue_row() -> None:
    rules = [wiring.load_ruleset("source-articles", AS_OF)]
    screen = screen_patient("p1", ['{"resourceType": "Patient", "id": "p1"}', "[1, 2]"], rules, AS_OF)
    assert screen.rows == ()
    assert [i.kind for i in screen.issues] == ["unreadable-patient"]


def test_a_patient_with_nothing_of_the_si_joint_is_not_assessed() -> None:
    rules = [wiring.load_ruleset("source-articles", AS_OF)]
    screen = screen_patient("p1", ['{"resourceType": "Patient", "id": "p1", "gender": "female"}'], rules, AS_OF)
    assert (screen.assessed, screen.rows, screen.issues) == (False, (), ())


def test_a_resource_given_again_with_other_content_is_read_once_with_a_warning(
    examples_export: ExampleExport,
) -> None:
    patient_id = next(iter(examples_export.bundles))
    resources = _resources(examples_export, patient_id)
    procedure = next(r for r in resources if r["resourceType"] == "Procedure")
    texts = [orjson.dumps(r).decode() for r in resources] + [
        orjson.dumps({**procedure, "status": "entered-in-error"}).decode()
    ]
    imported, _ = read_resources(patient_id, texts)
    repeated = [i for i in imported.issues if i.location == f"Procedure/{procedure['id']}" and "again" in i.message]
    assert [(i.severity, i.message) for i in repeated] == [("warning", "given again with other content; first read")]


def _read_whole(patient_id: str, texts: list[str], count: int | None) -> PatientScreen:
    """What the reader's path gives a patient (the screen without its Patient-only shortcut)."""
    try:
        imported, issues = read_resources(patient_id, texts, count)
    except orjson.JSONDecodeError:
        return PatientScreen(patient_id, (), (), False)
    return PatientScreen(patient_id, (), tuple(issues), has_facts(imported.episode))


def test_a_patient_with_only_patient_resources_screens_as_the_reader_reads_them(repo: Path, tmp_path: Path) -> None:
    synthesize_export(tmp_path / "export", 400, 3, repo / "examples")
    trimmed = 0
    with scan_export(find_export(tmp_path / "export")) as scan:
        for patient_id, texts, count in scan.patients():
            found = patient_only(patient_id, texts, count)
            if found is not None:
                trimmed += 1
                assert found == _read_whole(patient_id, texts, count), patient_id
    odd = {
        "no Patient resource": [],
        "numeric id": ['{"resourceType": "Patient", "id": 7}'],
        "invalid Patient": ['{"resourceType": "Patient", "id": "p1", "birthDate": "yesterday", "gender": 3}'],
        "twice": [
            '{"resourceType": "Patient", "id": "p1"}',
            '{"resourceType": "Patient", "id": "p1", "gender": "male"}',
        ],
    }
    for label, texts in odd.items():
        found = patient_only("p1", texts, 5)
        assert found == _read_whole("p1", texts, 5), label
    assert patient_only("p1", ['{"resourceType": "Patient", "id": "p1"}', "[1"], None) is None  # the reader names it
    assert patient_only("p1", ['{"resourceType": "Condition", "id": "c"}'], None) is None
    assert trimmed > 300  # most of a synthetic population has nothing of the SI joint
