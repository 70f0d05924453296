"""The Spark engine gives the local engine's rows: the same checksum on the example patients and a synthetic cohort."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sijpath.wiring.screening import screen_export, spark_screen_export, synthesize_export
from tests.screening.conftest import AS_OF, RULESETS, ExampleExport

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("pandas") is None,
        reason="pyspark and pandas (the [spark] extra) are not installed",
    ),
    # pyspark 4.3 warns that it does not yet fully support pandas 3; applyInPandas is declared without type hints.
    pytest.mark.filterwarnings("ignore:Cannot infer the eval type from type hints:UserWarning"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def test_spark_local_2_and_the_local_engine_give_the_same_checksum(
    examples_export: ExampleExport, repo: Path, tmp_path: Path
) -> None:
    synthetic = tmp_path / "synthetic"
    synthesize_export(synthetic, 300, 11, repo / "examples")
    for name, folder in (("examples", examples_export.folder), ("synthetic", synthetic)):
        local = screen_export(folder, tmp_path / f"{name}-local", RULESETS, AS_OF, 1)
        # Batches of 7 lines: most patients' lines span two batches, which must not split them.
        spark = spark_screen_export(folder, tmp_path / f"{name}-spark", RULESETS, AS_OF, "local[2]", batch_rows=7)
        assert (spark.checksum, spark.rows, spark.assessed) == (local.checksum, local.rows, local.assessed), name
        assert local.rows > 0
        local_csv = (tmp_path / f"{name}-local" / "results.csv").read_bytes()
        assert (tmp_path / f"{name}-spark" / "results.csv").read_bytes() == local_csv
