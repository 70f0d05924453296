"""Follow-up schedules and windows: due, overdue, missed and done at each boundary, and entries before the procedure."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from sijpath.errors import OutcomeEntryError
from sijpath.outcomes.entries import entry_row, parse_entry
from sijpath.outcomes.schedule import SCHEDULES, Procedure, Status, TimePoint, schedule_status, time_point_of

PERFORMED = dt.date(2026, 1, 15)
# (code, opens, target, closes) in days after the procedure, as the catalog's sijpath-follow-up-windows states them
WINDOWS = {
    "baseline": (-90, 0, 0),
    "6w": (28, 42, 56),
    "3m": (60, 91, 120),
    "6m": (150, 182, 240),
    "12m": (300, 365, 420),
    "24m": (630, 730, 810),
}
FUSION_AFTER = ["6w", "3m", "6m", "12m", "24m"]
RFA_AFTER = ["3m", "6m", "12m"]


def _status(procedure: Procedure, code: str, day: int, measured: tuple[int, ...] = ()) -> Status:
    as_of = PERFORMED + dt.timedelta(days=day)
    statuses = {s.time_point.code: s for s in schedule_status(procedure, PERFORMED, measured, as_of)}
    return statuses[code].status


def test_fusion_is_followed_at_baseline_six_weeks_and_three_six_twelve_twenty_four_months() -> None:
    assert [t.code for t in SCHEDULES["fusion"]] == ["baseline", *FUSION_AFTER]


def test_rfa_is_followed_at_baseline_and_three_six_twelve_months() -> None:
    assert [t.code for t in SCHEDULES["rfa"]] == ["baseline", *RFA_AFTER]


@pytest.mark.parametrize("procedure", ["fusion", "rfa", "therapeutic-injection"])
def test_every_window_is_the_catalogued_one_and_windows_never_overlap(procedure: Procedure) -> None:
    points = SCHEDULES[procedure]
    assert all((t.opens_day, t.target_day, t.closes_day) == WINDOWS[t.code] for t in points)
    assert all(a.closes_day < b.opens_day for a, b in pairwise(points))


FUSION_CASES = [(c, *WINDOWS[c]) for c in FUSION_AFTER]
RFA_CASES = [(c, *WINDOWS[c]) for c in RFA_AFTER]


@pytest.mark.parametrize(
    ("procedure", "code", "opens", "target", "closes"),
    [("fusion", *case) for case in FUSION_CASES] + [("rfa", *case) for case in RFA_CASES],
)
def test_status_at_each_window_boundary(procedure: Procedure, code: str, opens: int, target: int, closes: int) -> None:
    assert _status(procedure, code, opens - 1) == "upcoming"
    assert _status(procedure, code, opens) == "due"
    assert _status(procedure, code, target) == "due"
    assert _status(procedure, code, target + 1) == "overdue"
    assert _status(procedure, code, closes) == "overdue"
    assert _status(procedure, code, closes + 1) == "missed"


@pytest.mark.parametrize(
    ("procedure", "code", "opens", "closes"),
    [("fusion", c, o, cl) for c, o, _, cl in FUSION_CASES] + [("rfa", c, o, cl) for c, o, _, cl in RFA_CASES],
)
def test_an_entry_on_either_edge_of_the_window_counts_and_one_day_outside_does_not(
    procedure: Procedure, code: str, opens: int, closes: int
) -> None:
    late = closes + 1
    assert _status(procedure, code, late, measured=(opens,)) == "done"
    assert _status(procedure, code, late, measured=(closes,)) == "done"
    assert _status(procedure, code, late, measured=(opens - 1,)) == "missed"
    assert _status(procedure, code, late, measured=(closes + 1,)) == "missed"


def test_baseline_is_due_up_to_the_procedure_day_and_missed_the_day_after() -> None:
    assert _status("fusion", "baseline", -91) == "upcoming"
    assert _status("fusion", "baseline", -90) == "due"
    assert _status("fusion", "baseline", 0) == "due"
    assert _status("fusion", "baseline", 1) == "missed"
    assert _status("fusion", "baseline", 1, measured=(-90,)) == "done"
    assert _status("fusion", "baseline", 1, measured=(0,)) == "done"


def test_the_dates_of_each_window_are_counted_from_the_procedure() -> None:
    six_weeks = next(s for s in schedule_status("fusion", PERFORMED, (), PERFORMED) if s.time_point.code == "6w")
    assert (six_weeks.opens, six_weeks.target, six_weeks.closes) == (
        dt.date(2026, 2, 12),
        dt.date(2026, 2, 26),
        dt.date(2026, 3, 12),
    )


def test_a_day_between_windows_belongs_to_no_time_point() -> None:
    assert time_point_of("fusion", 57) is None
    assert time_point_of("rfa", 42) is None  # RFA has no 6-week visit
    point = time_point_of("rfa", 60)
    assert isinstance(point, TimePoint)
    assert point.code == "3m"


def _entry(measured_on: str, **values: object) -> dict[str, object]:
    return entry_row(parse_entry({"measured_on": measured_on, **values}), PERFORMED)


def test_a_measurement_up_to_ninety_days_before_the_procedure_is_a_baseline() -> None:
    assert _entry("2025-10-17", nrs_back=7)["day"] == -90
    assert _entry("2026-01-15", nrs_back=7)["day"] == 0


def test_a_measurement_more_than_ninety_days_before_the_procedure_is_refused() -> None:
    with pytest.raises(OutcomeEntryError) as caught:
        _entry("2025-10-16", nrs_back=7)
    assert [p.location for p in caught.value.problems] == ["measured_on"]
    assert "91 days before the index procedure (2026-01-15)" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("name", "value"),
    [("ct_bridging", "bridged"), ("complication", "wound infection"), ("revision", True), ("readmission", True)],
)
def test_an_event_dated_before_its_index_procedure_is_refused(name: str, value: object) -> None:
    with pytest.raises(OutcomeEntryError) as caught:
        _entry("2026-01-14", **{name: value})
    assert [p.location for p in caught.value.problems] == [name]
    assert "before the index procedure (2026-01-15)" in caught.value.problems[0].message


def test_an_event_on_the_day_of_the_procedure_is_accepted() -> None:
    assert _entry("2026-01-15", complication="dural tear")["complication"] == "dural tear"


def test_an_entry_made_after_the_day_asked_about_does_not_count_yet() -> None:
    assert _status("fusion", "3m", 100, measured=(110,)) == "overdue"
    assert _status("fusion", "3m", 110, measured=(110,)) == "done"
