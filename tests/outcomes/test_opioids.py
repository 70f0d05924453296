"""Daily MME from a medication list with the CDC 2022 factors, worked by hand for each opioid in the table."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from sijpath.errors import OutcomeEntryError, Problem
from sijpath.outcomes.entries import parse_entry
from sijpath.outcomes.opioids import MME_FACTORS, MME_SOURCE, Medication, daily_mme

# (drug, dose per administration, administrations per day, daily MME worked by hand with the CDC 2022 factor)
HAND_WORKED = [
    ("codeine", 30, 4, 18.0),  # 30 mg × 4 = 120 mg/day × 0.15
    ("fentanyl-transdermal", 25, 1, 60.0),  # a 25 mcg/hr patch × 2.4
    ("hydrocodone", 10, 3, 30.0),  # 30 mg/day × 1
    ("hydromorphone", 2, 4, 40.0),  # 8 mg/day × 5
    ("methadone", 10, 2, 94.0),  # 20 mg/day × 4.7
    ("morphine", 15, 2, 30.0),  # 30 mg/day × 1
    ("oxycodone", 5, 4, 30.0),  # 20 mg/day × 1.5
    ("oxymorphone", 5, 2, 30.0),  # 10 mg/day × 3
    ("tapentadol", 50, 3, 60.0),  # 150 mg/day × 0.4
    ("tramadol", 50, 4, 40.0),  # 200 mg/day × 0.2
]


def _total(medications: Sequence[Medication]) -> float:
    result = daily_mme(medications)
    assert isinstance(result, float), result
    return result


def _problems(medications: Sequence[Medication]) -> list[Problem]:
    result = daily_mme(medications)
    assert isinstance(result, list), result
    return result


def test_the_table_is_the_cdc_2022_factors_and_nothing_else() -> None:
    assert MME_FACTORS == {
        "codeine": 0.15,
        "fentanyl-transdermal": 2.4,
        "hydrocodone": 1.0,
        "hydromorphone": 5.0,
        "methadone": 4.7,
        "morphine": 1.0,
        "oxycodone": 1.5,
        "oxymorphone": 3.0,
        "tapentadol": 0.4,
        "tramadol": 0.2,
    }
    assert MME_SOURCE == "cdc-2022-opioid-mme"


def test_every_opioid_in_the_table_has_a_hand_worked_example() -> None:
    assert sorted(drug for drug, *_ in HAND_WORKED) == sorted(MME_FACTORS)


@pytest.mark.parametrize(("drug", "dose", "per_day", "expected"), HAND_WORKED)
def test_daily_mme_is_dose_times_doses_per_day_times_factor(
    drug: str, dose: float, per_day: float, expected: float
) -> None:
    assert _total([Medication(drug, dose, per_day)]) == pytest.approx(expected)


def test_several_opioids_add_up() -> None:
    # oxycodone 20 mg/day (30) + tramadol 200 mg/day (40) + a 12 mcg/hr patch (28.8) = 98.8
    medications = [
        Medication("oxycodone", 5, 4),
        Medication("tramadol", 50, 4),
        Medication("fentanyl-transdermal", 12, 1),
    ]
    assert _total(medications) == pytest.approx(98.8)


def test_an_empty_list_is_zero_mme() -> None:
    assert _total([]) == 0.0


def test_an_unknown_drug_is_a_problem_naming_the_entry_never_a_zero() -> None:
    problems = _problems([Medication("morphine", 10, 2), Medication("buprenorphine", 5, 1)])
    assert [p.location for p in problems] == ["medications[1].drug"]
    assert "'buprenorphine' has no CDC 2022 factor" in problems[0].message


def test_drug_names_are_matched_exactly_as_the_table_spells_them() -> None:
    assert [p.location for p in _problems([Medication("Oxycodone", 5, 4)])] == ["medications[0].drug"]


@pytest.mark.parametrize("dose", [0, -5, math.nan, math.inf])
def test_a_dose_that_is_not_a_positive_amount_is_a_problem(dose: float) -> None:
    assert [p.location for p in _problems([Medication("morphine", dose, 2)])] == ["medications[0].dose"]


@pytest.mark.parametrize("per_day", [0, -1, math.nan, math.inf])
def test_doses_per_day_that_are_not_a_positive_count_are_a_problem(per_day: float) -> None:
    assert [p.location for p in _problems([Medication("morphine", 10, per_day)])] == ["medications[0].per_day"]


def test_a_fentanyl_patch_counts_once_a_day_its_rate_being_the_dose() -> None:
    problems = _problems([Medication("fentanyl-transdermal", 25, 3)])
    assert [p.location for p in problems] == ["medications[0].per_day"]
    assert "mcg/hr rate is the dose" in problems[0].message


def test_every_bad_entry_is_named_not_only_the_first() -> None:
    problems = _problems([Medication("heroin", 1, 1), Medication("morphine", 0, 0)])
    assert [p.location for p in problems] == ["medications[0].drug", "medications[1].dose", "medications[1].per_day"]


def test_a_medication_entered_without_a_dose_is_refused_naming_the_field() -> None:
    with pytest.raises(OutcomeEntryError) as caught:
        parse_entry({"measured_on": "2026-01-05", "medications": [{"drug": "morphine", "per_day": 2}]})
    assert [p.location for p in caught.value.problems] == ["medications.0.dose"]
