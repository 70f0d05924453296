"""The command line: reports in three formats, and clear messages with exit code 2 for unusable input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cli.running import run

EXAMPLE = "examples/fusion-candidate.yaml"


def only(report: dict[str, Any]) -> dict[str, Any]:
    """The one assessed joint of a JSON assessment (the example patients hurt on one side)."""
    (joint,) = report["joints"]
    return joint  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _in_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("COLUMNS", "200")  # Rich wraps at the terminal width; keep table cells on one line


def test_json_report_follows_the_documented_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", EXAMPLE, "--as-of", "2026-11-01", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["format"] == "sijpath-assessment/2"
    assert report["ruleset"] == {"id": "source-articles", "version": "1.0.0", "title": "Source articles pathway"}
    assert report["as_of"] == "2026-11-01"
    assert only(report)["next_step"]["code"] == "fusion-evaluation"
    assert only(report)["next_step"]["laterality"] == "left"
    assert only(report)["next_step"]["procedure"]["code"] == "27279"
    assert only(report)["next_step"]["procedure"]["modifier"] == "LT"
    assert report["contract_version"] == "2.1.0"
    assert report["summary"]["next_steps"] == [{"joint": "left", "code": "fusion-evaluation", "procedure": "27279"}]
    block = next(c for c in only(report)["criteria"] if c["id"] == "diagnostic-block-confirms-sij")
    assert block["status"] == "met"
    assert block["evidence"][0] == {
        "date": "2025-01-10",
        "fact": "block 2025-01-10 (left), lidocaine only, fluoroscopy: NRS 8 → 1 at 30 min = 87.5% relief",
        "ref": "blk-1",
    }
    assert {"id": "anesthetic-duration-of-action", "verification": "unverified"}.items() <= next(
        c for c in block["citations"] if c["id"] == "anesthetic-duration-of-action"
    ).items()
    assert "anesthetic-duration-of-action" in report["unverified_sources"]
    assert "does not make them" in report["notice"]


def test_json_report_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "assess", EXAMPLE, "--as-of", "2026-11-01", "-f", "json")
    _, second, _ = run(capsys, "assess", EXAMPLE, "--as-of", "2026-11-01", "-f", "json")
    assert first == second


def test_markdown_and_text_reports_name_the_next_step_and_the_notice(capsys: pytest.CaptureFixture[str]) -> None:
    _, markdown, _ = run(capsys, "assess", EXAMPLE, "--as-of", "2026-11-01", "-f", "markdown")
    assert (
        "## Left SI joint: Consider referral for a minimally invasive SI-joint fusion evaluation (CPT 27279, left)"
    ) in markdown
    assert "UNVERIFIED" in markdown
    _, text, _ = run(capsys, "assess", EXAMPLE, "--as-of", "2026-11-01")
    assert "Next step" in text
    assert "fusion evaluation" in text
    assert "does not make them" in text


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        ("{not json", ".json", "not valid JSON"),
        ("patient: [unclosed", ".yaml", "not valid YAML"),
        ("- a list", ".yaml", "must be a mapping"),
        ('{"patient": {"id": "p"}, "surprise": 1}', ".json", "surprise: unknown field"),
        (
            '{"patient": {"id": "p"}, "pain_scores": [{"date": "2025-01-01", "nrs": 11}]}',
            ".json",
            "pain_scores[0].nrs: Input should be less than or equal to 10",
        ),
        (
            '{"patient": {"id": "p"}, "therapeutic_injections": [{"date": "2025-01-01", "side": "left", '
            '"relief_duration_days": -3}]}',
            ".json",
            "therapeutic_injections[0].relief_duration_days",
        ),
        (
            '{"patient": {"id": "p"}, "physical_therapy": [{"start_date": "2025-02-01", "end_date": "2025-01-01"}]}',
            ".json",
            "end_date 2025-01-01 is before start_date 2025-02-01",
        ),
        (
            '{"patient": {"id": "p"}, "imaging": [{"date": "2025-13-01", "modality": "ct", "region": "sij", '
            '"findings": ["normal"]}]}',
            ".json",
            "imaging[0].date",
        ),
        ("{}", ".txt", "unknown file type"),
    ],
)
def test_unusable_files_exit_2_with_a_message_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, suffix: str, expected: str
) -> None:
    path = tmp_path / f"episode{suffix}"
    path.write_text(content)
    code, out, err = run(capsys, "assess", str(path), "--as-of", "2026-11-01")
    assert code == 2
    assert expected in err
    assert "Traceback" not in err + out


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "assess", str(tmp_path / "nowhere.yaml"))
    assert code == 2
    assert "cannot read" in err


def test_unknown_ruleset_exits_2_and_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "assess", EXAMPLE, "--ruleset", "no-such-ruleset")
    assert code == 2
    assert "source-articles" in err


def test_bad_as_of_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "assess", EXAMPLE, "--as-of", "yesterday")
    assert code == 2
    assert "--as-of" in err


def test_implausible_but_parseable_facts_become_data_issues_not_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.json"
    path.write_text(
        json.dumps(
            {
                "patient": {"id": "p"},
                "pain": {"below_l5": True, "radiates_below_knee": False, "laterality": "left"},
                "diagnostic_blocks": [
                    {
                        "date": "2026-01-01",
                        "side": "left",
                        "guidance": "ct",
                        "anesthetics": [{"drug": "lidocaine"}],
                        "pre_block_nrs": 0,
                        "post_block_nrs": 0,
                        "post_block_minutes": 20,
                    }
                ],
                "fusions": [{"date": "2027-01-01", "side": "left", "cpt": "27279", "approach": "lateral"}],
            }
        )
    )
    code, out, _ = run(capsys, "assess", str(path), "--as-of", "2026-11-01", "-f", "json")
    report = json.loads(out)
    assert code == 0
    assert only(report)["next_step"]["code"] == "gather-information"
    locations = {issue["location"] for issue in report["data_issues"]}
    assert locations == {"diagnostic_blocks[0]", "fusions[0]"}


def test_schema_command_prints_a_valid_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "diagnostic_blocks" in schema["properties"]


def test_every_example_validates_against_the_published_schema(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    run(capsys, "schema")
    _code, out, _ = run(capsys, "schema")
    validator = jsonschema.Draft202012Validator(json.loads(out))
    for path in sorted((repo / "examples").glob("*.yaml")):
        errors = list(validator.iter_errors(json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_rulesets_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rulesets", "list")
    assert code == 0
    assert "source-articles" in out
    code, out, _ = run(capsys, "rulesets", "show", "source-articles")
    assert code == 0
    assert "min_block_relief_percent" in out
    assert "UNVERIFIED" in out


def test_a_user_ruleset_file_loads_like_a_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "assess",
        "examples/rfa-candidate.yaml",
        "--as-of",
        "2026-11-01",
        "-f",
        "json",
        "--ruleset",
        "examples/rulesets/clinic-medicare-rfa.toml",
    )
    report = json.loads(out)
    assert code == 0
    assert report["ruleset"]["id"] == "clinic-medicare-rfa"
    conflict = next(f for f in only(report)["flags"] if f["code"] == "coverage-conflict")
    assert "64625" in conflict["message"]
    assert [c["id"] for c in conflict["citations"]] == ["cms-sij-injection-lcd-2023"]


def test_demo_assesses_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    for name in ("fusion-candidate", "post-fusion", "second-block-negative"):
        assert name in out


def test_docs_check_fails_when_generated_docs_are_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules.md").write_text("stale\n")
    code, _, err = run(capsys, "docs", "generate", "--check", "--out", str(tmp_path))
    assert code == 1
    assert "rules.md" in err
    assert run(capsys, "docs", "generate", "--out", str(tmp_path))[0] == 0
    assert run(capsys, "docs", "generate", "--check", "--out", str(tmp_path))[0] == 0


def test_rulesets_check_validates_a_user_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "rulesets", "check", "examples/rulesets/clinic-medicare-rfa.toml")
    assert code == 0
    assert "valid rule set `clinic-medicare-rfa` 2026.1" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('[ruleset]\nid = "x"\nextends = "source-articles"\nbogus = 1\n')
    code, _, err = run(capsys, "rulesets", "check", str(bad))
    assert code == 2
    assert "ruleset.bogus: unknown key" in err


def test_compare_prints_the_divergence_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "compare",
        "examples/payer-smoker.yaml",
        "--as-of",
        "2026-11-01",
        "--rulesets",
        "cms-mis-fusion,commercial-strict",
        "-f",
        "json",
    )
    data = json.loads(out)
    assert code == 0
    assert [r["id"] for r in data["rulesets"]] == ["cms-mis-fusion", "commercial-strict"]
    (right,) = data["joints"]
    assert right["joint"] == "right"
    assert any("cotinine 150 ng/mL" in sentence for sentence in right["divergences"])


def test_gaps_list_what_would_settle_each_unmet_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "gaps",
        "examples/payer-smoker.yaml",
        "--for",
        "27279",
        "--as-of",
        "2026-11-01",
        "--rulesets",
        "commercial-strict,cms-mis-fusion",
        "-f",
        "json",
    )
    data = json.loads(out)
    assert code == 0
    by_id = {r["id"]: r for r in data["rulesets"]}
    assert [g["criterion"] for g in by_id["commercial-strict"]["gaps"]] == ["nicotine-free"]
    assert by_id["cms-mis-fusion"]["gaps"] == []
    assert by_id["cms-mis-fusion"]["coverage"] == "covered"


def test_gaps_reject_an_unknown_procedure_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "gaps", "examples/payer-smoker.yaml", "--for", "12345")
    assert code == 2
    assert "--for" in err


def test_letter_refuses_with_exit_4_and_lists_the_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "letter",
        "examples/payer-smoker.yaml",
        "--for",
        "27279",
        "-r",
        "commercial-strict",
        "--as-of",
        "2026-11-01",
    )
    assert code == 4
    assert out == ""
    assert "nicotine-free: not met" in err


def test_letter_writes_a_pdf_draft(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "letter.pdf"
    code, _, _ = run(
        capsys,
        "letter",
        "examples/payer-smoker.yaml",
        "--for",
        "27279",
        "-r",
        "commercial-strict",
        "--as-of",
        "2026-11-01",
        "--draft",
        "-f",
        "pdf",
        "-o",
        str(target),
    )
    assert code == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_a_pdf_letter_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "letter",
        "examples/payer-fusion-candidate.yaml",
        "--for",
        "27279",
        "-r",
        "commercial-strict",
        "--as-of",
        "2026-11-01",
        "-f",
        "pdf",
    )
    assert code == 2
    assert "--output" in err


def test_rulesets_list_keeps_every_id_whole_at_80_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")

    code, out, _ = run(capsys, "rulesets", "list")

    assert code == 0
    for ruleset_id in ("cms-sij-injection", "commercial-strict", "controlled-block", "source-articles"):
        assert ruleset_id in out


def test_gaps_text_is_rendered_for_the_terminal_and_markdown_is_kept_for_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("gaps", "examples/payer-smoker.yaml", "--for", "27279", "--as-of", "2026-11-01")

    _, text, _ = run(capsys, *args, "--rulesets", "commercial-strict")
    _, markdown, _ = run(capsys, *args, "--rulesets", "commercial-strict", "-f", "markdown")

    assert "Documentation gaps for CPT 27279" in text
    assert "# Documentation gaps" not in text
    assert "**" not in text
    assert markdown.startswith("# Documentation gaps for CPT 27279")
