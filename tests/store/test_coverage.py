"""A patient's coverage in the store: none until recorded, replaced as a whole, unchanged values not rewritten, and
gone with the patient."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from sijpath.domain.episode import Episode, Patient
from sijpath.store.coverage import Coverage, load_coverage, save_coverage
from sijpath.store.database import transaction
from sijpath.store.episodes import delete_episode, save_episode
from tests.store.conftest import NOW

MEDICARE = Coverage("Medicare", "Part B", "1EG4-TE5-MK73", "noridian")


def test_a_patient_without_recorded_coverage_reads_back_as_none(engine: Engine) -> None:
    with engine.connect() as connection:
        assert load_coverage(connection, "p1") is None


def test_recorded_coverage_reads_back_with_who_recorded_it_and_when(engine: Engine) -> None:
    with transaction(engine) as connection:
        before = save_coverage(connection, "p1", MEDICARE, "staff", NOW)
    with engine.connect() as connection:
        found = load_coverage(connection, "p1")
    assert before is None
    assert found == Coverage("Medicare", "Part B", "1EG4-TE5-MK73", "noridian", "staff", NOW)


def test_a_new_coverage_replaces_the_old_and_the_old_is_returned_for_the_audit(engine: Engine) -> None:
    later = NOW + dt.timedelta(days=1)
    commercial = Coverage("Commercial", "Choice POS II", "W123456789")
    with transaction(engine) as connection:
        save_coverage(connection, "p1", MEDICARE, "staff", NOW)
        before = save_coverage(connection, "p1", commercial, "clinician", later)
    with engine.connect() as connection:
        found = load_coverage(connection, "p1")
    assert before is not None
    assert before.fields() == MEDICARE.fields()
    assert found == Coverage("Commercial", "Choice POS II", "W123456789", "", "clinician", later)


def test_saving_the_same_values_again_keeps_the_first_recording(engine: Engine) -> None:
    with transaction(engine) as connection:
        save_coverage(connection, "p1", MEDICARE, "staff", NOW)
        save_coverage(connection, "p1", MEDICARE, "clinician", NOW + dt.timedelta(hours=1))
    with engine.connect() as connection:
        found = load_coverage(connection, "p1")
    assert found is not None
    assert (found.updated_by, found.updated_at) == ("staff", NOW)


def test_deleting_the_patient_deletes_their_coverage(engine: Engine) -> None:
    with transaction(engine) as connection:
        save_episode(connection, Episode(patient=Patient(id="p1")), expected_version=None, actor="a", now=NOW)
        save_coverage(connection, "p1", MEDICARE, "staff", NOW)
        delete_episode(connection, "p1", None)
    with engine.connect() as connection:
        assert load_coverage(connection, "p1") is None
