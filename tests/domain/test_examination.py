"""Provocation-test cluster and Fortin finger test, against hand-worked examples."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.examination import latest_fortin, provocation_cluster
from sijpath.domain.findings import FortinFingerTest, ProvocationTest

D = dt.date
JANUARY = D(2025, 1, 10)


def exam(name: str, result: str, day: dt.date = JANUARY) -> ProvocationTest:
    return ProvocationTest(date=day, test=name, result=result)  # type: ignore[arg-type]


def test_only_tests_that_reproduce_the_familiar_pain_count_as_positive() -> None:
    cluster = provocation_cluster(
        [exam("distraction", "familiar-pain"), exam("thigh-thrust", "other-pain"), exam("compression", "no-pain")],
        D(2025, 2, 1),
    )
    assert cluster.positive == ["distraction"]
    assert cluster.examined == 3
    assert cluster.describe() == "1 of 3 provocation tests reproduce the familiar pain (distraction)"


def test_a_repeated_test_counts_once_by_its_latest_result() -> None:
    cluster = provocation_cluster(
        [exam("faber", "familiar-pain", D(2025, 1, 1)), exam("faber", "no-pain", D(2025, 3, 1))], D(2025, 4, 1)
    )
    assert cluster.positive == []
    assert cluster.examined == 1


def test_results_after_the_as_of_date_are_not_counted() -> None:
    cluster = provocation_cluster(
        [exam("gaenslen", "familiar-pain", D(2025, 1, 1)), exam("yeoman", "familiar-pain", D(2025, 6, 1))],
        D(2025, 3, 1),
    )
    assert cluster.positive == ["gaenslen"]


def test_three_of_six_positive_is_counted_as_three() -> None:
    names = ["distraction", "thigh-thrust", "compression", "sacral-thrust", "gaenslen", "faber"]
    results = ["familiar-pain", "familiar-pain", "familiar-pain", "no-pain", "other-pain", "no-pain"]
    cluster = provocation_cluster([exam(n, r) for n, r in zip(names, results, strict=True)], D(2025, 2, 1))
    assert len(cluster.positive) == 3
    assert cluster.examined == 6


def test_no_tests_describes_itself_as_unrecorded() -> None:
    assert provocation_cluster([], D(2025, 1, 1)).describe() == "no provocation tests recorded"


def test_latest_fortin_before_the_as_of_date_wins() -> None:
    early = FortinFingerTest(date=D(2025, 1, 1), positive=False)
    later = FortinFingerTest(date=D(2025, 5, 1), positive=True)
    future = FortinFingerTest(date=D(2025, 9, 1), positive=False)
    assert latest_fortin([later, early, future], D(2025, 6, 1)) == (0, later)
    assert latest_fortin([future], D(2025, 6, 1)) is None


def test_two_fortin_tests_on_the_same_day_resolve_to_the_one_recorded_later() -> None:
    first = FortinFingerTest(date=D(2025, 5, 1), positive=False)
    second = FortinFingerTest(date=D(2025, 5, 1), positive=True)
    assert latest_fortin([first, second], D(2025, 6, 1)) == (1, second)
