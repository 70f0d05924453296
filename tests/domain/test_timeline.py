"""Calendar-month arithmetic and the view of an episode as it could be known on a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse
from sijpath.domain.episode import Episode, Patient
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.findings import Diagnosis, PainPresentation, PainScore
from sijpath.domain.issues import DataIssue
from sijpath.domain.procedures import Anesthetic, DiagnosticBlock, FollowUpPain, TherapeuticInjection
from sijpath.domain.timeline import EpisodeAsOf, add_months, episode_as_of
from tests.strategies import AS_OF as LAST_GENERATED_DAY
from tests.strategies import episodes

D = dt.date
AS_OF = D(2025, 1, 1)


# --- add_months -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 15), 1, D(2025, 2, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # no Feb 31: clamped to the month's last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # 2024 is a leap year
        (D(2025, 1, 31), 3, D(2025, 4, 30)),  # April has 30 days
        (D(2024, 11, 30), 3, D(2025, 2, 28)),  # across the year end, then clamped
        (D(2025, 12, 15), 1, D(2026, 1, 15)),  # year wrap forward
        (D(2025, 1, 15), -1, D(2024, 12, 15)),  # year wrap backward
        (D(2025, 3, 31), -1, D(2025, 2, 28)),  # backward, clamped
        (D(2025, 1, 15), -13, D(2023, 12, 15)),  # more than a year back: 2025-01 − 13 months = 2023-12
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day a year on
        (D(2024, 2, 29), -48, D(2020, 2, 29)),  # leap day four years back exists
        (D(2025, 5, 20), 0, D(2025, 5, 20)),
        (D(2025, 1, 31), 24, D(2027, 1, 31)),
    ],
)
def test_add_months_moves_by_calendar_months_and_clamps_to_the_month_end(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def split(cut: EpisodeAsOf) -> tuple[Episode, list[DataIssue]]:
    return cut.episode, list(cut.issues)


# --- episode_as_of --------------------------------------------------------------------------------------------


def episode(**facts: Any) -> Episode:
    return Episode(patient=Patient(id="p1"), **facts)


def block(day: dt.date, **changes: Any) -> DiagnosticBlock:
    return DiagnosticBlock(
        date=day, side="left", guidance="fluoroscopy", anesthetics=(Anesthetic(drug="lidocaine"),), **changes
    )


def test_an_episode_with_nothing_after_the_as_of_date_is_returned_unchanged() -> None:
    e = episode(
        diagnostic_blocks=(block(D(2024, 5, 1)), block(AS_OF)),  # a fact on the as-of date is known on it
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 1, 1), end_date=AS_OF),),
    )

    visible, issues = split(episode_as_of(e, AS_OF))

    assert visible is e
    assert issues == []


def test_facts_after_the_as_of_date_are_dropped_with_an_info_issue_naming_them() -> None:
    e = episode(
        diagnostic_blocks=(block(D(2024, 5, 1)), block(D(2025, 1, 2)), block(D(2024, 6, 1))),
        pain_scores=(PainScore(date=D(2025, 3, 1), nrs=6),),
    )

    visible, issues = split(episode_as_of(e, AS_OF))

    assert [b.date for b in visible.diagnostic_blocks] == [D(2024, 5, 1), D(2024, 6, 1)]
    assert visible.pain_scores == ()
    assert issues == [
        DataIssue("info", "pain_scores[0]", "dated 2025-03-01, after the as-of date 2025-01-01; not used"),
        DataIssue("info", "diagnostic_blocks[1]", "dated 2025-01-02, after the as-of date 2025-01-01; not used"),
    ]


def test_kept_facts_are_referred_to_by_their_original_location_when_their_list_lost_facts() -> None:
    e = episode(
        diagnostic_blocks=(
            block(D(2024, 5, 1)),
            block(D(2025, 6, 1)),  # dropped
            block(D(2024, 6, 1)),  # was diagnostic_blocks[2]; now the second kept block
            block(D(2024, 7, 1), id="Procedure/blk-9"),  # a recorded id is kept
        )
    )

    cut = episode_as_of(e, AS_OF)

    assert [cut.ref(b, "diagnostic_blocks") for b in cut.episode.diagnostic_blocks] == [
        "diagnostic_blocks[0]",
        "diagnostic_blocks[2]",
        "Procedure/blk-9",
    ]
    assert cut.episode.diagnostic_blocks[0].id is None  # the facts themselves are not rewritten


def test_ids_and_locations_are_left_alone_in_a_list_that_lost_no_facts() -> None:
    e = episode(
        diagnostic_blocks=(block(D(2024, 5, 1)),),
        pain_scores=(PainScore(date=D(2025, 3, 1), nrs=6),),  # another list loses a fact
    )

    cut = episode_as_of(e, AS_OF)

    assert cut.episode.diagnostic_blocks[0].id is None
    assert cut.ref(cut.episode.diagnostic_blocks[0], "diagnostic_blocks") == "diagnostic_blocks[0]"


def test_a_course_ending_after_the_as_of_date_is_treated_as_ongoing() -> None:
    e = episode(
        physical_therapy=(PhysicalTherapyCourse(start_date=D(2024, 10, 1), end_date=D(2025, 2, 1)),),
        medications=(
            MedicationCourse(start_date=D(2024, 3, 1), end_date=D(2024, 9, 1), drug_class="nsaid"),  # ended before
            MedicationCourse(start_date=D(2025, 2, 1), drug_class="nsaid"),  # starts after: dropped
        ),
    )

    visible, issues = split(episode_as_of(e, AS_OF))

    assert visible.physical_therapy[0].end_date is None
    assert visible.physical_therapy[0].start_date == D(2024, 10, 1)
    assert [(m.start_date, m.end_date) for m in visible.medications] == [(D(2024, 3, 1), D(2024, 9, 1))]
    assert [issue.location for issue in issues] == ["medications[1]"]  # the trimmed PT course is not an issue


def test_follow_up_scores_after_the_as_of_date_are_dropped_from_their_injection() -> None:
    injection = TherapeuticInjection(
        date=D(2024, 12, 1),
        side="left",
        pre_injection_nrs=8,
        follow_up=(
            FollowUpPain(date=D(2024, 12, 15), nrs=2),
            FollowUpPain(date=AS_OF, nrs=3),  # on the as-of date: kept
            FollowUpPain(date=D(2025, 1, 15), nrs=6),  # after: dropped
        ),
    )

    visible, issues = split(episode_as_of(episode(therapeutic_injections=(injection,)), AS_OF))

    assert [f.date for f in visible.therapeutic_injections[0].follow_up] == [D(2024, 12, 15), AS_OF]
    assert issues == []


def test_pain_onset_after_the_as_of_date_is_a_warning_and_is_set_aside() -> None:
    e = episode(pain=PainPresentation(onset_date=D(2025, 3, 1), below_l5=True))

    visible, issues = split(episode_as_of(e, AS_OF))

    assert issues == [DataIssue("warning", "pain.onset_date", "2025-03-01 is after the as-of date 2025-01-01")]
    assert visible.pain.onset_date is None
    assert visible.pain.below_l5 is True  # the rest of the presentation stays


def test_the_original_episode_is_not_changed() -> None:
    e = episode(diagnostic_blocks=(block(D(2024, 5, 1)), block(D(2025, 6, 1))))

    episode_as_of(e, AS_OF)

    assert len(e.diagnostic_blocks) == 2
    assert e.diagnostic_blocks[0].id is None


def test_diagnoses_recorded_after_the_as_of_date_are_dropped() -> None:
    # Diagnoses are dated by `recorded_date`, not `date` or `start_date`.
    e = episode(
        diagnoses=(
            Diagnosis(code="M46.1", recorded_date=D(2024, 6, 1)),
            Diagnosis(code="M45.8", recorded_date=D(2025, 6, 1)),
        )
    )

    visible, issues = split(episode_as_of(e, AS_OF))

    assert [d.code for d in visible.diagnoses] == ["M46.1"]
    assert [(issue.severity, issue.location) for issue in issues] == [("info", "diagnoses[1]")]


def test_a_contraindication_review_after_the_as_of_date_is_not_known_on_it() -> None:
    e = episode(contraindications_reviewed_on=D(2025, 10, 1))

    visible, issues = split(episode_as_of(e, AS_OF))

    assert visible.contraindications_reviewed_on is None
    assert [(issue.severity, issue.location) for issue in issues] == [("info", "contraindications_reviewed_on")]


def test_a_contraindication_review_on_the_as_of_date_is_kept() -> None:
    e = episode(contraindications_reviewed_on=AS_OF)

    visible, issues = split(episode_as_of(e, AS_OF))

    assert visible.contraindications_reviewed_on == AS_OF
    assert issues == []


def test_latest_picks_the_most_recent_fact_and_breaks_same_day_ties_by_record_order() -> None:
    from sijpath.domain.findings import TobaccoUse
    from sijpath.domain.timeline import latest

    never = TobaccoUse(date=D(2026, 10, 5), status="never")
    current = TobaccoUse(date=D(2026, 10, 5), status="current")
    older = TobaccoUse(date=D(2025, 1, 1), status="former")
    assert latest([older, never, current]) == (2, current)
    assert latest([current, never, older]) == (1, never)
    assert latest([]) is None


def test_a_rolling_window_excludes_its_start_and_includes_its_end() -> None:
    from sijpath.domain.timeline import RollingWindow

    year = RollingWindow(D(2026, 11, 1), 12)
    assert year.start == D(2025, 11, 1)
    assert D(2025, 11, 1) not in year  # exactly 12 months before: outside
    assert D(2025, 11, 2) in year
    assert D(2026, 11, 1) in year
    assert D(2026, 11, 2) not in year
    assert "2026-01-01" not in year  # only dates are inside a window


def _dates_in(episode: Episode) -> list[dt.date]:
    """Every date the record holds, found the slow, obvious way (a course's end and confirmation, follow-ups)."""
    found = []
    for entry in FACT_LISTS:
        for fact in getattr(episode, entry.name):
            found.append(getattr(fact, entry.date_field))
            found += [d for d in (getattr(fact, "end_date", None), getattr(fact, "last_confirmed", None)) if d]
            found += [score.date for score in getattr(fact, "follow_up", ())]
    return found


@given(episodes(), st.dates(dt.date(2019, 1, 1), LAST_GENERATED_DAY))
def test_the_cut_leaves_nothing_after_the_as_of_date_and_leaves_an_episode_alone_that_has_nothing_after_it(
    episode: Episode, as_of: dt.date
) -> None:
    cut = episode_as_of(episode, as_of).episode
    assert all(day <= as_of for day in _dates_in(cut))
    if all(day <= as_of for day in _dates_in(episode)):
        assert cut is episode or cut.pain.onset_date != episode.pain.onset_date


def test_every_list_with_an_end_date_also_has_a_last_confirmed_date() -> None:
    # The as-of cut reads both together from every course.
    for entry in FACT_LISTS:
        assert not entry.has_end or {"end_date", "last_confirmed"} <= set(entry.model.model_fields)
