"""The Spark engine gives the local engine's rows: the same checksum and results on the example patients (through
`sijpath screen --engine spark`) and on a synthetic cohort."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sijpath.cli import app
from sijpath.wiring.screening import screen_export, spark_screen_export, synthesize_export
from tests.screening.conftest import AS_OF, RULESETS, ExampleExport

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("pandas") is None,
        reason="pyspark and pandas (the [spark] extra) are not installed",
    ),
    # pyspark 4.3 warns that it does not yet fully support pandas 3; mapInPandas is declared without type hints.
    pytest.mark.filterwarnings("ignore:Cannot infer the eval type from type hints:UserWarning"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def test_spark_screen_from_the_command_line_gives_the_local_results(
    examples_export: ExampleExport, tmp_path: Path
) -> None:
    local = screen_export(examples_export.folder, tmp_path / "local", RULESETS, AS_OF, 1)
    rulesets = [a for r in RULESETS for a in ("-r", r)]
    args = ["screen", str(examples_export.folder), "-o", str(tmp_path / "spark"), *rulesets, "--as-of", str(AS_OF)]
    result = CliRunner().invoke(app, [*args, "--engine", "spark", "--spark-master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert f"checksum {local.checksum}" in result.stdout
    assert local.rows > 0
    for name in ("results.csv", "results.parquet", "worklist-fusion-candidates.csv", "checksum.txt"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_spark_local_2_gives_the_local_checksum_on_a_synthetic_cohort(repo: Path, tmp_path: Path) -> None:
    synthetic = tmp_path / "synthetic"
    synthesize_export(synthetic, 300, 11, repo / "examples")
    local = screen_export(synthetic, tmp_path / "local", RULESETS, AS_OF, 1)
    # Batches of 7 lines: most patients' lines span two batches, which must not split them.
    spark = spark_screen_export(synthetic, tmp_path / "spark", RULESETS, AS_OF, "local[2]", batch_rows=7)
    assert (spark.checksum, spark.rows, spark.assessed) == (local.checksum, local.rows, local.assessed)
    assert local.assessed > 20
    assert (tmp_path / "spark" / "results.csv").read_bytes() == (tmp_path / "local" / "results.csv").read_bytes()


def test_spark_names_the_bad_input_the_local_engine_names_and_a_rerun_reuses_the_finished_job(
    examples_export: ExampleExport, tmp_path: Path
) -> None:
    folder = examples_export.folder
    with (folder / "Procedure.ndjson").open("ab") as stream:  # a truncated line, a non-resource, a blank line
        stream.write(b'{"resourceType": "Procedure", "id": "cut"\n[1, 2]\n   \n')
    (folder / "Extra.ndjson").write_bytes(
        b'{"resourceType": "Widget", "id": "w1"}\n'
        b'{"resourceType": "Observation", "id": "nobody", "status": "final", "code": {"text": "x"}}\n'
        + b"not json\n"
        * 103
    )
    local = screen_export(folder, tmp_path / "local", RULESETS, AS_OF, 1)
    spark = spark_screen_export(folder, tmp_path / "spark", RULESETS, AS_OF, "local[2]")
    issues = (tmp_path / "local" / "issues.csv").read_text()
    assert "Procedure.ndjson line" in issues
    assert "unknown-resource-type" in issues
    assert "no-patient" in issues
    assert "3 more line(s)" in issues  # past the first 100 of Extra.ndjson
    assert (tmp_path / "spark" / "issues.csv").read_text() == issues
    assert (spark.checksum, spark.issues) == (local.checksum, local.issues)
    (tmp_path / "spark" / "results.csv").unlink()  # as if stopped while writing the outputs
    again = spark_screen_export(folder, tmp_path / "spark", RULESETS, AS_OF, "not-a-master-url")
    assert (again.resumed_chunks, again.checksum) == (1, local.checksum)  # no Spark session was needed
    assert (tmp_path / "spark" / "results.csv").read_bytes() == (tmp_path / "local" / "results.csv").read_bytes()
