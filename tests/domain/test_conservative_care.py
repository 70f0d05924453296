"""Conservative (non-surgical) care: its span, its components, and whether it lasted long enough."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse
from sijpath.domain.conservative_care import ConservativeCare, JointCare, describe_care
from sijpath.domain.conservative_care import conservative_care as joint_care
from sijpath.domain.episode import Episode, Patient
from sijpath.domain.procedures import Fusion, RadiofrequencyAblation, TherapeuticInjection

D = dt.date


def episode(**facts: Any) -> Episode:
    return Episode(patient=Patient(id="p1"), **facts)


def conservative_care(e: Episode, as_of: dt.date, max_gap_months: int | None = None) -> ConservativeCare:
    """Care as one joint has it: the episode's therapy and medications, and its (single-joint) procedures."""
    care = JointCare(e.physical_therapy, e.medications, e.therapeutic_injections, e.radiofrequency_ablations, e.fusions)
    return joint_care(care, as_of, max_gap_months)


def fusion(day: dt.date) -> Fusion:
    return Fusion(date=day, side="left", cpt="27279", approach="lateral")


def test_care_spans_from_the_first_start_to_the_latest_activity() -> None:
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 10), end_date=D(2024, 3, 10)),),
        medications=(MedicationCourse(start_date=D(2024, 2, 1), end_date=D(2024, 5, 15), drug_class="nsaid"),),
        therapeutic_injections=(TherapeuticInjection(date=D(2024, 4, 1), side="left"),),
    )

    care = conservative_care(e, D(2025, 1, 1))

    assert (care.start, care.latest) == (D(2024, 1, 10), D(2024, 5, 15))  # PT start, medication end


def test_a_course_without_an_end_date_runs_to_its_last_confirmation_never_to_the_as_of_date() -> None:
    confirmed = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 10), last_confirmed=D(2024, 5, 2)),)
    )
    unconfirmed = episode(physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 10)),))

    assert (conservative_care(confirmed, D(2024, 9, 1)).latest) == D(2024, 5, 2)
    assert (conservative_care(unconfirmed, D(2024, 9, 1)).latest) == D(2024, 1, 10)  # its start day only


def test_a_confirmation_after_the_as_of_date_counts_only_to_the_as_of_date() -> None:
    e = episode(
        medications=(MedicationCourse(start_date=D(2024, 1, 10), last_confirmed=D(2025, 1, 1), drug_class="nsaid"),)
    )

    assert conservative_care(e, D(2024, 9, 1)).latest == D(2024, 9, 1)


def test_care_after_the_first_fusion_does_not_count() -> None:
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 1), last_confirmed=D(2025, 1, 5)),),  # ongoing
        therapeutic_injections=(TherapeuticInjection(date=D(2024, 9, 1), side="left"),),  # after the fusion
        fusions=(fusion(D(2025, 2, 1)), fusion(D(2024, 8, 1))),  # the first is Aug 1, whatever the list order
    )

    care = conservative_care(e, D(2025, 6, 1))

    assert care.latest == D(2024, 8, 1)  # the ongoing PT is cut off at the first fusion
    assert "therapeutic-injection" not in care.components


def test_care_that_only_started_after_the_fusion_is_no_conservative_care() -> None:
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 9, 1)),),
        fusions=(fusion(D(2024, 8, 1)),),
    )

    care = conservative_care(e, D(2025, 6, 1))

    assert (care.start, care.latest, care.components) == (None, None, {})


def test_a_fusion_after_the_as_of_date_does_not_let_care_run_past_the_as_of_date() -> None:
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 1), end_date=D(2025, 6, 1)),),
        fusions=(fusion(D(2025, 9, 1)),),
    )

    care = conservative_care(e, D(2024, 6, 1))

    # As of 2024-06-01 PT had run 5 months (Jan 1 → Jun 1), so neither a later end nor 6 months can be known yet.
    assert care.latest == D(2024, 6, 1)
    assert not care.lasted(6)


@pytest.mark.parametrize(
    ("start", "latest", "lasted"),
    [
        (D(2024, 1, 31), D(2024, 7, 31), True),  # exactly 6 calendar months
        (D(2024, 1, 31), D(2024, 7, 30), False),  # one day short
        (D(2024, 8, 31), D(2025, 2, 28), True),  # Aug 31 + 6 months = Feb 31 → clamped to Feb 28
        (D(2024, 8, 31), D(2025, 2, 27), False),
    ],
)
def test_care_lasted_six_months_exactly_at_six_calendar_months(start: dt.date, latest: dt.date, lasted: bool) -> None:
    e = episode(physical_therapy=(PhysicalTherapyCourse(start_date=start, end_date=latest),))

    care = conservative_care(e, D(2026, 1, 1))

    assert care.lasted(6) is lasted


