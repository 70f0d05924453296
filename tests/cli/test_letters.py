"""`sijpath letter`: the practice from settings or options, the narrative from a file, the packet and the paper."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.running import run

ARGS = ("letter", "examples/payer-smoker.yaml", "--for", "27279", "-r", "commercial-strict", "--as-of", "2026-11-01")


@pytest.fixture(autouse=True)
def _in_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("COLUMNS", "200")
    for variable in ("SIJPATH_PRACTICE_NAME", "SIJPATH_ORDERING_PROVIDER", "SIJPATH_ORDERING_PROVIDER_NPI"):
        monkeypatch.delenv(variable, raising=False)


def test_the_practice_comes_from_the_settings_and_the_provider_from_the_options(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIJPATH_PRACTICE_NAME", "Example Spine Clinic")
    code, out, _ = run(capsys, *ARGS, "--draft", "--ordering-provider", "A. Physician, MD", "--npi", "1234567893")
    assert code == 0
    assert out.startswith("# Example Spine Clinic\n")
    assert "| Ordering provider | A. Physician, MD, NPI 1234567893 |" in out


def test_a_mistyped_npi_is_refused_naming_the_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIJPATH_ORDERING_PROVIDER_NPI", "1234567890")
    code, out, err = run(capsys, *ARGS, "--draft")
    assert (code, out) == (2, "")
    assert "npi (SIJPATH_ORDERING_PROVIDER_NPI): NPI 1234567890 fails its check digit" in err


def test_a_refusal_lists_the_missing_identifiers_beside_the_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *ARGS)
    assert code == 4
    assert "nicotine-free: not met" in err
    assert "missing: member ID: set the record's patient.member_id" in err


def test_the_narrative_file_is_the_physicians_narrative(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    narrative = tmp_path / "narrative.txt"
    narrative.write_text("Right buttock pain for 18 months despite care.\n", encoding="utf-8")
    code, out, _ = run(capsys, *ARGS, "--draft", "--narrative", str(narrative))
    assert code == 0
    assert "## Physician's narrative\n\nRight buttock pain for 18 months despite care.\n" in out


def test_an_unreadable_narrative_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, *ARGS, "--draft", "--narrative", str(tmp_path / "none.txt"))
    assert code == 2
    assert "--narrative" in err


def test_the_packet_is_one_a4_pdf_with_draft_and_the_patient_on_every_page(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "packet.pdf"
    code, _, _ = run(capsys, *ARGS, "--draft", "--packet", "--paper", "a4", "-o", str(target))
    assert code == 0
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert round(float(reader.pages[0].mediabox.height)) == 842
    texts = [page.extract_text() for page in reader.pages]
    assert any("Payer policy clauses" in text for text in texts)
    assert all("DRAFT" in text and "Record payer-smoker" in text for text in texts)


def test_a_packet_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *ARGS, "--draft", "--packet")
    assert code == 2
    assert "--output" in err
