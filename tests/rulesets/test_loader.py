"""Rule-set files: a valid file loads; every kind of mistake is reported with the key it concerns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.errors import RuleSetValidationError
from sijpath.rulesets.loader import parse_ruleset

SOURCE = (Path(__file__).resolve().parents[2] / "sijpath" / "rulesets" / "source-articles.toml").read_text()


def problems_of(text: str) -> list[str]:
    """The problems, without their `line N: ` prefix (tested on its own below)."""
    with pytest.raises(RuleSetValidationError) as info:
        parse_ruleset(text, "test.toml", wiring.load_catalog())
    return [re.sub(r"^line \d+: ", "", str(p)) for p in info.value.problems]


def test_problems_name_the_line_of_the_offending_key() -> None:
    text = SOURCE.replace('cites = ["odi-scoring-bands"]', 'cites = ["fairbank-1980"]')
    with pytest.raises(RuleSetValidationError) as info:
        parse_ruleset(text, "test.toml", wiring.load_catalog())
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("min_impairment_odi_percent"))
    assert [p.location for p in info.value.problems] == [f"line {line}: thresholds.min_impairment_odi_percent"]


def test_the_builtin_source_articles_file_loads_with_every_rule() -> None:
    ruleset = parse_ruleset(SOURCE, "source-articles.toml", wiring.load_catalog())
    assert ruleset.id == "source-articles"
    assert ruleset.thresholds["min_block_relief_percent"].value == 75
    assert len(ruleset.criteria) == 19


def test_unknown_threshold_is_rejected_with_a_units_hint() -> None:
    text = SOURCE.replace("[thresholds]\n", '[thresholds]\nmin_block_relief = { value = 75, cites = ["isass-2015"] }\n')
    (problem,) = problems_of(text)
    assert problem.startswith("thresholds.min_block_relief: unknown threshold")
    assert "_percent" in problem


def test_unknown_rule_id_is_rejected() -> None:
    text = SOURCE.replace('"functional-impairment",', '"functional-impairement",')
    assert problems_of(text) == ["ruleset.criteria[10]: unknown criterion rule `functional-impairement`"]


def test_unknown_source_is_rejected_where_it_is_cited() -> None:
    text = SOURCE.replace('cites = ["odi-scoring-bands"]', 'cites = ["fairbank-1980"]')
    assert problems_of(text) == ["thresholds.min_impairment_odi_percent: cites unknown source `fairbank-1980`"]


def test_threshold_without_a_source_is_rejected() -> None:
    text = SOURCE.replace('cites = ["odi-scoring-bands"]', "cites = []")
    assert any(p.startswith("thresholds.min_impairment_odi_percent.cites") for p in problems_of(text))


def test_missing_threshold_names_the_rule_that_needs_it() -> None:
    text = re.sub(r"^min_impairment_odi_percent = .*\n", "", SOURCE, flags=re.M)
    assert problems_of(text) == [
        "thresholds.min_impairment_odi_percent: missing (needed by rule `functional-impairment`)"
    ]


def test_out_of_range_threshold_value_is_rejected() -> None:
    text = SOURCE.replace("min_block_relief_percent = { value = 75,", "min_block_relief_percent = { value = 750,")
    assert problems_of(text) == ["thresholds.min_block_relief_percent.value: Input should be less than or equal to 100"]


def test_unknown_keys_and_tables_are_rejected() -> None:
    text = SOURCE.replace('version = "1.0.0"', 'version = "1.0.0"\nauthor = "me"') + "\n[extras]\nx = 1\n"
    assert set(problems_of(text)) == {
        "extras: unknown top-level table (expected [ruleset], [thresholds], [coverage])",
        "ruleset.author: unknown key",
    }


def test_pathway_rules_cannot_be_disabled() -> None:
    text = SOURCE.replace('    "repeat-block-fails-to-confirm",\n', "")
    assert problems_of(text) == [
        "ruleset.criteria: must enable `repeat-block-fails-to-confirm` (the pathway depends on it)"
    ]


def test_coverage_needs_a_procedure_code_and_a_known_status() -> None:
    text = SOURCE.replace(
        "[coverage]",
        '[coverage]\n"fusion" = { status = "covered", cites = ["cms-l39797"] }\n'
        '"64625" = { status = "maybe", cites = ["cms-l39797"] }',
    )
    problems = problems_of(text)
    assert "coverage.fusion: not a CPT or HCPCS code" in problems
    assert any(p.startswith("coverage.64625.status") for p in problems)


def test_effective_to_before_effective_from_is_rejected() -> None:
    text = SOURCE.replace("effective_from = 2015-01-01", "effective_from = 2015-01-01\neffective_to = 2014-01-01")
    assert problems_of(text) == ["ruleset.effective_to: is before effective_from"]


def test_malformed_toml_is_reported_with_its_position() -> None:
    with pytest.raises(RuleSetValidationError, match=r"not valid TOML .*line"):
        parse_ruleset("[ruleset\n", "broken.toml", wiring.load_catalog())


CLINIC = """
[ruleset]
id = "my-clinic"
extends = "source-articles"
title = "My clinic"
version = "1"
issuer = "My clinic"
effective_from = 2026-01-01
sources = ["aspn-2024"]

