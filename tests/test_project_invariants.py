"""Meta-tests that keep the project honest: sources, golden coverage, purity of the core, generated docs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.cli import main
from sijpath.domain.steroids import MPDE_SOURCES
from sijpath.pathway.definition import SIJ_PATHWAY
from sijpath.pathway.thresholds import ALL_THRESHOLDS, THRESHOLD_UNITS
from tests.golden.scenarios import load_scenarios

PACKAGE = Path(__file__).resolve().parent.parent / "sijpath"
CORE = ("domain", "evidence", "engine", "pathway", "rulesets")
SHIPPED = [wiring.load_ruleset(i) for i in wiring.builtin_ruleset_ids()]
# The example rule sets a clinic starts from: a rule no built-in rule set's sources state (lateral branch blocks
# before RFA) is enabled only here, and is held to the same golden coverage.
EXAMPLE_RULESETS = [
    wiring.load_ruleset(str(p)) for p in sorted((PACKAGE.parent / "examples" / "rulesets").glob("*.toml"))
]
RULES = [*SIJ_PATHWAY.criteria, *SIJ_PATHWAY.flags]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_cites_known_sources(rule) -> None:
    catalog = wiring.load_catalog()
    assert rule.cites, f"{rule.id} cites no source"
    for source_id in rule.cites:
        assert source_id in catalog, f"{rule.id} cites unknown source {source_id}"


def test_steroid_equivalences_cite_catalogued_sources() -> None:
    catalog = wiring.load_catalog()
    assert set(MPDE_SOURCES.values()) <= set(catalog)


def _joint_expectations() -> list[tuple[str, dict[str, object]]]:
    """(scenario name, one joint's expectations) for every joint of every golden scenario."""
    found = []
    for scenario in load_scenarios():
        joints = scenario.joint_expectations()
        found += [(scenario.name, e) for e in (joints.values() if joints is not None else [scenario.expect])]
    return found


def test_every_shipped_criterion_has_golden_cases_where_it_is_met_and_where_it_is_not() -> None:
    # "Not" is not-met, or unknown for a criterion whose only failure is missing or stale evidence (imaging recency).
    declared: dict[str, set[str]] = {}
    for _, expect in _joint_expectations():
        for criterion_id, status in expect.get("criteria", {}).items():  # type: ignore[attr-defined]
            declared.setdefault(criterion_id, set()).add(status)
    for ruleset in (*SHIPPED, *EXAMPLE_RULESETS):
        for rule in ruleset.criteria:
            statuses = declared.get(rule.id, set())
            assert "met" in statuses, f"{rule.id}: golden statuses {statuses}"
            assert statuses & {"not-met", "unknown"}, f"{rule.id}: golden statuses {statuses}"


def test_every_shipped_flag_has_golden_cases_where_it_fires_and_where_it_does_not() -> None:
    joints = _joint_expectations()
    for ruleset in SHIPPED:
        for flag in (*ruleset.flags, *ruleset.decision_flags):
            fired = [name for name, e in joints if flag.code in e["flags"]]  # type: ignore[operator]
            quiet = [name for name, e in joints if flag.code not in e["flags"]]  # type: ignore[operator]
            assert fired, f"{flag.code} fires in no golden scenario"
            assert quiet, f"{flag.code} fires in every golden scenario"


def test_every_pathway_rule_is_enabled_by_some_shipped_or_example_rule_set() -> None:
    enabled = {r.id for rs in (*SHIPPED, *EXAMPLE_RULESETS) for r in (*rs.criteria, *rs.flags)}
    assert enabled == {r.id for r in RULES}


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("criterion", SIJ_PATHWAY.criteria, ids=lambda r: r.id)
def test_every_criterion_declares_what_it_gates_and_what_settles_it(criterion) -> None:  # type: ignore[no-untyped-def]
    assert criterion.remedy.strip(), f"{criterion.id} has no remedy"
    if criterion.role == "required":
        assert criterion.required_for, f"{criterion.id} is required but gates nothing"
    else:
        assert not criterion.required_for, f"a {criterion.role} criterion gates nothing: {criterion.id}"
    for gate in criterion.required_for:
        assert gate.step in SIJ_PATHWAY.steps, (criterion.id, gate.step)
        assert gate.step.procedure is not None, f"{criterion.id} gates {gate.step.code}, which is no procedure"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_a_shared_rule_uses_only_shared_rules(rule) -> None:  # type: ignore[no-untyped-def]
    # A shared rule is computed once for both joints: it may not lean on one joint's outcome.
    if rule.shared:
        assert all(used.shared for used in rule.uses), rule.id


def test_the_engine_imports_nothing_si_joint_specific() -> None:
    allowed = {"sijpath.engine", "sijpath.errors", "sijpath.evidence", "sijpath.domain.issues"}
    for path in (PACKAGE / "engine").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sijpath"):
                assert any(node.module == a or node.module.startswith(a + ".") for a in allowed), (
                    f"{path.name} imports {node.module}"
                )


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
            if any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
                # Lazy exports: named for type checkers under `if TYPE_CHECKING:`, resolved by `__getattr__`.
                imported |= {
                    a.asname or a.name
                    for n in tree.body
                    if isinstance(n, ast.If) and getattr(n.test, "id", None) == "TYPE_CHECKING"
                    for i in n.body
                    if isinstance(i, ast.ImportFrom)
                    for a in i.names
                }
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


def test_every_threshold_name_ends_in_its_unit_and_is_declared_once() -> None:
    names = [spec.name for spec in ALL_THRESHOLDS]
    assert len(names) == len(set(names))
    for name in names:
        assert name.endswith(THRESHOLD_UNITS), f"{name} does not end in a unit"
