"""Decision-aid answers in the store: every recording kept, the newest per patient and joint read back as written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from sijpath.store.database import transaction
from sijpath.store.decision_aid_answers import latest_answers, record_answers
from sijpath.store.tables import decision_aid_answers
from tests.store.conftest import NOW

AID_DAY = dt.date(2026, 11, 1)


def _record(engine: Engine, joint: str, answers: dict[str, object], at: dt.datetime, actor: str = "alice") -> None:
    with transaction(engine) as connection:
        record_answers(
            connection,
            patient_id="p1",
            joint=joint,
            aid_date=AID_DAY,
            ruleset_id="source-articles",
            answers=answers,
            actor=actor,
            now=at,
        )


def test_nothing_recorded_reads_back_as_none(engine: Engine) -> None:
    with engine.connect() as connection:
        assert latest_answers(connection, "p1", "left") is None


def test_the_newest_recording_of_the_joint_is_read_back_and_the_earlier_one_is_kept(engine: Engine) -> None:
    _record(engine, "left", {"values": {"cost": "a-lot"}}, NOW)
    _record(
        engine, "left", {"values": {"cost": "a-little"}, "sure": {"encouragement": True}}, NOW + dt.timedelta(1), "bob"
    )
    _record(engine, "right", {"leaning": "unsure"}, NOW + dt.timedelta(2))

    with engine.connect() as connection:
        latest = latest_answers(connection, "p1", "left")
        kept = connection.execute(select(func.count()).select_from(decision_aid_answers)).scalar_one()
    assert latest is not None
    assert latest.answers == {"values": {"cost": "a-little"}, "sure": {"encouragement": True}}
    assert (latest.recorded_by, latest.recorded_at, latest.aid_date) == ("bob", NOW + dt.timedelta(1), AID_DAY)
    assert kept == 3
