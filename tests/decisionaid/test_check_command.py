"""`sijpath decision-aid check`: a table of the IPDAS criteria per aid, exit 1 on any failure, stale-evidence alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from sijpath.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples"
DAY = "2026-12-01"


def test_checking_every_example_passes_and_shows_each_aid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decision-aid", "check", "--examples", str(EXAMPLES), "--as-of", DAY]) == 0
    out = capsys.readouterr().out
    assert "IPDAS self-check" in out
    assert "fusion-candidate" in out
    assert "with a failure" in out
    assert "0 with a failure" in out
    assert "FAIL" not in out


def test_checking_named_files_checks_only_those(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(EXAMPLES / "rfa-candidate.yaml"), str(EXAMPLES / "post-fusion.yaml")]
    assert main(["decision-aid", "check", *files, "--as-of", DAY]) == 0
    out = capsys.readouterr().out
    assert "2 aids checked from 2 files" in out
    assert "fibromyalgia" not in out


def test_overdue_evidence_fails_the_check_with_an_alarm_naming_the_review_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["decision-aid", "check", str(EXAMPLES / "fusion-candidate.yaml"), "--as-of", "2028-06-01"])
    out = capsys.readouterr().out
    assert code == 1
    assert "STALE EVIDENCE: the outcome evidence was last reviewed 2026-12-02" in out
    assert "due by 2027-12-02" in out
    assert "FAIL fusion-candidate" in out


def test_an_empty_examples_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decision-aid", "check", "--examples", str(tmp_path)]) == 2
    assert "no *.yaml" in capsys.readouterr().err


def test_a_missing_file_is_reported_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nobody.yaml"
    assert main(["decision-aid", "check", str(missing), "--as-of", DAY]) == 2
    assert "nobody.yaml" in capsys.readouterr().err
