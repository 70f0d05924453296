"""A whole screen: bad input becomes issue rows and the run goes on; output is byte-identical whatever the workers;
worklists hold exactly the rows their question picks; a stopped run resumes to the same result."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from sijpath.errors import FhirDocumentError, UnknownRuleSetError, UnreadableInputError
from sijpath.screening.rows import ResultRow, checksum
from sijpath.screening.worklists import WORKLISTS
from sijpath.wiring.screening import screen_export
from tests.screening.conftest import AS_OF, RULESETS, ExampleExport, write_examples


def _screen(folder: Path, out: Path, workers: int = 1, chunk: int = 4) -> str:
    return screen_export(folder, out, RULESETS, AS_OF, workers, chunk_patients=chunk).checksum


def _issues(out: Path) -> list[dict[str, str]]:
    with (out / "issues.csv").open(newline="") as stream:
        return list(csv.DictReader(stream))


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_a_truncated_line_and_an_unknown_type_are_issue_rows_and_the_run_goes_on(
    examples_export: ExampleExport, tmp_path: Path
) -> None:
    clean = _screen(examples_export.folder, tmp_path / "clean")
    with (examples_export.folder / "Procedure.ndjson").open("ab") as stream:
        stream.write(b'{"resourceType": "Procedure", "id": "cut-off", "subj\n')
    (examples_export.folder / "Gadget.ndjson").write_bytes(b'{"resourceType": "Gadget", "id": "g1"}\n')
    out = tmp_path / "out"
    assert _screen(examples_export.folder, out) == clean
    found = {(i["kind"], i["where"]) for i in _issues(out)}
    lines = (examples_export.folder / "Procedure.ndjson").read_bytes().count(b"\n")
    assert ("bad-line", f"Procedure.ndjson line {lines}") in found
    assert ("unknown-resource-type", "Gadget.ndjson") in found


def test_a_reference_to_a_patient_the_export_lacks_is_reported(examples_export: ExampleExport, tmp_path: Path) -> None:
    orphan = {"resourceType": "Condition", "id": "c-orphan", "subject": {"reference": "Patient/nobody"}}
    with (examples_export.folder / "Condition.ndjson").open("ab") as stream:
        stream.write(orjson.dumps(orphan) + b"\n")
    out = tmp_path / "out"
    _screen(examples_export.folder, out)
    assert [(i["patient_id"], i["kind"]) for i in _issues(out) if i["patient_id"] == "nobody"] == [
        ("nobody", "missing-patient")
    ]


def test_output_is_byte_identical_across_runs_and_worker_counts(examples_export: ExampleExport, tmp_path: Path) -> None:
    _screen(examples_export.folder, tmp_path / "a", workers=1)
    _screen(examples_export.folder, tmp_path / "b", workers=1)
    _screen(examples_export.folder, tmp_path / "c", workers=2)
    first = _files(tmp_path / "a")
    assert first == _files(tmp_path / "b") == _files(tmp_path / "c")
    assert {"results.parquet", "results.csv", "issues.csv", "summary.md", "summary.html", "checksum.txt"} <= set(first)


def test_resources_spread_over_many_files_give_the_same_result(repo: Path, tmp_path: Path) -> None:
    one = write_examples(repo, tmp_path / "one")
    three = write_examples(repo, tmp_path / "three", parts=3)
    assert len(list(three.folder.glob("Observation.*.ndjson"))) == 3
    assert _screen(one.folder, tmp_path / "a") == _screen(three.folder, tmp_path / "b")


def _rows(out: Path) -> list[ResultRow]:
    return [ResultRow(*row.values()) for row in pq.read_table(out / "results.parquet").to_pylist()]


def test_the_checksum_is_over_the_sorted_rows_of_the_results(examples_export: ExampleExport, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sum_ = _screen(examples_export.folder, out)
    rows = _rows(out)
    assert checksum(reversed(rows)) == sum_
    assert sum_ in (out / "summary.md").read_text()
    assert sum_ in (out / "checksum.txt").read_text()
    assert len({r.ruleset_id for r in rows}) == len(RULESETS)


def test_each_worklist_holds_exactly_the_rows_its_question_picks(
    examples_export: ExampleExport, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _screen(examples_export.folder, out)
    rows = _rows(out)
    nonempty = 0
    for worklist in WORKLISTS:
        with (out / f"worklist-{worklist.name}.csv").open(newline="") as stream:
            got = [(r["patient_id"], r["joint"], r["ruleset_id"]) for r in csv.DictReader(stream)]
        expected = [(r.patient_id, r.joint, r.ruleset_id) for r in rows if worklist.holds(r)]
        assert got == expected, worklist.name
        nonempty += bool(expected)
    assert nonempty >= 3  # the example patients reach most lists: the comparison is not between empty lists


class _Stop(Exception):
    pass


def test_a_run_stopped_after_some_chunks_resumes_to_the_same_checksum(
    examples_export: ExampleExport, tmp_path: Path
) -> None:
    whole = _screen(examples_export.folder, tmp_path / "whole")
    out = tmp_path / "resumed"
    calls: list[int] = []

    def stop_after_two_chunks(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # the start, then two chunks
            raise _Stop

    with pytest.raises(_Stop):
        screen_export(examples_export.folder, out, RULESETS, AS_OF, 1, stop_after_two_chunks, chunk_patients=4)
    assert len(list((out / "parts").glob("chunk-*.json"))) == 2
    summary = screen_export(examples_export.folder, out, RULESETS, AS_OF, 1, chunk_patients=4)
    assert (summary.checksum, summary.resumed_chunks) == (whole, 2)
    assert _files(out) == _files(tmp_path / "whole")


def test_parts_from_other_inputs_are_not_reused(examples_export: ExampleExport, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _screen(examples_export.folder, out)
    later = screen_export(examples_export.folder, out, RULESETS, dt.date(2026, 12, 1), 1, chunk_patients=4)
    assert later.resumed_chunks == 0


def test_unusable_inputs_are_clear_errors(examples_export: ExampleExport, tmp_path: Path) -> None:
    with pytest.raises(UnreadableInputError, match="no such folder"):
        _screen(tmp_path / "absent", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FhirDocumentError, match=r"no \.ndjson files"):
        _screen(tmp_path / "empty", tmp_path / "out")
    with pytest.raises(UnknownRuleSetError, match="no rule set `bogus`"):
        screen_export(examples_export.folder, tmp_path / "out", ["bogus"], AS_OF, 1)


def test_a_file_the_manifest_lists_but_the_folder_lacks_is_an_issue_row(
    examples_export: ExampleExport, tmp_path: Path
) -> None:
    manifest = orjson.loads((examples_export.folder / "manifest.json").read_bytes())
    manifest["output"].append({"type": "Procedure", "url": "https://ehr.example/export/Procedure.002.ndjson"})
    (examples_export.folder / "manifest.json").write_bytes(orjson.dumps(manifest))
    out = tmp_path / "out"
    _screen(examples_export.folder, out)
    assert [(i["kind"], i["where"]) for i in _issues(out) if i["kind"] == "missing-file"] == [
        ("missing-file", "Procedure.002.ndjson")
    ]
