"""ODI scoring against hand-worked examples, the published missing-section rule and refused answers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sijpath.errors import Problem
from sijpath.outcomes.odi import MAX_MISSING_SECTIONS, ODI_SECTIONS, OdiScore, score_odi


def _scored(answers: list[int | None]) -> OdiScore:
    result = score_odi(answers)
    assert isinstance(result, OdiScore), result
    return result


def _problems(answers: Sequence[object]) -> list[Problem]:
    result = score_odi(answers)  # type: ignore[arg-type]
    assert isinstance(result, list), result
    return result


def test_all_sections_answered_scores_sum_over_fifty_as_percent() -> None:
    # 3+2+4+1+0+5+2+3+1+2 = 23; 23 / 50 × 100 = 46
    score = _scored([3, 2, 4, 1, 0, 5, 2, 3, 1, 2])
    assert score.index == pytest.approx(46.0)
    assert (score.answered, score.missing) == (10, 0)


def test_every_section_zero_scores_zero_and_every_section_five_scores_one_hundred() -> None:
    assert _scored([0] * 10).index == 0.0
    assert _scored([5] * 10).index == 100.0


def test_one_unanswered_section_reduces_the_possible_total_by_five() -> None:
    # The catalog's worked example (odi-fairbank-scoring): 16 points over nine sections, 16 / 45 × 100 = 35.56.
    answers: list[int | None] = [2, 2, 2, 2, 2, 2, 1, None, 2, 1]
    score = _scored(answers)
    assert score.index == pytest.approx(16 / 45 * 100)
    assert round(score.index, 1) == 35.6
    assert (score.answered, score.missing) == (9, 1)


def test_a_missing_section_is_not_scored_as_zero() -> None:
    # Scoring the gap as 0 would give 16 / 50 = 32; the published rule drops it from the denominator.
    with_gap = _scored([2, 2, 2, 2, 2, 2, 1, None, 2, 1]).index
    as_zero = _scored([2, 2, 2, 2, 2, 2, 1, 0, 2, 1]).index
    assert as_zero == pytest.approx(32.0)
    assert with_gap > as_zero


def test_the_missing_section_may_be_any_one_of_the_ten() -> None:
    for gap in range(10):
        answers: list[int | None] = [4] * 10
        answers[gap] = None
        assert _scored(answers).index == pytest.approx(36 / 45 * 100)


def test_two_unanswered_sections_are_refused_naming_them() -> None:
    assert MAX_MISSING_SECTIONS == 1
    problems = _problems([1, None, 1, 1, 1, 1, 1, None, 1, 1])
    assert len(problems) == 1
    assert problems[0].location == "odi_items"
    assert "2 sections unanswered" in problems[0].message
    assert "personal care" in problems[0].message
    assert "sex life" in problems[0].message
    assert "enter a total" in problems[0].message


def test_no_section_answered_is_refused_not_divided_by_zero() -> None:
    problems = _problems([None] * 10)
    assert "10 sections unanswered" in problems[0].message


@pytest.mark.parametrize("bad", [-1, 6, 10])
def test_an_answer_outside_zero_to_five_is_refused_naming_its_section(bad: int) -> None:
    answers: list[int | None] = [1] * 10
    answers[3] = bad
    problems = _problems(answers)
    assert [p.location for p in problems] == ["odi_items[3]"]
    assert "walking" in problems[0].message
    assert str(bad) in problems[0].message


@pytest.mark.parametrize("bad", [True, 2.5, "3"])
def test_an_answer_that_is_not_a_whole_number_is_refused(bad: object) -> None:
    answers: list[object] = [1] * 10
    answers[0] = bad
    assert [p.location for p in _problems(answers)] == ["odi_items[0]"]


def test_every_bad_answer_is_named_not_only_the_first() -> None:
    problems = _problems([9, 1, 1, -2, 1, 1, 1, 1, 1, 7])
    assert [p.location for p in problems] == ["odi_items[0]", "odi_items[3]", "odi_items[9]"]


@pytest.mark.parametrize("count", [0, 9, 11])
def test_a_list_that_is_not_ten_answers_is_refused(count: int) -> None:
    problems = _problems([1] * count)
    assert problems[0].location == "odi_items"
    assert f"got {count}" in problems[0].message


def test_the_field_name_given_locates_the_problem() -> None:
    result = score_odi([1] * 9 + [8], field="entry.odi")
    assert isinstance(result, list)
    assert result[0].location == "entry.odi[9]"


def test_ten_sections_in_the_published_order() -> None:
    assert len(ODI_SECTIONS) == 10
    assert ODI_SECTIONS[0] == "pain intensity"
    assert ODI_SECTIONS[-1] == "travelling"
