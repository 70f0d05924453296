"""`sijpath screen --engine spark` against a real standalone Spark cluster (a master and a worker on loopback)
gives the local engine's checksum and files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sijpath.cli import app
from sijpath.wiring.screening import screen_export, synthesize_export
from tests.screening.conftest import AS_OF, RULESETS
from tests.screening.spark_cluster import LOOPBACK, standalone_cluster, unavailable

pytestmark = [
    pytest.mark.skipif(unavailable() is not None, reason=str(unavailable())),
    pytest.mark.filterwarnings("ignore:Cannot infer the eval type from type hints:UserWarning"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def test_a_screen_on_a_standalone_cluster_gives_the_local_checksum_and_files(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synthetic = tmp_path / "synthetic"
    synthesize_export(synthetic, 120, 5, repo / "examples")
    local = screen_export(synthetic, tmp_path / "local", RULESETS, AS_OF, 1)
    monkeypatch.setenv("SPARK_LOCAL_IP", LOOPBACK)  # the driver, where the executors reach it
    rulesets = [a for r in RULESETS for a in ("-r", r)]
    args = ["screen", str(synthetic), "-o", str(tmp_path / "spark"), *rulesets, "--as-of", str(AS_OF), "--quiet"]
    with standalone_cluster(cores=2) as master:
        assert master.startswith(f"spark://{LOOPBACK}:")
        result = CliRunner().invoke(app, [*args, "--engine", "spark", "--spark-master", master])
    assert result.exit_code == 0, result.output
    assert f"checksum {local.checksum}" in result.stdout
    assert local.assessed > 5
    for name in ("results.csv", "results.parquet", "issues.csv", "checksum.txt"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
