"""Synthetic outcomes: the same seed gives the same cohort, every stored row and report says synthetic."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from sijpath.errors import ConflictError
from sijpath.outcomes.rendering import SYNTHETIC_BANNER, report_markdown
from sijpath.outcomes.report import build_report
from sijpath.outcomes.schedule import SCHEDULES
from sijpath.outcomes.synthetic import SYNTHETIC_ACTOR, store_synthetic, synthetic_cohort
from sijpath.store.database import transaction
from sijpath.store.outcomes import cohort_rows
from sijpath.store.tables import audit_log, outcome_entries, outcome_procedures
from tests.outcomes.conftest import NOW

AS_OF = dt.date(2026, 11, 1)


def _store(engine: Engine, patients: int = 40, seed: int = 15) -> int:
    with transaction(engine) as connection:
        return store_synthetic(connection, patients, seed=seed, now=NOW, as_of=AS_OF)


def _markdown(engine: Engine) -> str:
    with engine.connect() as connection:
        return report_markdown(build_report(cohort_rows(connection), AS_OF, ()))


def test_the_same_seed_gives_the_same_cohort() -> None:
    assert list(synthetic_cohort(50, seed=7, as_of=AS_OF)) == list(synthetic_cohort(50, seed=7, as_of=AS_OF))


def test_another_seed_gives_another_cohort() -> None:
    assert list(synthetic_cohort(50, seed=7, as_of=AS_OF)) != list(synthetic_cohort(50, seed=8, as_of=AS_OF))


def test_synthetic_patients_are_named_as_such_and_followed_on_their_schedule() -> None:
    for head, entries in synthetic_cohort(60, seed=3, as_of=AS_OF):
        assert str(head["patient_id"]).startswith("SYN-")
        assert str(head["payer"]).startswith("synthetic-")
        assert head["performed_on"] <= AS_OF
        assert all(e.measured_on <= AS_OF for e in entries)
        assert len(entries) <= len(SCHEDULES[head["procedure"]])


def test_every_stored_row_is_labelled_synthetic_and_the_run_is_audited(engine: Engine) -> None:
    stored = _store(engine)
    with engine.connect() as connection:
        procedures = list(connection.execute(select(outcome_procedures)))
        entries = list(connection.execute(select(outcome_entries)))
        [audit] = list(connection.execute(select(audit_log)))
    assert len(procedures) == 40
    assert len(entries) == stored > 40
    assert all(p.synthetic and p.created_by == SYNTHETIC_ACTOR for p in procedures)
    assert all(e.entered_by == SYNTHETIC_ACTOR for e in entries)
    assert (audit.action, audit.actor) == ("outcome-synthetic", SYNTHETIC_ACTOR)
    assert '"seed": 15' in audit.detail


def test_the_report_over_a_synthetic_cohort_says_so(engine: Engine) -> None:
    _store(engine)
    text = _markdown(engine)
    assert SYNTHETIC_BANNER in text
    assert "## fusion" in text


def test_the_same_seed_stored_twice_elsewhere_gives_the_byte_identical_report(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from sijpath.store.database import connect, upgrade

    other = connect(f"sqlite:///{tmp_path_factory.mktemp('other') / 'outcomes.db'}")
    try:
        upgrade(other)
        _store(engine)
        _store(other)
        assert _markdown(engine) == _markdown(other)
    finally:
        other.dispose()


def test_storing_the_same_synthetic_patients_twice_is_a_clear_conflict_and_stores_nothing(engine: Engine) -> None:
    _store(engine, patients=10)
    with pytest.raises(ConflictError, match="synthetic"):
        _store(engine, patients=10)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(outcome_procedures)).scalar_one() == 10
