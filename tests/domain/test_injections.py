"""Therapeutic injections: relief and its duration, the trend over a series, and the spacing between them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sijpath.domain.injections import (
    InjectionReading,
    function_contradiction,
    injection_intervals,
    read_injection,
    relief_trend,
)
from sijpath.domain.procedures import FollowUpPain, TherapeuticInjection

D = dt.date


def make_injection(**changes: Any) -> TherapeuticInjection:
    fields: dict[str, Any] = {"date": D(2024, 1, 1), "side": "left"}
    fields.update(changes)
    return TherapeuticInjection(**fields)


def diary(*entries: tuple[dt.date, float]) -> tuple[FollowUpPain, ...]:
    return tuple(FollowUpPain(date=day, nrs=nrs) for day, nrs in entries)


# --- read_injection -------------------------------------------------------------------------------------------


def test_reported_relief_and_duration_are_used_as_they_stand() -> None:
    injection = make_injection(relief_percent=80, relief_duration_days=180)

    reading = read_injection(injection, 50)

    assert (reading.relief_percent, reading.relief_days, reading.relief_days_at_least) == (80, 180, False)
    assert reading.data_problem is None


def test_reported_duration_wins_over_the_follow_up_diary() -> None:
    # The diary alone would give 14 days (relief gone by Jan 29); the reported 90 days is kept.
    injection = make_injection(
        relief_duration_days=90,
        pre_injection_nrs=8,
        follow_up=diary((D(2024, 1, 15), 2), (D(2024, 1, 29), 7)),
    )

    reading = read_injection(injection, 50)

    assert reading.relief_days == 90
    assert reading.relief_days_at_least is False
    # Relief percent was not reported, so it comes from the best diary score: (8 - 2) / 8 = 75%.
    assert reading.relief_percent == pytest.approx(75)


def test_duration_from_the_diary_lasts_until_the_last_score_still_above_the_threshold() -> None:
    injection = make_injection(
        pre_injection_nrs=8,
        follow_up=diary(
            (D(2024, 1, 15), 2),  # (8 - 2) / 8 = 75%   good
            (D(2024, 2, 12), 4),  # (8 - 4) / 8 = 50%   good: exactly on the threshold counts
            (D(2024, 3, 11), 6),  # (8 - 6) / 8 = 25%   relief gone
        ),
    )

    reading = read_injection(injection, 50)

    # Jan 1 → Feb 12: 31 + 11 = 42 days.
    assert reading.relief_days == 42
    assert reading.relief_days_at_least is False
    assert reading.relief_percent == pytest.approx(75)  # the best follow-up
    assert reading.data_problem is None


def test_diary_entries_are_read_in_date_order_whatever_their_order_in_the_record() -> None:
    injection = make_injection(
        pre_injection_nrs=8,
        follow_up=diary((D(2024, 3, 11), 6), (D(2024, 1, 15), 2), (D(2024, 2, 12), 4)),
    )

    assert read_injection(injection, 50).relief_days == 42  # same diary as above: Jan 1 → Feb 12


def test_relief_that_returns_after_it_was_lost_does_not_extend_the_duration() -> None:
    injection = make_injection(
        pre_injection_nrs=8,
        follow_up=diary(
            (D(2024, 1, 15), 2),  # 75%  good
            (D(2024, 2, 1), 7),  # 12.5% relief gone
            (D(2024, 3, 1), 2),  # 75%  good again, but relief had already ended
        ),
    )

    reading = read_injection(injection, 50)

    assert reading.relief_days == 14  # Jan 1 → Jan 15
    assert reading.relief_days_at_least is False


def test_duration_is_a_lower_bound_when_every_follow_up_still_shows_relief() -> None:
    injection = make_injection(
        pre_injection_nrs=8,
        follow_up=diary((D(2024, 1, 15), 2), (D(2024, 2, 12), 3)),  # 75%, then (8 - 3) / 8 = 62.5%
    )

    reading = read_injection(injection, 50)

    assert reading.relief_days == 42  # Jan 1 → Feb 12, and relief was still going on
    assert reading.relief_days_at_least is True


def test_no_relief_at_the_first_follow_up_gives_a_duration_of_zero_days() -> None:
    injection = make_injection(pre_injection_nrs=8, follow_up=diary((D(2024, 1, 15), 7)))  # 12.5%

    reading = read_injection(injection, 50)

    assert (reading.relief_days, reading.relief_days_at_least) == (0, False)
    assert reading.relief_percent == pytest.approx(12.5)


def test_reported_relief_percent_is_kept_when_only_the_duration_comes_from_the_diary() -> None:
    injection = make_injection(relief_percent=90, pre_injection_nrs=8, follow_up=diary((D(2024, 1, 31), 2)))

    reading = read_injection(injection, 50)

    assert reading.relief_percent == 90
    assert reading.relief_days == 30  # Jan 1 → Jan 31
    assert reading.relief_days_at_least is True


def test_follow_up_score_above_the_pre_injection_score_is_a_data_problem() -> None:
    injection = make_injection(pre_injection_nrs=5, follow_up=diary((D(2024, 1, 15), 3), (D(2024, 2, 1), 6)))

    reading = read_injection(injection, 50)

    assert reading.data_problem == "follow-up scores: post score 6 is higher than the pre score 5"
    assert reading.relief_percent is None
    assert reading.relief_days is None


def test_follow_up_without_a_pre_injection_score_gives_no_relief() -> None:
    injection = make_injection(follow_up=diary((D(2024, 1, 15), 2)))

    reading = read_injection(injection, 50)

    assert (reading.relief_percent, reading.relief_days, reading.data_problem) == (None, None, None)


@pytest.mark.parametrize(
    ("improved", "days", "contradicts"),
    [(False, 100, True), (False, 0, False), (False, None, False), (True, 100, False), (None, 100, False)],
)
def test_function_recorded_as_not_improved_yet_improved_for_days_is_a_data_problem(
    improved: bool | None, days: int | None, contradicts: bool
) -> None:
    injection = make_injection(functional_improvement=improved, functional_improvement_days=days)

    reading = read_injection(injection, 50)

    assert (function_contradiction(injection) is not None) is contradicts
    assert (reading.data_problem is not None) is contradicts
    if contradicts:
        assert reading.data_problem is not None
        assert "functional_improvement false" in reading.data_problem
        assert "improved for 100 days" in reading.data_problem


# --- relief_trend ---------------------------------------------------------------------------------------------


def reading_on(day: dt.date, relief_days: int | None, *, at_least: bool = False) -> InjectionReading:
    return InjectionReading(make_injection(date=day), None, relief_days, at_least, None)


def test_durations_that_shorten_each_time_are_shortening() -> None:
    readings = [reading_on(D(2024, 2, 15), 180), reading_on(D(2024, 9, 10), 70), reading_on(D(2024, 12, 2), 21)]

    trend, used = relief_trend(readings, 3)

    assert trend == "shortening"
    assert used == readings


@pytest.mark.parametrize(
    "durations",
    [
        (180, 70, 70),  # the last one is equal, not shorter
        (180, 21, 70),  # the last one is longer
        (70, 180, 21),  # the middle one is longer
        (21, 70, 180),  # lengthening
    ],
)
def test_durations_that_do_not_shorten_each_time_are_not_shortening(durations: tuple[int, int, int]) -> None:
    days = (D(2024, 1, 1), D(2024, 5, 1), D(2024, 9, 1))
    readings = [reading_on(day, n) for day, n in zip(days, durations, strict=True)]

    assert relief_trend(readings, 3)[0] == "not-shortening"


def test_only_the_most_recent_durations_count() -> None:
    # An old short relief (10 days) does not spoil the shortening of the last three (180 > 70 > 21).
    readings = [
        reading_on(D(2023, 6, 1), 10),
        reading_on(D(2024, 2, 15), 180),
        reading_on(D(2024, 9, 10), 70),
        reading_on(D(2024, 12, 2), 21),
    ]

    trend, used = relief_trend(readings, 3)

    assert trend == "shortening"
    assert used == readings[1:]


def test_readings_are_ordered_by_injection_date_before_the_trend_is_read() -> None:
    first, second, third = (
        reading_on(D(2024, 2, 15), 180),
        reading_on(D(2024, 9, 10), 70),
        reading_on(D(2024, 12, 2), 21),
    )

    trend, used = relief_trend([third, first, second], 3)

    assert trend == "shortening"
    assert used == [first, second, third]


def test_fewer_exact_durations_than_required_is_insufficient_data() -> None:
    readings = [reading_on(D(2024, 2, 15), 180), reading_on(D(2024, 9, 10), 70), reading_on(D(2024, 12, 2), None)]

    trend, used = relief_trend(readings, 3)

    assert trend == "insufficient-data"
    assert used == readings[:2]  # the two with a known duration


def test_censored_durations_are_skipped() -> None:
    exact = [reading_on(D(2024, 2, 15), 180), reading_on(D(2024, 9, 10), 70), reading_on(D(2024, 12, 2), 21)]
    censored = reading_on(D(2024, 6, 1), 200, at_least=True)  # "at least 200 days" between the first two

    trend, used = relief_trend([exact[0], censored, exact[1], exact[2]], 3)

    assert trend == "shortening"
    assert used == exact


def test_censored_durations_do_not_make_up_the_required_number() -> None:
    readings = [
        reading_on(D(2024, 2, 15), 180),
        reading_on(D(2024, 9, 10), 70),
        reading_on(D(2024, 12, 2), 21, at_least=True),
    ]

    trend, used = relief_trend(readings, 3)

    assert trend == "insufficient-data"
    assert used == readings[:2]


# --- injection_intervals --------------------------------------------------------------------------------------


def test_intervals_are_between_consecutive_injections_of_the_joint_given() -> None:
    first = make_injection(date=D(2025, 1, 1), side="left")
    second = make_injection(date=D(2025, 3, 1), side="left")

    intervals = injection_intervals([first, second])

    assert [(i.earlier, i.later) for i in intervals] == [(first, second)]
    assert intervals[0].days == 59  # Jan 1 → Mar 1 2025: 31 + 28 days
    assert intervals[0].describe() == "injections 2025-01-01 → 2025-03-01: 8.4 weeks apart"  # 59 / 7 = 8.43


def test_intervals_are_in_date_order_whatever_the_input_order() -> None:
    first = make_injection(date=D(2025, 1, 1), side="left")
    second = make_injection(date=D(2025, 3, 15), side="left")
    third = make_injection(date=D(2025, 4, 1), side="left")

    intervals = injection_intervals([third, first, second])

    assert [(i.earlier, i.later) for i in intervals] == [(first, second), (second, third)]


def test_a_single_injection_has_no_interval() -> None:
    assert injection_intervals([make_injection()]) == []


def test_rolling_12_month_window_counts_injections_and_the_shortest_gap() -> None:
    from sijpath.domain.injections import injections_in_window

    # 2025-01-01 (outside the window ending 2026-03-01), 2025-06-01, 2025-07-27 (8 weeks later), 2025-12-01.
    dates = [D(2025, 1, 1), D(2025, 6, 1), D(2025, 7, 27), D(2025, 12, 1)]
    series = [TherapeuticInjection(date=d, side="left") for d in dates]
    window = injections_in_window(series, injection_intervals(series), D(2026, 3, 1), 12)
    assert window.count == 3  # 2025-03-01 < date <= 2026-03-01
    assert window.shortest_interval_days == 56  # 2025-06-01 → 2025-07-27
