"""docs/architecture.md stays true to the code: its layer diagram is the import-linter contract, and it describes
every package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text()


def _contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    [layered] = [c for c in contracts if c["type"] == "layers"]
    return [re.sub(r"\s+", " ", layer).strip() for layer in layered["layers"]]


def test_the_layer_diagram_is_the_import_linter_contract() -> None:
    block = DOC.split("```text", 1)[1].split("```", 1)[0]
    drawn = [line.strip() for line in block.splitlines() if line.strip() and line.strip() != "│"]
    assert drawn == _contract_layers()


def test_every_package_of_sijpath_has_a_row_in_the_package_table() -> None:
    packages = sorted(p.name for p in (ROOT / "sijpath").iterdir() if p.is_dir() and (p / "__init__.py").exists())
    modules = sorted(p.stem for p in (ROOT / "sijpath").glob("*.py") if p.stem not in ("__init__", "__main__"))
    described = set(re.findall(r"^\| `sijpath\.(\w+)` \|", DOC, re.M))
    assert [name for name in packages + modules if name not in described] == []
