"""`sijpath episode upgrade`: to stdout, to a file, or in place, with the notes on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.running import run

V1 = "format: sijpath-episode/1\npatient: {id: p1}\nphysical_therapy:\n  - {start_date: 2025-02-01}\n"
V2 = V1.replace("/1", "/2")


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "episode.yaml"
    path.write_text(V1)
    return path


def test_the_upgraded_episode_goes_to_stdout_and_the_notes_to_stderr(
    capsys: pytest.CaptureFixture[str], v1_file: Path
) -> None:
    code, out, err = run(capsys, "episode", "upgrade", str(v1_file))
    assert (code, out) == (0, V2)
    assert "physical_therapy[0].setting: not recorded" in err
    assert v1_file.read_text() == V1


def test_in_place_rewrites_the_file(capsys: pytest.CaptureFixture[str], v1_file: Path) -> None:
    code, out, err = run(capsys, "episode", "upgrade", str(v1_file), "--in-place")
    assert (code, out) == (0, "")
    assert v1_file.read_text() == V2
    assert f"wrote {v1_file}" in err


def test_output_writes_a_new_file(capsys: pytest.CaptureFixture[str], v1_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "v2.yaml"
    assert run(capsys, "episode", "upgrade", str(v1_file), "-o", str(target))[0] == 0
    assert target.read_text() == V2


def test_output_and_in_place_together_are_a_usage_error(capsys: pytest.CaptureFixture[str], v1_file: Path) -> None:
    code, _, err = run(capsys, "episode", "upgrade", str(v1_file), "--in-place", "-o", "x.yaml")
    assert code == 2
    assert "either --output or --in-place" in err


def test_an_invalid_file_exits_2_naming_the_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("patient: {id: p1}\npain: {laterality: up}\n")
    code, _, err = run(capsys, "episode", "upgrade", str(path))
    assert code == 2
    assert "pain.laterality" in err
