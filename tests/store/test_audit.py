"""The audit trail on SQLite and PostgreSQL: a hash chain that verifies, and that exposes every altered, deleted
or reordered row, also when two writers append at once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import DateTime, Engine, bindparam, func, select, text

from sijpath.store import audit
from sijpath.store.database import transaction
from sijpath.store.tables import audit_log, cds_replays

NOW = dt.datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=dt.UTC)
ROWS = 5


def append(engine: Engine, n: int, actor: str = "alice", at: dt.datetime = NOW, *, write_first: bool = False) -> None:
    with transaction(engine) as connection:
        if write_first:  # as a CDS call does: its cards are written, then the call is audited
            connection.execute(cds_replays.insert(), {"token_key": f"{actor}-{n}", "expires_at": at})
        audit.record(
            connection,
            actor=actor,
            action="read" if n % 2 else "update",
            patient_id=None if n == 3 else f"patient-{n}",
            detail=f"version {n}",
            remote="10.0.0.7",
            at=at + dt.timedelta(seconds=n),
        )


@pytest.fixture
def trail(engine: Engine) -> Engine:
    """Five rows, one transaction each (row 3 concerns no patient)."""
    for n in range(1, ROWS + 1):
        append(engine, n)
    return engine


def tamper(engine: Engine, sql: str, **values: Any) -> None:
    statement = text(sql)
    if "at" in values:
        statement = statement.bindparams(bindparam("at", type_=DateTime(timezone=True)))
    with transaction(engine) as connection:
        assert connection.execute(statement, values).rowcount >= 1


def test_an_untouched_trail_verifies(trail: Engine) -> None:
    assert audit.verify(trail) == (ROWS, [])


def test_an_empty_trail_verifies(engine: Engine) -> None:
    assert audit.verify(engine) == (0, [])


def test_each_row_records_who_what_when_and_from_where_linked_to_the_row_before(trail: Engine) -> None:
    with trail.connect() as connection:
        rows = list(connection.execute(select(audit_log).order_by(audit_log.c.seq)))

    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    first = rows[0]
    assert (first.actor, first.action, first.patient_id, first.detail, first.remote) == (
        "alice",
        "read",
        "patient-1",
        "version 1",
        "10.0.0.7",
    )
    at = first.at if first.at.tzinfo else first.at.replace(tzinfo=dt.UTC)
    assert at == NOW + dt.timedelta(seconds=1)
    assert first.prev_hash == audit.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_a_timestamp_given_in_another_time_zone_is_stored_and_verified_as_the_same_instant(engine: Engine) -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    append(engine, 1, at=NOW.astimezone(berlin))

    with engine.connect() as connection:
        stored = connection.execute(select(audit_log.c.at)).scalar_one()
    assert (stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)) == NOW + dt.timedelta(seconds=1)
    assert audit.verify(engine) == (1, [])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "mallory"),
        ("action", "read"),  # row 2 was an update
        ("patient_id", "patient-99"),
        ("patient_id", None),
        ("detail", "version 1"),
        ("remote", "127.0.0.1"),
        ("prev_hash", "f" * 64),
        ("hash", "0" * 64),
    ],
)
def test_altering_any_column_of_a_row_is_detected_and_the_row_named(trail: Engine, column: str, value: str) -> None:
    tamper(
        trail,
        f"UPDATE audit_log SET {column} = :value WHERE seq = 2",
        value=value,
    )

    checked, problems = audit.verify(trail)

    assert checked == ROWS
    assert any(p.startswith("row 2:") for p in problems), problems


def test_altering_the_time_of_a_row_by_one_microsecond_is_detected(trail: Engine) -> None:
    tamper(trail, "UPDATE audit_log SET at = :at WHERE seq = 2", at=NOW + dt.timedelta(seconds=2, microseconds=1))

    _, problems = audit.verify(trail)

    assert problems == ["row 2: content does not match its hash (altered?)"]


def test_renumbering_a_row_is_detected(trail: Engine) -> None:
    tamper(trail, "UPDATE audit_log SET seq = 9 WHERE seq = 5")

    _, problems = audit.verify(trail)

    assert "row 5…8 missing (deleted?)" in problems
    assert "row 9: content does not match its hash (altered?)" in problems


def test_deleting_a_middle_row_is_detected_and_the_gap_named(trail: Engine) -> None:
    tamper(trail, "DELETE FROM audit_log WHERE seq = 3")

    checked, problems = audit.verify(trail)

    assert checked == ROWS - 1
    assert problems == ["row 3…3 missing (deleted?)", "row 4: does not link to the row before it"]


def test_deleting_the_first_row_is_detected(trail: Engine) -> None:
    tamper(trail, "DELETE FROM audit_log WHERE seq = 1")

    _, problems = audit.verify(trail)

    assert problems == ["row 1…1 missing (deleted?)", "row 2: does not link to the row before it"]


def test_swapping_two_rows_is_detected(trail: Engine) -> None:
    tamper(trail, "UPDATE audit_log SET seq = -2 WHERE seq = 2")
    tamper(trail, "UPDATE audit_log SET seq = 2 WHERE seq = 4")
    tamper(trail, "UPDATE audit_log SET seq = 4 WHERE seq = -2")

    _, problems = audit.verify(trail)

    assert {"row 2: content does not match its hash (altered?)", "row 4: does not link to the row before it"} <= set(
        problems
    )


def test_swapping_the_contents_of_two_rows_but_not_their_numbers_is_detected(trail: Engine) -> None:
    columns = ["at", "actor", "action", "patient_id", "detail", "remote", "prev_hash", "hash"]
    with trail.connect() as connection:
        two, four = (
            connection.execute(select(*(audit_log.c[c] for c in columns)).where(audit_log.c.seq == n)).one()
            for n in (2, 4)
        )
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    statement = text(f"UPDATE audit_log SET {assignments} WHERE seq = :seq")
    statement = statement.bindparams(bindparam("at", type_=DateTime(timezone=True)), bindparam("seq"))
    with transaction(trail) as connection:
        connection.execute(statement, {**two._asdict(), "seq": 4})
        connection.execute(statement, {**four._asdict(), "seq": 2})

    _, problems = audit.verify(trail)

    assert any(p.startswith("row 2:") for p in problems)
    assert any(p.startswith("row 4:") for p in problems)


@pytest.mark.parametrize("alice_writes_first", [False, True])
def test_appends_from_two_threads_at_once_all_succeed_and_keep_one_valid_chain(
    engine: Engine, alice_writes_first: bool
) -> None:
    per_thread = 60
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(actor: str) -> None:
        start.wait()
        for n in range(per_thread):
            try:
                append(engine, n, actor=actor, write_first=alice_writes_first and actor == "alice")
            except Exception as exc:  # collected: an assertion in a thread would not fail the test
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(actor,)) for actor in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert audit.verify(engine) == (2 * per_thread, [])
    with engine.connect() as connection:
        by_actor = dict(connection.execute(select(audit_log.c.actor, func.count()).group_by(audit_log.c.actor)).all())
    assert by_actor == {"alice": per_thread, "bob": per_thread}


def test_a_row_appended_in_a_transaction_that_rolls_back_leaves_no_trace(trail: Engine) -> None:
    def audited_request_that_fails() -> None:
        with transaction(trail) as connection:
            audit.record(connection, actor="alice", action="read", patient_id="p", detail="", remote="-", at=NOW)
            raise RuntimeError("the request failed after auditing")

    with pytest.raises(RuntimeError):
        audited_request_that_fails()

    assert audit.verify(trail) == (ROWS, [])


def test_deleting_the_newest_rows_is_caught_against_a_head_recorded_earlier(trail: Engine) -> None:
    anchor = audit.head(trail)
    assert anchor is not None
    assert audit.verify(trail, anchor) == (anchor[0], [])

    tamper(trail, "DELETE FROM audit_log WHERE seq >= :seq", seq=anchor[0] - 1)

    checked, problems = audit.verify(trail, anchor)
    assert audit.verify(trail) == (checked, [])  # the shortened chain alone looks intact
    assert problems == [f"row {anchor[0]}, the head recorded earlier, is gone: the newest rows were deleted"]


def test_a_rewritten_head_does_not_match_the_head_recorded_earlier(trail: Engine) -> None:
    anchor = audit.head(trail)
    assert anchor is not None

    tamper(trail, "UPDATE audit_log SET hash = :h WHERE seq = :seq", h="0" * 64, seq=anchor[0])

    assert f"row {anchor[0]}: not the row recorded as the head earlier (rewritten?)" in audit.verify(trail, anchor)[1]
