"""Corticosteroid exposure in methylprednisolone-dose-equivalents (MPDE) over rolling windows."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpath.domain.procedures import SteroidDose, TherapeuticInjection
from sijpath.domain.steroids import MPDE_SOURCES, cumulative_mpde, mpde_mg

D = dt.date


@pytest.mark.parametrize(
    ("drug", "dose_mg", "expected_mpde"),
    [
        ("triamcinolone", 40, 40),  # triamcinolone 4 mg ≈ methylprednisolone 4 mg: factor 1
        ("methylprednisolone", 80, 80),  # the reference steroid itself
        ("betamethasone", 6, 40),  # betamethasone 0.6 mg ≈ 4 mg: 6 × 4 / 0.6 = 40
        ("dexamethasone", 0.75, 4),  # dexamethasone 0.75 mg ≈ 4 mg
        ("dexamethasone", 3, 16),  # 3 × 4 / 0.75 = 16
    ],
)
def test_dose_is_converted_to_methylprednisolone_equivalents(drug: str, dose_mg: float, expected_mpde: float) -> None:
    assert mpde_mg(SteroidDose(drug=drug, dose_mg=dose_mg)) == pytest.approx(expected_mpde)


def test_dexamethasone_equivalence_cites_its_own_source() -> None:
    assert MPDE_SOURCES["dexamethasone"] == "dexamethasone-equivalence"
    assert MPDE_SOURCES["betamethasone"] == "asipp-steroid-equivalence"


def dose(day: dt.date, drug: str, mg: float) -> tuple[dt.date, TherapeuticInjection, SteroidDose]:
    given = SteroidDose(drug=drug, dose_mg=mg)  # type: ignore[arg-type]
    return (day, TherapeuticInjection(date=day, side="left", steroid=given), given)


def test_window_excludes_a_dose_exactly_the_window_length_before_as_of_and_includes_one_on_as_of() -> None:
    as_of = D(2025, 6, 30)
    on_window_start = dose(D(2024, 6, 30), "triamcinolone", 40)  # as_of − 12 months: outside (window is open there)
    day_after_start = dose(D(2024, 7, 1), "triamcinolone", 40)
    on_as_of = dose(D(2025, 6, 30), "betamethasone", 6)
    after_as_of = dose(D(2025, 7, 1), "methylprednisolone", 80)

    exposure = cumulative_mpde([after_as_of, on_as_of, on_window_start, day_after_start], as_of, 12)

    assert exposure.total_mg == pytest.approx(80)  # 40 (triamcinolone) + 6 × 4 / 0.6 = 40 (betamethasone)
    assert exposure.doses == (day_after_start, on_as_of)  # in date order
    assert exposure.months == 12


def test_longer_window_takes_in_older_doses() -> None:
    as_of = D(2025, 6, 30)
    doses = [
        dose(D(2022, 7, 1), "triamcinolone", 40),  # inside 36 months (window opens after 2022-06-30)
        dose(D(2023, 12, 1), "methylprednisolone", 80),
        dose(D(2025, 1, 15), "dexamethasone", 3),  # 3 × 4 / 0.75 = 16
    ]

    assert cumulative_mpde(doses, as_of, 36).total_mg == pytest.approx(136)  # 40 + 80 + 16
    assert cumulative_mpde(doses, as_of, 12).total_mg == pytest.approx(16)  # only the 2025 dose


def test_window_start_is_clamped_to_the_end_of_a_short_month() -> None:
    # One month before Mar 31 is Feb 28 (2025 is not a leap year): Feb 28 is outside, Mar 1 inside.
    doses = [dose(D(2025, 2, 28), "triamcinolone", 40), dose(D(2025, 3, 1), "triamcinolone", 20)]

    exposure = cumulative_mpde(doses, D(2025, 3, 31), 1)

    assert exposure.total_mg == pytest.approx(20)


def test_exposure_description_gives_the_total_and_the_dose_count() -> None:
    # triamcinolone 40 mg = 40 MPDE; betamethasone 6 mg = 6 × 4 / 0.6 = 40 MPDE.
    doses = [dose(D(2024, 7, 1), "triamcinolone", 40), dose(D(2025, 6, 30), "betamethasone", 6)]

    exposure = cumulative_mpde(doses, D(2025, 6, 30), 12)

    assert exposure.describe() == "80 mg MPDE from 2 doses in the 12 months to the as-of date"
    assert (
        cumulative_mpde([], D(2025, 6, 30), 12).describe()
        == "0 mg MPDE from no doses in the 12 months to the as-of date"
    )


def test_no_doses_in_the_window_is_zero_exposure() -> None:
    exposure = cumulative_mpde([dose(D(2020, 1, 1), "triamcinolone", 40)], D(2025, 6, 30), 12)

    assert exposure.total_mg == 0
    assert exposure.doses == ()
    assert exposure.describe() == "0 mg MPDE from no doses in the 12 months to the as-of date"
