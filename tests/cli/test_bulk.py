"""`sijpath bulk export` from the command line: unusable credentials refused before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.running import run


def test_a_client_id_without_a_key_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "bulk", "export", "https://ehr.example/fhir", "-o", str(tmp_path), "--client-id", "x")
    assert code == 1
    assert "needs both --client-id and --key" in out + err


def test_a_missing_key_file_is_refused_naming_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    key = tmp_path / "nope.json"
    args = (
        "bulk",
        "export",
        "https://ehr.example/fhir",
        "-o",
        str(tmp_path / "o"),
        "--client-id",
        "x",
        "--key",
        str(key),
    )
    code, out, err = run(capsys, *args)
    assert code == 2
    assert "nope.json: cannot read the key file" in out + err
