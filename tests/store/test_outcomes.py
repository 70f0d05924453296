"""Outcome rows on SQLite and PostgreSQL: procedures and entries round-trip, windows and cohort reads as SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Connection, Engine

from sijpath.errors import ConflictError, NotFoundError
from sijpath.store import outcomes
from sijpath.store.database import transaction

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PROCEDURE: dict[str, Any] = {
    "patient_id": "P-1",
    "joint": "right",
    "procedure": "rfa",
    "performed_on": dt.date(2026, 1, 15),
    "payer": "payer-a",
    "ruleset_id": "source-articles",
    "fact_id": "rfa-1",
    "synthetic": False,
    "created_at": NOW,
    "created_by": "nurse",
}


def entry(procedure_id: int, day: int, **values: Any) -> dict[str, Any]:
    return {
        "procedure_id": procedure_id,
        "measured_on": dt.date(2026, 1, 15) + dt.timedelta(days=day),
        "day": day,
        "entered_by": "nurse",
        "entered_at": NOW,
        **values,
    }


def add(connection: Connection, **changes: Any) -> int:
    return outcomes.add_procedure(connection, {**PROCEDURE, **changes})


def test_a_procedure_round_trips_with_its_types(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = add(connection)
    with engine.connect() as connection:
        row = outcomes.procedure_row(connection, pid)
    assert {k: getattr(row, k) for k in PROCEDURE if k != "created_at"} == {
        k: v for k, v in PROCEDURE.items() if k != "created_at"
    }
    assert row.created_at.replace(tzinfo=dt.UTC) == NOW


def test_an_entry_round_trips_every_column(engine: Engine) -> None:
    values = {
        "nrs_back": 4,
        "nrs_leg": 2,
        "odi": 35.5,
        "odi_items": "2,2,2,2,2,2,1,,2,1",
        "eq5d_state": "21143",
        "eq5d_index": 0.55,
        "eq5d_value_set": "invented",
        "opioid_use": True,
        "opioid_mme": 30.0,
        "medications": '[{"drug":"oxycodone","dose":5.0,"per_day":4.0}]',
        "satisfaction": "satisfied",
        "working": False,
        "ct_bridging": "bridged",
        "complication": "wound infection",
        "revision": False,
        "readmission": True,
    }
    with transaction(engine) as connection:
        pid = add(connection)
        outcomes.add_entries(connection, [entry(pid, 91, **values)])
    with engine.connect() as connection:
        [row] = [r for r in outcomes.cohort_rows(connection) if r.day is not None]
        assert dict(zip(outcomes.COHORT_COLUMNS, row, strict=True)) == {
            "id": pid,
            "procedure": "rfa",
            "performed_on": dt.date(2026, 1, 15),
            "synthetic": False,
            "day": 91,
            **{k: values[k] for k in outcomes.COHORT_COLUMNS if k in values},
        }
        stored = connection.exec_driver_sql("SELECT * FROM outcome_entries").mappings().one()
    assert {k: stored[k] for k in values} == values


def test_the_same_procedure_twice_is_a_conflict_and_the_transaction_goes_on(engine: Engine) -> None:
    with transaction(engine) as connection:
        add(connection)
        with pytest.raises(ConflictError, match="P-1 already has a rfa on the right joint on 2026-01-15"):
            add(connection)
        other = add(connection, joint="left")  # the savepoint kept the transaction usable
    with engine.connect() as connection:
        assert [p.joint for p in outcomes.patient_procedures(connection, "P-1")] == ["right", "left"]
        assert outcomes.procedure_row(connection, other).joint == "left"


def test_an_unknown_procedure_is_not_found(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(NotFoundError):
        outcomes.procedure_row(connection, 12345)


def test_entry_days_lists_each_procedures_days_and_empty_for_none(engine: Engine) -> None:
    with transaction(engine) as connection:
        first, second = add(connection), add(connection, joint="left")
        outcomes.add_entries(connection, [entry(first, -3, nrs_back=7), entry(first, 90, nrs_back=3)])
    with engine.connect() as connection:
        days = outcomes.entry_days(connection, [first, second])
    assert {k: sorted(v) for k, v in days.items()} == {first: [-3, 90], second: []}


@pytest.mark.parametrize(("day", "listed"), [(59, False), (60, True), (120, True), (121, False)])
def test_open_windows_without_entry_at_the_window_edges(engine: Engine, day: int, listed: bool) -> None:
    with transaction(engine) as connection:
        pid = add(connection)
    as_of = dt.date(2026, 1, 15) + dt.timedelta(days=day)
    with engine.connect() as connection:
        found = outcomes.open_windows_without_entry(connection, "rfa", as_of, 60, 120)
        other_kind = outcomes.open_windows_without_entry(connection, "fusion", as_of, 60, 120)
    assert [r.id for r in found] == ([pid] if listed else [])
    assert other_kind == []


def test_an_entry_in_the_window_closes_it_and_one_outside_does_not(engine: Engine) -> None:
    as_of = dt.date(2026, 1, 15) + dt.timedelta(days=100)
    with transaction(engine) as connection:
        filled, outside = add(connection), add(connection, joint="left")
        outcomes.add_entries(connection, [entry(filled, 60, nrs_back=3), entry(outside, 59, nrs_back=3)])
    with engine.connect() as connection:
        found = outcomes.open_windows_without_entry(connection, "rfa", as_of, 60, 120)
    assert [r.id for r in found] == [outside]


def test_cohort_filters_each_narrow_the_cohort(engine: Engine) -> None:
    with transaction(engine) as connection:
        add(connection)
        add(connection, patient_id="P-2", procedure="fusion", payer="payer-b", ruleset_id="asipp-2024")
        add(connection, patient_id="P-3", performed_on=dt.date(2026, 6, 1))
    cases: dict[str, tuple[dict[str, Any], list[str]]] = {
        "procedure": ({"procedure": "fusion"}, ["P-2"]),
        "payer": ({"payer": "payer-a"}, ["P-1", "P-3"]),
        "from": ({"performed_from": dt.date(2026, 6, 1)}, ["P-3"]),
        "to": ({"performed_to": dt.date(2026, 5, 31)}, ["P-1", "P-2"]),
        "rule set": ({"ruleset_id": "asipp-2024"}, ["P-2"]),
        "none": ({}, ["P-1", "P-2", "P-3"]),
    }
    with engine.connect() as connection:
        for name, (filters, patients) in cases.items():
            ids = [r.id for r in outcomes.cohort_rows(connection, outcomes.cohort_filter(**filters))]
            found = sorted(outcomes.procedure_row(connection, i).patient_id for i in ids)
            assert found == patients, name


def test_cohort_rows_keep_a_procedure_without_entries_and_come_in_entry_order(engine: Engine) -> None:
    with transaction(engine) as connection:
        first, bare = add(connection), add(connection, joint="left")
        outcomes.add_entries(connection, [entry(first, 90, nrs_back=5), entry(first, 90, nrs_back=4)])
    with engine.connect() as connection:
        rows = [(r.id, r.day, r.nrs_back) for r in outcomes.cohort_rows(connection)]
    assert rows == [(first, 90, 5), (first, 90, 4), (bare, None, None)]


def test_an_entry_after_the_day_asked_about_leaves_the_window_open_on_that_day(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = add(connection)
        outcomes.add_entries(connection, [entry(pid, 110, nrs_back=3)])
    performed = dt.date(2026, 1, 15)
    with engine.connect() as connection:
        before = outcomes.open_windows_without_entry(connection, "rfa", performed + dt.timedelta(days=100), 60, 120)
        after = outcomes.open_windows_without_entry(connection, "rfa", performed + dt.timedelta(days=110), 60, 120)
    assert [r.id for r in before] == [pid]
    assert after == []
