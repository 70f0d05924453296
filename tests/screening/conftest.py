"""The example patients as a Bulk Data export (one NDJSON file per resource type) and as one Bundle file each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from sijpath import wiring
from sijpath.fhir.writer import episode_bundle
from sijpath.screening.export import bundle_resources, write_export

AS_OF = dt.date(2026, 11, 1)
RULESETS = ("source-articles", "cms-mis-fusion")


@dataclass(frozen=True)
class ExampleExport:
    folder: Path
    bundles: dict[str, Path]  # patient id -> Bundle file


def write_examples(repo: Path, root: Path, parts: int = 1) -> ExampleExport:
    root.mkdir(parents=True, exist_ok=True)
    resources = []
    bundles = {}
    for path in sorted((repo / "examples").glob("*.yaml")):
        episode = wiring.load_episode(path)
        bundle = episode_bundle(episode)
        resources += bundle_resources(bundle)
        bundles[episode.patient.id] = root / f"{path.stem}.json"
        bundles[episode.patient.id].write_bytes(orjson.dumps(bundle))
    write_export(root / "export", resources, parts)
    return ExampleExport(root / "export", bundles)


@pytest.fixture
def examples_export(repo: Path, tmp_path: Path) -> ExampleExport:
    return write_examples(repo, tmp_path)
