"""`sijpath outcomes report | due | synthetic` over a SQLite data folder, through the command line's own entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sijpath.outcomes.rendering import SYNTHETIC_BANNER
from tests.cli.running import run

AS_OF = "2026-11-01"


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SIJPATH_DATA_DIR", "SIJPATH_DATABASE_URL", "SIJPATH_RULESET"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def data_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    """A data folder with an upgraded database and a synthetic cohort of 60 patients (seed 4)."""
    assert run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))[0] == 0
    code, out, err = run(
        capsys,
        "outcomes",
        "synthetic",
        "--patients",
        "60",
        "--seed",
        "4",
        "--as-of",
        AS_OF,
        "--data-dir",
        str(tmp_path),
    )
    assert code == 0, err
    assert "SYNTHETIC outcome entries for 60 synthetic patients (seed 4)" in out
    return tmp_path


def test_report_in_markdown_is_labelled_synthetic_and_covers_both_procedures(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, _ = run(capsys, "outcomes", "report", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert code == 0
    assert out.startswith("# Outcomes cohort report")
    assert SYNTHETIC_BANNER in out
    assert "## fusion" in out
    assert "## rfa" in out
    assert "published results (a different population)" in out


def test_report_is_the_same_bytes_on_a_second_run(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    first = run(capsys, "outcomes", "report", "--as-of", AS_OF, "--data-dir", str(data_dir))
    second = run(capsys, "outcomes", "report", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert first == second


def test_report_as_csv_and_html(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "outcomes", "report", "-f", "csv", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("origin,synthetic,procedure,time_point,measure,n,value,low,high")
    assert any(line.startswith("local,yes,fusion,12m,odi-change,") for line in lines)
    code, out, _ = run(capsys, "outcomes", "report", "-f", "html", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert code == 0
    assert out.startswith('<section class="outcomes-report">')
    assert 'class="synthetic"' in out


def test_report_filters_by_procedure_and_says_which_filters_apply(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, _ = run(
        capsys, "outcomes", "report", "--procedure", "rfa", "--from", "2024-01-01", "--as-of", AS_OF,
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code == 0
    assert "## rfa" in out
    assert "## fusion" not in out
    assert "filters: from 2024-01-01, procedure rfa." in out


def test_report_filter_that_matches_nothing_says_so(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "outcomes", "report", "--payer", "nobody", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert code == 0
    assert "No index procedures match." in out


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("--procedure", "fusoin"), "--procedure"),
        (("--from", "2024-13-01"), "--from"),
        (("--to", "yesterday"), "--to"),
        (("--as-of", "2026-02-30"), "--as-of"),
    ],
)
def test_report_refuses_a_bad_option_naming_it(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: tuple[str, str], hint: str
) -> None:
    code, out, err = run(capsys, "outcomes", "report", *args, "--data-dir", str(data_dir))
    assert code == 2
    assert hint in err
    assert args[1] in err
    assert "Traceback" not in out + err


def test_due_lists_open_windows_closing_soonest_first(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "outcomes", "due", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert code == 0
    assert f"follow-ups due or overdue on {AS_OF}" in out
    assert "SYN-" in out


def test_due_on_an_empty_registry_lists_none(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))[0] == 0
    code, out, _ = run(capsys, "outcomes", "due", "--as-of", AS_OF, "--data-dir", str(tmp_path))
    assert code == 0
    assert f"0 follow-ups due or overdue on {AS_OF}" in out


def test_synthetic_twice_with_the_same_seed_is_refused_and_stores_nothing_more(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    before = run(capsys, "outcomes", "report", "-f", "csv", "--as-of", AS_OF, "--data-dir", str(data_dir))
    code, _out, err = run(
        capsys,
        "outcomes",
        "synthetic",
        "--patients",
        "60",
        "--seed",
        "4",
        "--as-of",
        AS_OF,
        "--data-dir",
        str(data_dir),
    )
    assert code == 1
    assert "already in the registry" in err
    assert "internal error" not in err
    after = run(capsys, "outcomes", "report", "-f", "csv", "--as-of", AS_OF, "--data-dir", str(data_dir))
    assert before == after


def test_synthetic_before_the_cohorts_first_day_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))[0] == 0
    code, _, err = run(capsys, "outcomes", "synthetic", "--as-of", "2022-06-01", "--data-dir", str(tmp_path))
    assert code == 2
    assert "--as-of" in err
    assert "internal error" not in err


def test_report_on_a_database_not_yet_upgraded_says_what_to_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "outcomes", "report", "--as-of", AS_OF, "--data-dir", str(tmp_path))
    assert code != 0
    assert "internal error" not in err
    assert "sijpath db upgrade" in err


def test_a_patients_fhir_export_imports_into_another_data_folder(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "outcomes.json"
    code, _, err = run(
        capsys, "outcomes", "export-fhir", "--patient", "SYN-000000", "-o", str(bundle), "--data-dir", str(data_dir)
    )
    assert code == 0, err
    other = tmp_path / "other"
    assert run(capsys, "db", "upgrade", "--data-dir", str(other))[0] == 0
    code, out, err = run(capsys, "outcomes", "import-fhir", str(bundle), "--data-dir", str(other))
    assert code == 0, err
    assert "(1 new index procedures)" in out


def test_importing_an_out_of_range_score_exits_2_and_names_it(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "outcomes.json"
    run(capsys, "outcomes", "export-fhir", "--patient", "SYN-000000", "-o", str(bundle), "--data-dir", str(data_dir))
    document = json.loads(bundle.read_text())
    pain = next(e["resource"] for e in document["entry"] if "nrs-back-pain" in json.dumps(e["resource"]))
    pain["valueQuantity"]["value"] = 14
    bundle.write_text(json.dumps(document))
    other = tmp_path / "other"
    assert run(capsys, "db", "upgrade", "--data-dir", str(other))[0] == 0
    code, _, err = run(capsys, "outcomes", "import-fhir", str(bundle), "--data-dir", str(other))
    assert code == 2
    assert "nothing was imported" in err
    assert "nrs_back" in err


def test_export_writes_the_registry_as_parquet_and_csv_with_the_same_rows(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "registry.parquet"
    code, _, err = run(capsys, "outcomes", "export", "-f", "parquet", "-o", str(target), "--data-dir", str(data_dir))
    assert code == 0, err
    table = pq.read_table(target)
    assert f"wrote {table.num_rows} rows" in err
    code, out, _ = run(capsys, "outcomes", "export", "-f", "csv", "--data-dir", str(data_dir))
    assert code == 0
    assert len(out.splitlines()) == table.num_rows + 1  # the header, then the same rows
    assert all(table.column("synthetic").to_pylist())


def test_export_as_parquet_to_the_terminal_is_refused_naming_the_option(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, _, err = run(capsys, "outcomes", "export", "-f", "parquet", "--data-dir", str(data_dir))
    assert code == 2
    assert "--out" in err


EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "fusion-candidate.yaml")


def test_the_command_line_aid_adds_the_clinics_results_only_when_asked(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    from sijpath.decisionaid.local import LOCAL_HEADING, SYNTHETIC_WORDS

    base = ("decision-aid", EXAMPLE, "--ruleset", "source-articles", "--as-of", AS_OF, "--joint", "left")
    code, plain, _ = run(capsys, *base)
    assert code == 0
    assert LOCAL_HEADING not in plain
    code, out, err = run(capsys, *base, "--local-results", "--data-dir", str(data_dir))
    assert code == 0, err
    assert LOCAL_HEADING in out
    assert SYNTHETIC_WORDS in out
    assert out.index("Results at this clinic") > out.index("INSITE")  # after the cited study numbers
    code, _, err = run(capsys, *base, "--data-dir", str(data_dir))
    assert code == 2
    assert "--local-results" in err


def test_report_and_export_filter_by_the_rule_set_in_force_at_the_decision(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    import csv
    import io

    code, out, _ = run(
        capsys, "outcomes", "report", "--ruleset", "commercial-strict", "--as-of", AS_OF, "--data-dir", str(data_dir)
    )
    assert code == 0
    assert "rule set commercial-strict" in out
    code, out, _ = run(
        capsys, "outcomes", "export", "-f", "csv", "--ruleset", "commercial-strict", "--data-dir", str(data_dir)
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert {(r["ruleset_id"], r["payer"]) for r in rows} == {("commercial-strict", "synthetic-payer-b")}
    code, out, _ = run(
        capsys,
        "outcomes",
        "export",
        "-f",
        "csv",
        "--from",
        "2026-01-01",
        "--payer",
        "nobody",
        "--data-dir",
        str(data_dir),
    )
    assert code == 0
    assert out.count("\n") == 1  # the header only