[thresholds]
min_block_relief_percent = { value = 80, cites = ["aspn-2024"] }

[coverage]
"64625" = { status = "investigational", cites = ["cms-sij-injection-lcd-2023"] }
"""


def load_with_builtins(text: str):  # type: ignore[no-untyped-def]
    from sijpath.wiring import _parent

    return parse_ruleset(text, "clinic.toml", wiring.load_catalog(), _parent)


def test_a_rule_set_that_extends_another_inherits_its_rules_and_overrides_what_it_states() -> None:
    clinic = load_with_builtins(CLINIC)
    base = wiring.load_ruleset("source-articles")
    assert clinic.id == "my-clinic"
    assert [r.id for r in clinic.criteria] == [r.id for r in base.criteria]
    assert clinic.thresholds["min_block_relief_percent"].value == 80
    assert clinic.thresholds["min_conservative_care_months"] == base.thresholds["min_conservative_care_months"]
    assert clinic.coverage["64625"].status == "investigational"
    assert clinic.sources == ("seed-injections-dont-work", "seed-injections-not-enough", "aspn-2024")


def test_extending_an_unknown_rule_set_is_reported_at_the_extends_key() -> None:
    with pytest.raises(RuleSetValidationError) as info:
        load_with_builtins(CLINIC.replace('extends = "source-articles"', 'extends = "nowhere"'))
    assert "line 4: ruleset.extends: no rule set `nowhere` in force on 2026-01-01" in [
        str(p) for p in info.value.problems
    ]


def test_extending_a_rule_set_before_it_took_effect_is_an_error() -> None:
    with pytest.raises(RuleSetValidationError, match="in force on 2010-01-01"):
        load_with_builtins(CLINIC.replace("effective_from = 2026-01-01", "effective_from = 2010-01-01"))


def test_extends_without_a_lookup_is_reported() -> None:
    with pytest.raises(RuleSetValidationError, match="cannot extend `source-articles` here"):
        parse_ruleset(CLINIC, "clinic.toml", wiring.load_catalog())


def test_an_extended_rule_set_is_still_fully_validated() -> None:
    problems = problems_of_extended(
        CLINIC.replace("min_block_relief_percent = { value = 80,", "min_block_relief_pct = { value = 80,")
    )
    assert any(p.startswith("thresholds.min_block_relief_pct: unknown threshold") for p in problems)


def problems_of_extended(text: str) -> list[str]:
    with pytest.raises(RuleSetValidationError) as info:
        load_with_builtins(text)
    return [re.sub(r"^line \d+: ", "", str(p)) for p in info.value.problems]


def test_no_version_in_force_names_the_versions_that_exist() -> None:
    import datetime as dt

    from sijpath.errors import UnknownRuleSetError

    with pytest.raises(UnknownRuleSetError, match=r"no version of `source-articles` is in force on 2010-06-01"):
        wiring.load_ruleset("source-articles", dt.date(2010, 6, 1))


def test_a_threshold_no_enabled_rule_reads_is_an_error_not_silently_ignored() -> None:
    text = SOURCE.replace('    "functional-impairment",\n', "")
    assert problems_of(text) == [
        f"thresholds.{name}: no enabled rule reads this threshold (enable a rule that uses it, or remove it)"
        for name in ("min_impairment_odi_percent", "impairment_documentation_kinds")
    ]


def test_a_child_states_its_own_identity_and_does_not_inherit_it() -> None:
    text = CLINIC.replace('id = "my-clinic"\n', "").replace('version = "1"\n', "")
    problems = problems_of_extended(text)
    assert "ruleset.id: Field required" in problems
    assert "ruleset.version: Field required" in problems


def test_the_parent_is_the_version_in_force_on_the_childs_effective_date() -> None:
    child = CLINIC.replace('extends = "source-articles"', 'extends = "cms-mis-fusion"')
    on_the_day = load_with_builtins(child.replace("effective_from = 2026-01-01", "effective_from = 2025-04-17"))
    assert on_the_day.coverage["27278"].status == "not-covered"  # the 2025 version took effect that day
    day_before = load_with_builtins(child.replace("effective_from = 2026-01-01", "effective_from = 2025-04-16"))
    assert "27278" not in day_before.coverage  # the 2016 version was still in force


def test_a_quoted_effective_date_finds_the_same_parent() -> None:
    quoted = CLINIC.replace("effective_from = 2026-01-01", 'effective_from = "2026-01-01"')
    assert load_with_builtins(quoted).thresholds["min_block_relief_percent"].value == 80


def test_a_user_file_not_in_force_on_the_as_of_date_is_refused(tmp_path: Path) -> None:
    import datetime as dt

    from sijpath.errors import UnknownRuleSetError

    path = tmp_path / "clinic.toml"
    path.write_text(CLINIC)
    assert wiring.load_ruleset(str(path), dt.date(2026, 6, 1)).id == "my-clinic"
    with pytest.raises(UnknownRuleSetError, match="is in force 2026-01-01"):
        wiring.load_ruleset(str(path), dt.date(2025, 6, 1))
