"""Results kept for arguments asked before (month arithmetic, block relief, a code's value sets, a rule set's flags and
citations) are the results computing them afresh gives."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.domain.blocks import relief_percent
from sijpath.domain.timeline import add_months
from sijpath.engine.ruleset import AnyRule
from sijpath.evidence import value_sets as vs

SCORES = st.integers(0, 20).map(lambda half_points: half_points / 2)


@settings(max_examples=300)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)), st.integers(-1200, 1200))
def test_a_kept_month_sum_is_the_one_computed_afresh(day: dt.date, months: int) -> None:
    assert add_months(day, months) == add_months.__wrapped__(day, months)
    assert add_months(day, months) == add_months.__wrapped__(day, months)  # asked again: kept


@settings(max_examples=300)
@given(SCORES, SCORES)
def test_a_kept_block_relief_is_the_one_computed_afresh_and_a_bad_pair_still_raises(pre: float, post: float) -> None:
    try:
        expected = relief_percent.__wrapped__(pre, post)
    except ValueError as problem:
        for _ in range(2):
            with pytest.raises(ValueError, match=str(problem)):
                relief_percent(pre, post)
    else:
        assert relief_percent(pre, post) == expected
        assert relief_percent(pre, post) == expected


CODES = st.sampled_from(["M45", "M45.9", "A41.9", "M46.1", "C79.51", "O09.90", "M54.50", "Z3A.20", "S32.9", "M4"])


@settings(max_examples=200)
@given(st.lists(CODES | st.from_regex(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?", fullmatch=True), max_size=30))
def test_a_codes_kept_value_sets_are_the_ones_its_prefixes_give(codes: list[str]) -> None:
    value_sets = wiring.load_catalog().value_sets
    index = value_sets._index
    for code in codes:
        direct: tuple[int, ...] = ()
        for length in index.prefix_lengths:
            if length <= len(code):
                direct += index.icd10cm.get(code[:length], ())
        assert value_sets.matching_diagnosis(code, "icd10cm") == direct
        assert value_sets.matching_diagnosis(code, "icd10cm") == direct


def test_the_kept_codes_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vs, "_CODES_KEPT", 3)
    value_sets = vs.ValueSets(wiring.load_catalog().value_sets.values())
    for number in range(10):
        value_sets.matching_diagnosis(f"M45.{number}", "icd10cm")
        assert len(value_sets._index.by_code) <= 3
    assert value_sets.matching_diagnosis("M45.9", "icd10cm") == value_sets.matching_diagnosis("M45.9", "icd10cm")


def test_a_rule_sets_kept_flags_and_citations_are_the_ones_computed_afresh() -> None:
    for ruleset_id in sorted(wiring.builtin_ruleset_ids()):
        ruleset = wiring.load_ruleset(ruleset_id)
        for stages in ({"diagnosis"}, {"post-fusion"}, {"confirmation", "non-surgical-care"}):
            expected = tuple(f for f in ruleset.flags if f.stage in stages)
            assert ruleset.flags_at(frozenset(stages)) == expected
            assert ruleset.flags_at(frozenset(stages)) == expected
        rules: list[AnyRule] = [*ruleset.criteria, *ruleset.flags, *ruleset.decision_flags]
        for rule in rules:
            cited = list(rule.cites)
            for spec in (*getattr(rule, "reads", ()), *getattr(rule, "optional_reads", ())):
                if spec.name in ruleset.thresholds:
                    cited.extend(ruleset.thresholds[spec.name].cites)
            assert ruleset.cites_for(rule) == tuple(dict.fromkeys(cited))
            assert ruleset.cites_for(rule) == tuple(dict.fromkeys(cited))