def test_reaches_gives_the_date_care_reaches_the_months() -> None:
    e = episode(physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 31)),))

    assert conservative_care(e, D(2024, 3, 1)).reaches(1) == D(2024, 2, 29)  # 2024 is a leap year


def test_each_component_is_detected_with_its_dated_evidence() -> None:
    e = episode(
        physical_therapy=(
            PhysicalTherapyCourse(start_date=D(2024, 1, 10), end_date=D(2024, 3, 10), sessions=12),
            PhysicalTherapyCourse(start_date=D(2024, 4, 1), setting="home-program", last_confirmed=D(2024, 11, 1)),
            PhysicalTherapyCourse(start_date=D(2024, 6, 1), end_date=D(2024, 7, 1), setting="supervised"),
        ),
        medications=(
            MedicationCourse(
                start_date=D(2024, 1, 15), drug_class="nsaid", drug="naproxen", last_confirmed=D(2024, 11, 1)
            ),
            MedicationCourse(start_date=D(2024, 2, 1), end_date=D(2024, 4, 1), drug_class="opioid", daily_mme=30),
        ),
        therapeutic_injections=(TherapeuticInjection(date=D(2024, 5, 2), side="left"),),
        radiofrequency_ablations=(RadiofrequencyAblation(date=D(2024, 8, 20), side="left"),),
    )

    care = conservative_care(e, D(2024, 12, 1))

    assert care.components == {
        "physical-therapy": list(e.physical_therapy),
        "medication": list(e.medications),
        "therapeutic-injection": list(e.therapeutic_injections),
        "radiofrequency-ablation": list(e.radiofrequency_ablations),
    }
    assert [describe_care(fact) for facts in care.components.values() for fact in facts] == [
        "PT 2024-01-10 → 2024-03-10 (setting not recorded, 12 sessions)",  # never assumed supervised
        "PT 2024-04-01 → ongoing (last confirmed 2024-11-01) (home-program)",
        "PT 2024-06-01 → 2024-07-01 (supervised)",
        "naproxen (nsaid) 2024-01-15 → ongoing (last confirmed 2024-11-01)",
        "opioid (opioid) 2024-02-01 → 2024-04-01, 30 MME/day",  # no drug name: the class
        "therapeutic injection 2024-05-02 (left)",
        "radiofrequency ablation 2024-08-20 (left)",
    ]
    assert care.first is e.physical_therapy[0]  # earliest start
    # Naproxen and the home program were both last confirmed on Nov 1; on that tie the earlier-started course
    # carries the span.
    assert care.last is e.medications[0]
    assert (care.start, care.latest) == (D(2024, 1, 10), D(2024, 11, 1))  # ongoing courses run to their confirmation


def test_no_care_recorded_has_no_start_and_never_lasts() -> None:
    care = conservative_care(episode(), D(2025, 1, 1))

    assert care.start is None
    assert care.latest is None
    assert care.months == 0.0
    assert care.reaches(6) is None
    assert care.lasted(6) is False


def test_a_pause_longer_than_the_gap_starts_a_new_period_of_care() -> None:
    # PT in 2016 (one month), then nothing until an injection on 2026-06-01 and an ongoing NSAID from 2026-07-01.
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2016, 1, 1), end_date=D(2016, 2, 1)),),
        therapeutic_injections=(TherapeuticInjection(date=D(2026, 6, 1), side="left"),),
        medications=(MedicationCourse(start_date=D(2026, 7, 1), drug_class="nsaid"),),
    )
    care = conservative_care(e, D(2026, 11, 1), max_gap_months=6)
    assert care.start == D(2026, 6, 1)  # the 2016 course belongs to an earlier period
    assert set(care.components) == {"therapeutic-injection", "medication"}
    assert care.lasted(6) is False  # 2026-06-01 → 2026-11-01 is five months
    assert conservative_care(e, D(2026, 11, 1)).start == D(2016, 1, 1)  # without a gap limit: one long span


def test_a_pause_shorter_than_the_gap_keeps_one_period() -> None:
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2025, 1, 1), end_date=D(2025, 3, 1)),),
        therapeutic_injections=(TherapeuticInjection(date=D(2025, 8, 1), side="left"),),  # 5 months after PT ended
    )
    care = conservative_care(e, D(2025, 9, 1), max_gap_months=6)
    assert care.start == D(2025, 1, 1)
    assert care.latest == D(2025, 8, 1)
