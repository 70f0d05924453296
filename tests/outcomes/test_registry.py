"""The registry's writes and schedule reads on SQLite: validated, audited, nothing stored half-way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select

from sijpath.errors import ConflictError, NotFoundError, OutcomeEntryError
from sijpath.outcomes.entries import parse_entry
from sijpath.outcomes.eq5d import parse_value_set
from sijpath.outcomes.registry import due_list, patient_schedule, record_entry, register_procedure
from sijpath.outcomes.schedule import schedule_status
from sijpath.store.database import transaction
from sijpath.store.tables import audit_log, outcome_entries, outcome_procedures
from tests.outcomes.conftest import INVENTED_VALUE_SET, NOW

FUSION = {"patient_id": "P-1", "joint": "left", "procedure": "fusion", "performed_on": "2026-01-15", "payer": "x"}


def _count(connection: Connection, table: Any) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _register(connection: Connection, **changes: Any) -> int:
    return register_procedure(connection, {**FUSION, **changes}, actor="nurse", now=NOW)


def _record(connection: Connection, procedure_id: int, **values: Any) -> dict[str, Any]:
    return record_entry(connection, procedure_id, values, actor="nurse", now=NOW)


def test_a_registered_procedure_and_its_entry_are_stored_and_audited(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        stored = _record(connection, pid, measured_on="2026-04-16", odi_items=[2, 2, 2, 2, 2, 2, 1, None, 2, 1])
    assert stored["day"] == 91
    assert stored["odi"] == pytest.approx(16 / 45 * 100)
    with engine.connect() as connection:
        entry = connection.execute(select(outcome_entries)).one()
        assert (entry.procedure_id, entry.measured_on, entry.day) == (pid, dt.date(2026, 4, 16), 91)
        assert entry.odi_items == "2,2,2,2,2,2,1,,2,1"
        assert entry.entered_by == "nurse"
        actions = [r.action for r in connection.execute(select(audit_log).order_by(audit_log.c.seq))]
        assert actions == ["outcome-procedure", "outcome-entry"]


def test_an_invalid_entry_stores_nothing_not_even_an_audit_row(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        with pytest.raises(OutcomeEntryError) as caught:
            _record(connection, pid, measured_on="2026-04-16", nrs_back=7, odi_items=[1, None, None] + [1] * 7)
        assert "nothing was stored" in str(caught.value)
        assert _count(connection, outcome_entries) == 0
        assert _count(connection, audit_log) == 1  # the procedure's own


def test_every_problem_of_an_entry_is_listed_at_once(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        with pytest.raises(OutcomeEntryError) as caught:
            _record(
                connection, pid, measured_on="2026-01-10", ct_bridging="bridged", odi_items=[9] + [1] * 9, eq5d=[1] * 4
            )
    assert [p.location for p in caught.value.problems] == ["ct_bridging", "odi_items[0]", "eq5d"]


@pytest.mark.parametrize(
    ("values", "location"),
    [
        ({"nrs_back": 11}, "nrs_back"),
        ({"nrs_leg": -1}, "nrs_leg"),
        ({"odi_total": 100.5}, "odi_total"),
        ({"satisfaction": "ecstatic"}, "satisfaction"),
        ({"nrs_back": 3, "unknown_field": 1}, "unknown_field"),
    ],
)
def test_an_out_of_range_answer_is_refused_naming_its_field(
    engine: Engine, values: dict[str, Any], location: str
) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        with pytest.raises(OutcomeEntryError) as caught:
            _record(connection, pid, measured_on="2026-04-16", **values)
        assert [p.location for p in caught.value.problems] == [location]
        assert _count(connection, outcome_entries) == 0


def test_both_odi_answers_and_a_total_are_refused(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        with pytest.raises(OutcomeEntryError) as caught:
            _record(connection, pid, measured_on="2026-04-16", odi_items=[1] * 10, odi_total=20)
    assert [p.location for p in caught.value.problems] == ["odi_total"]


def test_an_entry_that_records_nothing_is_refused(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        with pytest.raises(OutcomeEntryError, match="records nothing"):
            _record(connection, pid, measured_on="2026-04-16")


def test_opioid_use_is_computed_from_the_medication_list(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        stored = _record(
            connection, pid, measured_on="2026-04-16", medications=[{"drug": "oxycodone", "dose": 5, "per_day": 4}]
        )
    assert (stored["opioid_use"], stored["opioid_mme"]) == (True, pytest.approx(30.0))


@pytest.mark.parametrize(
    ("said", "medications"), [(False, [{"drug": "tramadol", "dose": 50, "per_day": 2}]), (True, [])]
)
def test_opioid_use_that_contradicts_the_medication_list_is_refused(
    engine: Engine, said: bool, medications: list[dict[str, Any]]
) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        with pytest.raises(OutcomeEntryError) as caught:
            _record(connection, pid, measured_on="2026-04-16", opioid_use=said, medications=medications)
    assert [p.location for p in caught.value.problems] == ["opioid_use"]


def test_an_eq5d_without_a_value_set_is_stored_as_its_state_with_no_index(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        stored = _record(connection, pid, measured_on="2026-04-16", eq5d=[2, 1, 1, 4, 3])
    assert (stored["eq5d_state"], stored["eq5d_index"], stored["eq5d_value_set"]) == ("21143", None, None)


def test_the_same_procedure_twice_is_a_conflict_and_the_first_is_kept(engine: Engine) -> None:
    with transaction(engine) as connection:
        _register(connection)
        with pytest.raises(ConflictError, match="already has a fusion on the left joint on 2026-01-15"):
            _register(connection, payer="y")
        assert _count(connection, outcome_procedures) == 1


def test_an_invalid_procedure_is_refused_naming_each_field(engine: Engine) -> None:
    with transaction(engine) as connection, pytest.raises(OutcomeEntryError) as caught:
        _register(connection, joint="middle", procedure="laminectomy", performed_on="2026-02-30")
    assert sorted(p.location for p in caught.value.problems) == ["joint", "performed_on", "procedure"]


def test_an_entry_for_an_unknown_procedure_is_not_found(engine: Engine) -> None:
    with transaction(engine) as connection, pytest.raises(NotFoundError, match="no index procedure 99"):
        _record(connection, 99, measured_on="2026-04-16", nrs_back=3)


def test_the_patient_schedule_reads_the_stored_entries(engine: Engine) -> None:
    with transaction(engine) as connection:
        pid = _register(connection)
        _record(connection, pid, measured_on="2026-01-10", nrs_back=8)
        _record(connection, pid, measured_on="2026-02-26", nrs_back=5)
    with engine.connect() as connection:
        [(procedure, statuses)] = patient_schedule(connection, "P-1", dt.date(2026, 4, 20))
    assert procedure.id == pid
    assert [(s.time_point.code, s.status) for s in statuses] == [
        ("baseline", "done"),
        ("6w", "done"),
        ("3m", "overdue"),
        ("6m", "upcoming"),
        ("12m", "upcoming"),
        ("24m", "upcoming"),
    ]


def test_the_due_list_holds_exactly_the_open_unfilled_windows_of_each_patient_schedule(engine: Engine) -> None:
    as_of = dt.date(2026, 6, 1)
    with transaction(engine) as connection:
        for n, performed in enumerate(["2026-04-01", "2026-03-01", "2025-12-01", "2025-06-20", "2026-05-25"]):
            for procedure in ("fusion", "rfa"):
                pid = _register(connection, patient_id=f"P-{n}", procedure=procedure, performed_on=performed)
                if n == 1:
                    _record(connection, pid, measured_on="2026-05-30", nrs_back=4)  # fills day 90
    with engine.connect() as connection:
        due = due_list(connection, as_of)
        expected = set()
        for n in range(5):
            for procedure, statuses in patient_schedule(connection, f"P-{n}", as_of):
                expected |= {
                    (procedure.id, s.time_point.code, s.status)
                    for s in statuses
                    if s.status in ("due", "overdue") and s.time_point.code != "baseline"
                }
    assert {(d.procedure_id, d.time_point, d.status) for d in due} == expected
    assert expected  # the scenario has open windows
    assert [d.closes for d in due] == sorted(d.closes for d in due)


def test_due_list_status_agrees_with_the_schedule_at_the_target_day(engine: Engine) -> None:
    with transaction(engine) as connection:
        _register(connection)
    performed = dt.date(2026, 1, 15)
    with engine.connect() as connection:
        for day, status in ((91, "due"), (92, "overdue")):
            as_of = performed + dt.timedelta(days=day)
            [item] = due_list(connection, as_of)
            assert (item.time_point, item.status) == ("3m", status)
            three = next(s for s in schedule_status("fusion", performed, (), as_of) if s.time_point.code == "3m")
            assert three.status == status


@pytest.mark.parametrize(
    ("values", "location"),
    [
        ({"nrs_back": True}, "nrs_back"),
        ({"nrs_leg": "7"}, "nrs_leg"),
        ({"odi_items": [True] + [1] * 9}, "odi_items.0"),
        ({"odi_total": "40"}, "odi_total"),
        ({"eq5d": ["2", 1, 1, 1, 1]}, "eq5d.0"),
        ({"opioid_use": "yes"}, "opioid_use"),
        ({"revision": 1}, "revision"),
        ({"medications": [{"drug": "morphine", "dose": "10", "per_day": 2}]}, "medications.0.dose"),
    ],
)
def test_a_boolean_or_text_where_a_number_or_flag_belongs_is_refused_not_coerced(
    values: dict[str, Any], location: str
) -> None:
    with pytest.raises(OutcomeEntryError) as caught:
        parse_entry({"measured_on": "2026-04-16", **values})
    assert [p.location for p in caught.value.problems] == [location]


def test_an_eq5d_with_a_loaded_value_set_stores_its_index_and_which_set(engine: Engine) -> None:
    value_set = parse_value_set(INVENTED_VALUE_SET, "invented.toml")
    with transaction(engine) as connection:
        pid = _register(connection)
        record_entry(
            connection, pid, {"measured_on": "2026-04-16", "eq5d": [2, 1, 1, 4, 3]}, actor="nurse", now=NOW,
            value_set=value_set,
        )  # fmt: skip
    with engine.connect() as connection:
        entry = connection.execute(select(outcome_entries)).one()
    assert (entry.eq5d_state, entry.eq5d_value_set) == ("21143", "invented-test")
    assert entry.eq5d_index == pytest.approx(0.55)  # worked by hand in test_eq5d
