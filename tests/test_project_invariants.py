"""Meta-tests that keep the project honest: sources, golden coverage, purity of the core, generated docs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.cli import main
from sijpath.domain.steroids import MPDE_SOURCES
from sijpath.rules import registry
from tests.golden.scenarios import load_scenarios

PACKAGE = Path(__file__).resolve().parent.parent / "sijpath"
CORE = ("domain", "evidence", "engine", "rules")
SHIPPED = [wiring.load_ruleset(i) for i in wiring.builtin_ruleset_ids()]


@pytest.mark.parametrize("rule", [*registry.CRITERIA, *registry.FLAGS], ids=lambda r: r.id)
def test_every_rule_cites_known_sources(rule) -> None:
    catalog = wiring.load_catalog()
    assert rule.cites, f"{rule.id} cites no source"
    for source_id in rule.cites:
        assert source_id in catalog, f"{rule.id} cites unknown source {source_id}"


def test_steroid_equivalences_cite_catalogued_sources() -> None:
    catalog = wiring.load_catalog()
    assert set(MPDE_SOURCES.values()) <= set(catalog)


def test_every_shipped_criterion_has_golden_cases_where_it_is_met_and_not_met() -> None:
    declared: dict[str, set[str]] = {}
    for scenario in load_scenarios():
        for criterion_id, status in scenario.expect.get("criteria", {}).items():
            declared.setdefault(criterion_id, set()).add(status)
    for ruleset in SHIPPED:
        for rule in ruleset.criteria:
            assert {"met", "not-met"} <= declared.get(rule.id, set()), (
                f"{rule.id}: golden statuses {declared.get(rule.id)}"
            )


def test_every_shipped_flag_has_golden_cases_where_it_fires_and_where_it_does_not() -> None:
    scenarios = load_scenarios()
    for ruleset in SHIPPED:
        for flag in ruleset.flags:
            fired = [s.name for s in scenarios if flag.code in s.expect["flags"]]
            quiet = [s.name for s in scenarios if flag.code not in s.expect["flags"]]
            assert fired, f"{flag.code} fires in no golden scenario"
            assert quiet, f"{flag.code} fires in every golden scenario"


def test_every_registered_rule_is_enabled_by_some_shipped_rule_set() -> None:
    enabled = {r.id for rs in SHIPPED for r in (*rs.criteria, *rs.flags)}
    assert enabled == {r.id for r in (*registry.CRITERIA, *registry.FLAGS)}


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in (*registry.CRITERIA, *registry.FLAGS)]
    assert len(ids) == len(set(ids))


def _core_modules() -> list[Path]:
    return [p for layer in CORE for p in (PACKAGE / layer).rglob("*.py")]


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_clinical_core_never_reads_the_clock_or_the_environment(path: Path) -> None:
    text = path.read_text()
    for pattern in (
        r"\.today\(",
        r"\.now\(",
        r"\butcnow\(",
        r"\bos\.environ",
        r"\bgetenv\(",
        r"\bopen\(",
        r"\brandom\b",
        r"\btime\.time\(",
    ):
        assert not re.search(pattern, text), f"{path.name} matches {pattern}"


def _package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_has_a_docstring_and_a_complete_all(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path} has no module docstring"
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            # Ordering is ruff's job (RUF022); here: every exported name exists.
            names = [elt.value for elt in node.value.elts]  # type: ignore[attr-defined]
            imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
            defined = (
                imported
                | {getattr(n, "name", None) for n in tree.body}
                | {
                    t.id
                    for n in tree.body
                    if isinstance(n, ast.Assign | ast.AnnAssign)
                    for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                    if isinstance(t, ast.Name)
                }
            )
            assert set(names) <= defined, f"{path}: __all__ names undefined {set(names) - defined}"


@pytest.mark.parametrize("path", _package_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_readable_in_size(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 320, f"{path} is over the ~300-line budget"


def test_generated_docs_are_fresh(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "generate", "--check", "--out", str(repo / "docs")]) == 0, capsys.readouterr().err


def test_every_threshold_name_ends_in_its_unit() -> None:
    from sijpath.rules.thresholds import THRESHOLD_UNITS, Thresholds

    for name in Thresholds.model_fields:
        assert name.endswith(THRESHOLD_UNITS), f"{name} does not end in a unit"
