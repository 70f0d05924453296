"""`sijpath screen`: a whole export from the command line, and clear errors with exit code 2 for unusable input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sijpath.cli import app, main
from tests.screening.conftest import write_examples


def test_screen_writes_the_output_folder_and_prints_the_checksum(repo: Path, tmp_path: Path) -> None:
    export = write_examples(repo, tmp_path)
    out = tmp_path / "out"
    args = ["screen", str(export.folder), "-o", str(out), "-r", "source-articles", "--as-of", "2026-11-01"]
    result = CliRunner().invoke(app, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    checksum = (out / "checksum.txt").read_text().split()[0]
    assert f"checksum {checksum}" in result.stdout
    patients = len(export.bundles)
    rows = (out / "results.csv").read_bytes().count(b"\n") - 1
    assert rows >= patients > 10
    assert f"{patients} patients, {patients} assessed, {rows} result rows" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["screen", "{tmp}/absent", "-o", "{tmp}/out"], "no such folder"),
        (["screen", "{tmp}", "-o", "{tmp}/out"], "no .ndjson files"),
        (["screen", "{export}", "-o", "{tmp}/out", "-r", "bogus"], "no rule set `bogus`"),
    ],
)
def test_screen_refuses_unusable_input_with_exit_code_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    export = write_examples(repo, tmp_path / "examples")
    code = main([a.format(tmp=tmp_path, export=export.folder) for a in args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_synth_then_screen_from_the_command_line(repo: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    made = CliRunner().invoke(app, ["synth", "--patients", "60", "--seed", "3", "-o", str(export)])
    assert made.exit_code == 0, made.output
    assert "60 patients" in made.stdout
    assert (export / "manifest.json").exists()
    args = ["screen", str(export), "-o", str(tmp_path / "out"), "--as-of", "2026-11-01", "--workers", "1"]
    screened = CliRunner().invoke(app, args)
    assert screened.exit_code == 0, screened.output
    assert "60 patients" in screened.stdout
