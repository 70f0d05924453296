"""EQ-5D-5L: health states from five answers, the index from a value set loaded as TOML, and refused input."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sijpath.errors import InputError, Problem
from sijpath.outcomes.eq5d import EQ5D_DIMENSIONS, Eq5dValueSet, eq5d_index, health_state, parse_value_set
from tests.outcomes.conftest import INVENTED_VALUE_SET


@pytest.fixture
def value_set() -> Eq5dValueSet:
    return parse_value_set(INVENTED_VALUE_SET, "invented.toml")


def _state(answers: Sequence[object]) -> str:
    result = health_state(answers)  # type: ignore[arg-type]
    assert isinstance(result, str), result
    return result


def _problems(answers: Sequence[object]) -> list[Problem]:
    result = health_state(answers)  # type: ignore[arg-type]
    assert isinstance(result, list), result
    return result


def test_five_answers_make_a_health_state_in_dimension_order() -> None:
    assert _state([2, 1, 1, 4, 3]) == "21143"


def test_full_health_scores_one_without_the_constant(value_set: Eq5dValueSet) -> None:
    assert eq5d_index("11111", value_set) == 1.0


def test_index_is_one_minus_constant_minus_each_dimensions_decrement(value_set: Eq5dValueSet) -> None:
    # 21143: mobility 2 (0.05), self-care 1 (0), usual activities 1 (0), pain 4 (0.25), anxiety 3 (0.10)
    # 1 − 0.05 (constant) − 0.05 − 0.25 − 0.10 = 0.55
    assert eq5d_index("21143", value_set) == pytest.approx(0.55)


def test_worst_state_can_fall_below_zero(value_set: Eq5dValueSet) -> None:
    # 1 − 0.05 − (0.30 + 0.20 + 0.18 + 0.33 + 0.29) = −0.35: states worse than dead are kept, not clipped
    assert eq5d_index("55555", value_set) == pytest.approx(-0.35)


def test_one_level_above_one_applies_the_constant_once(value_set: Eq5dValueSet) -> None:
    # 11112: 1 − 0.05 − 0.07 = 0.88
    assert eq5d_index("11112", value_set) == pytest.approx(0.88)


def test_the_loaded_value_set_keeps_its_provenance(value_set: Eq5dValueSet) -> None:
    assert value_set.id == "invented-test"
    assert value_set.licence == "none: invented numbers"
    assert value_set.constant == 0.05
    assert set(value_set.decrements) == set(EQ5D_DIMENSIONS)


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_a_level_outside_one_to_five_is_refused_naming_its_dimension(bad: int) -> None:
    problems = _problems([1, 1, bad, 1, 1])
    assert [p.location for p in problems] == ["eq5d.usual_activities"]
    assert str(bad) in problems[0].message


@pytest.mark.parametrize("bad", [True, 2.0, "3"])
def test_a_level_that_is_not_a_whole_number_is_refused(bad: object) -> None:
    assert [p.location for p in _problems([bad, 1, 1, 1, 1])] == ["eq5d.mobility"]


def test_every_bad_level_is_named() -> None:
    assert [p.location for p in _problems([9, 1, 1, 1, 0])] == ["eq5d.mobility", "eq5d.anxiety_depression"]


@pytest.mark.parametrize("count", [0, 4, 6])
def test_other_than_five_answers_is_refused(count: int) -> None:
    problems = _problems([1] * count)
    assert problems[0].location == "eq5d"
    assert f"got {count}" in problems[0].message


def _load_problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_value_set(text, "broken.toml")
    assert "broken.toml" in str(caught.value)
    return [p.location for p in caught.value.problems]


def test_a_value_set_missing_a_dimension_is_refused_naming_it() -> None:
    text = INVENTED_VALUE_SET.replace("anxiety_depression = [0, 0.07, 0.10, 0.24, 0.29]\n", "")
    assert _load_problems(text) == ["value_set.decrements.anxiety_depression"]


def test_a_value_set_with_four_levels_or_a_text_decrement_is_refused() -> None:
    text = INVENTED_VALUE_SET.replace("[0, 0.05, 0.08, 0.20, 0.30]", "[0, 0.05, 0.08, 0.20]").replace(
        "[0, 0.04, 0.07, 0.15, 0.20]", '[0, 0.04, "x", 0.15, 0.20]'
    )
    assert _load_problems(text) == ["value_set.decrements.mobility", "value_set.decrements.self_care"]


def test_a_value_set_with_an_unknown_dimension_or_no_licence_is_refused() -> None:
    text = INVENTED_VALUE_SET.replace('licence = "none: invented numbers"', 'licence = " "').replace(
        "[value_set.decrements]", "[value_set.decrements]\nvision = [0, 0, 0, 0, 0]"
    )
    assert _load_problems(text) == ["value_set.licence", "value_set.decrements.vision"]


def test_a_value_set_whose_level_one_is_not_zero_is_refused() -> None:
    # Level 1 is the reference ("no problems"): a decrement there would lower full health below 1.
    text = INVENTED_VALUE_SET.replace("[0, 0.03, 0.06, 0.14, 0.18]", "[0.01, 0.03, 0.06, 0.14, 0.18]")
    assert _load_problems(text) == ["value_set.decrements.usual_activities"]


def test_text_that_is_not_toml_or_has_no_value_set_table_is_refused() -> None:
    with pytest.raises(InputError, match=r"broken\.toml: not valid TOML"):
        parse_value_set("[value_set", "broken.toml")
    with pytest.raises(InputError, match=r"broken\.toml: no \[value_set\] table"):
        parse_value_set('title = "x"', "broken.toml")
