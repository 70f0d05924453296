"""The synthetic export: the same seed gives the same bytes; SI-joint trajectories, bilateral patients, noise and
data problems all appear; every patient's resources refer to that patient only."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson

from sijpath.wiring.screening import synthesize_export


def _export(repo: Path, out: Path, seed: int, patients: int = 400) -> dict[str, bytes]:
    files = synthesize_export(out, patients, seed, repo / "examples")
    return {p.name: p.read_bytes() for p in files}


def test_the_same_seed_gives_the_same_export_and_another_seed_another(repo: Path, tmp_path: Path) -> None:
    first = _export(repo, tmp_path / "a", 3)
    assert first == _export(repo, tmp_path / "b", 3)
    assert first != _export(repo, tmp_path / "c", 4)


def test_the_export_holds_trajectories_bilateral_patients_and_noise(repo: Path, tmp_path: Path) -> None:
    files = _export(repo, tmp_path / "a", 5, patients=1000)
    resources = [orjson.loads(line) for data in files.values() for line in data.splitlines()]
    patients = {r["id"] for r in resources if r["resourceType"] == "Patient"}
    trajectories = {p for p in patients if "-" in p}
    assert 0.10 < len(trajectories) / len(patients) < 0.20  # SI_JOINT_SHARE 0.15
    assert any(p.endswith("-block-with-steroid") for p in trajectories)  # the bilateral example
    assert any(p.endswith("-side-not-recorded") for p in trajectories)
    assert {"Encounter", "Observation", "MedicationRequest"} <= {r["resourceType"] for r in resources}
    referenced = Counter(
        r[e]["reference"] for r in resources for e in ("subject", "patient") if isinstance(r.get(e), dict)
    )
    assert set(referenced) >= {f"Patient/{p}" for p in patients}
    assert len(set(referenced) - {f"Patient/{p}" for p in patients}) >= 1  # a patient missing from the export
