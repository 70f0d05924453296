"""The report's intervals against references computed here from closed-form formulas, not from the implementation."""

from __future__ import annotations

import math

import pytest

from sijpath.outcomes.intervals import mean_interval, student_t_quantile, wilson_interval

Z = 1.959963984540054  # the 0.975 quantile of the standard normal
P = 0.975  # two-sided 95%


def test_the_normal_quantile_used_here_is_the_standard_one() -> None:
    assert 0.5 * (1 + math.erf(Z / math.sqrt(2))) == pytest.approx(P, abs=1e-15)


def _t_one(p: float) -> float:
    return math.tan(math.pi * (p - 0.5))  # Cauchy


def _t_two(p: float) -> float:
    return (2 * p - 1) / math.sqrt(2 * p * (1 - p))


def _t_four(p: float) -> float:
    alpha = 4 * p * (1 - p)
    q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
    return 2 * math.sqrt(q - 1)


@pytest.mark.parametrize(("df", "reference"), [(1, _t_one(P)), (2, _t_two(P)), (4, _t_four(P))])
def test_t_quantile_matches_the_closed_forms(df: int, reference: float) -> None:
    assert student_t_quantile(P, df) == pytest.approx(reference, rel=1e-9)


@pytest.mark.parametrize(
    ("df", "table"),
    [(1, 12.7062047362), (2, 4.3026527297), (3, 3.1824463053), (4, 2.7764451052), (9, 2.2621571628),
     (29, 2.0452296421), (99, 1.9842169516), (100_000, 1.9599877)],
)  # fmt: skip
def test_t_quantile_matches_the_published_table(df: int, table: float) -> None:
    assert student_t_quantile(P, df) == pytest.approx(table, rel=1e-7)


@pytest.mark.parametrize(("p", "reference"), [(0.9, _t_two(0.9)), (0.995, _t_two(0.995)), (0.6, _t_two(0.6))])
def test_t_quantile_at_other_levels(p: float, reference: float) -> None:
    assert student_t_quantile(p, 2) == pytest.approx(reference, rel=1e-9)


def _mean_reference(values: list[float], t: float) -> tuple[float, float, float]:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t * sd / math.sqrt(n)
    return mean, mean - half, mean + half


@pytest.mark.parametrize(
    ("values", "t"),
    [
        ([-10.0, -20.0], _t_one(P)),  # mean −15, sd 7.07, half 12.706 × 5 = 63.53
        ([-12.0, -18.0, -30.0], _t_two(P)),
        ([-4.0, -15.0, -22.0, -9.0, -30.0], _t_four(P)),
    ],
)
def test_mean_interval_is_mean_plus_or_minus_t_times_standard_error(values: list[float], t: float) -> None:
    mean, low, high = _mean_reference(values, t)
    estimate = mean_interval(values)
    assert estimate.n == len(values)
    assert estimate.value == pytest.approx(mean)
    assert estimate.low == pytest.approx(low, rel=1e-9)
    assert estimate.high == pytest.approx(high, rel=1e-9)


def test_mean_interval_worked_by_hand_for_two_values() -> None:
    # mean −15; sd = √((25 + 25) / 1) = 7.0711; se = 5; t(0.975, 1) = 12.7062 → −15 ± 63.531
    estimate = mean_interval([-10.0, -20.0])
    assert estimate.low == pytest.approx(-15 - 63.531024, abs=1e-5)
    assert estimate.high == pytest.approx(-15 + 63.531024, abs=1e-5)


def test_identical_values_have_a_zero_width_interval() -> None:
    estimate = mean_interval([-5.0, -5.0, -5.0])
    assert (estimate.value, estimate.low, estimate.high) == (-5.0, -5.0, -5.0)


def test_one_value_has_a_mean_but_no_interval_and_none_has_neither() -> None:
    one = mean_interval([-7.0])
    assert (one.n, one.value, one.low, one.high) == (1, -7.0, None, None)
    none = mean_interval([])
    assert (none.n, none.value, none.low, none.high) == (0, None, None, None)


def _wilson_reference(x: int, n: int) -> tuple[float, float]:
    # (x + z²/2 ± z √(x(n − x)/n + z²/4)) / (n + z²): Wilson 1927, multiplied through by n
    z2 = Z * Z
    centre = x + z2 / 2
    half = Z * math.sqrt(x * (n - x) / n + z2 / 4)
    return (centre - half) / (n + z2), (centre + half) / (n + z2)


@pytest.mark.parametrize(("x", "n"), [(1, 1), (3, 10), (7, 10), (52, 100), (57, 210), (1, 1000), (999, 1000)])
def test_wilson_interval_matches_the_closed_form(x: int, n: int) -> None:
    low, high = _wilson_reference(x, n)
    estimate = wilson_interval(x, n)
    assert estimate.n == n
    assert estimate.value == pytest.approx(x / n)
    assert estimate.low == pytest.approx(low, rel=1e-12)
    assert estimate.high == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize("n", [1, 5, 30, 1000])
def test_wilson_for_none_of_n_runs_from_zero_to_z2_over_n_plus_z2(n: int) -> None:
    estimate = wilson_interval(0, n)
    assert estimate.value == 0.0
    assert estimate.low == 0.0
    assert estimate.high == pytest.approx(Z * Z / (n + Z * Z), rel=1e-12)


@pytest.mark.parametrize("n", [1, 5, 30, 1000])
def test_wilson_for_all_of_n_runs_from_n_over_n_plus_z2_to_one(n: int) -> None:
    estimate = wilson_interval(n, n)
    assert estimate.value == 1.0
    assert estimate.low == pytest.approx(n / (n + Z * Z), rel=1e-12)
    assert estimate.high == 1.0


def test_wilson_worked_by_hand_for_three_of_ten() -> None:
    # centre (3 + 1.9208) / 13.8415 = 0.35551; half 1.96 × √(2.1 + 0.9604) / 13.8415 = 0.24770
    estimate = wilson_interval(3, 10)
    assert estimate.low == pytest.approx(0.1078, abs=1e-4)
    assert estimate.high == pytest.approx(0.6032, abs=1e-4)


def test_wilson_with_no_one_measured_has_no_estimate() -> None:
    estimate = wilson_interval(0, 0)
    assert (estimate.n, estimate.value, estimate.low, estimate.high) == (0, None, None, None)
