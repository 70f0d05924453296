"""`sijpath reassess`: every stored patient assessed again, stored per joint, the next-step changes recorded."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from sijpath import wiring
from sijpath.errors import UnknownRuleSetError
from sijpath.pathway.assess import evaluate
from sijpath.screening.reassess import ReassessRequest, reassess_store
from sijpath.settings import Settings
from sijpath.store import episodes as store
from sijpath.store import reassess
from sijpath.store.database import transaction, upgrade
from sijpath.store.tables import assessments, audit_log, episodes, step_changes
from sijpath.wiring.reassess import reassess_database
from sijpath.wiring.screening import load_rulesets

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 1)
LATER = dt.date(2027, 6, 1)  # the fusion candidate's evidence is older by then: the step moves back
RULESETS = ("source-articles", "cms-mis-fusion")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stored")
    settings = Settings(data_dir=folder)
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)
    with transaction(engine) as connection:
        for path in sorted(EXAMPLES.glob("*.yaml")):
            store.save_episode(connection, wiring.load_episode(path), expected_version=None, actor="seed", now=NOW)
    engine.dispose()
    return folder


@pytest.fixture
def settings(template: Path, tmp_path: Path) -> Settings:
    for file in template.iterdir():
        shutil.copy(file, tmp_path / file.name)
    return Settings(data_dir=tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    db = wiring.open_database(settings)
    yield db
    db.dispose()


def _request(engine: Engine, as_of: dt.date, **more: object) -> ReassessRequest:
    loader = lambda: load_rulesets(RULESETS, as_of)  # noqa: E731
    return ReassessRequest(engine, loader, as_of, "cli:test", lambda: NOW, **more)  # type: ignore[arg-type]


def _stored(engine: Engine, as_of: dt.date) -> dict[tuple[str, str], tuple[str, str]]:
    query = select(assessments.c.patient_id, assessments.c.ruleset_id, assessments.c.next_step, assessments.c.stage)
    with engine.connect() as connection:
        rows = connection.execute(query.where(assessments.c.as_of == as_of))
        return {(p, r): (step, stage) for p, r, step, stage in rows}


def test_every_stored_patient_gets_the_assessment_sijpath_assess_gives_per_joint_under_each_rule_set(
    engine: Engine,
) -> None:
    summary = reassess_store(_request(engine, DAY, batch_patients=4))
    stored = _stored(engine, DAY)
    with engine.connect() as connection:
        ids = list(connection.execute(select(episodes.c.patient_id)).scalars())
        patients = [store.load_episode(connection, i) for i in ids]
    assert summary.patients == len(ids) > 4  # more than one batch
    assert summary.assessed == len(stored) == len(ids) * len(RULESETS)
    for ruleset in load_rulesets(RULESETS, DAY):
        for patient in patients:
            assessment = evaluate(patient.episode, ruleset, DAY, patient.record_issues)
            row = store.assessment_row(assessment, patient.fingerprint, NOW)
            assert stored[(patient.episode.patient.id, ruleset.id)] == (row["next_step"], row["stage"])
    bilateral = [step for step, _ in stored.values() if step.startswith("left:") and " right:" in step]
    assert bilateral  # one token per joint


def test_a_rerun_assesses_nothing_again_and_finds_no_changes(engine: Engine) -> None:
    reassess_store(_request(engine, DAY))
    again = reassess_store(_request(engine, DAY))
    assert (again.assessed, again.changed) == (0, 0)
    assert again.current == again.patients * len(RULESETS)


def test_a_patient_whose_next_step_changes_is_recorded_with_the_step_before_and_after(engine: Engine) -> None:
    reassess_store(_request(engine, DAY))
    before = _stored(engine, DAY)
    later = reassess_store(_request(engine, LATER))
    after = _stored(engine, LATER)
    moved = {key for key in after if after[key][0] != before[key][0]}
    assert moved  # the example trajectories do move on by then
    with engine.connect() as connection:
        rows = connection.execute(select(step_changes).where(step_changes.c.run_id == later.run_id)).all()
    assert {(r.patient_id, r.ruleset_id) for r in rows} == moved
    for r in rows:
        assert (r.before_as_of, r.before_step, r.after_step) == (
            DAY,
            before[(r.patient_id, r.ruleset_id)][0],
            after[(r.patient_id, r.ruleset_id)][0],
        )
    assert later.changed == len(moved)
    with engine.connect() as connection:
        total, page = reassess.run_changes(connection, later.run_id, "source-articles")
        run = reassess.latest_run(connection, "source-articles")
    assert total == len([k for k in moved if k[1] == "source-articles"]) == len(page)
    assert run is not None
    assert (run.id, run.status, run.changed) == (later.run_id, "complete", later.changed)


def test_only_records_changed_since_the_day_are_assessed_when_asked(engine: Engine) -> None:
    with transaction(engine) as connection:
        first = connection.execute(select(episodes.c.patient_id).order_by(episodes.c.patient_id)).scalars().first()
        connection.execute(
            update(episodes).where(episodes.c.patient_id == first).values(updated_at=NOW + dt.timedelta(days=30))
        )
    summary = reassess_store(_request(engine, DAY, changed_since=DAY + dt.timedelta(days=10)))
    assert summary.patients == 1
    assert {p for p, _ in _stored(engine, DAY)} == {first}


def test_an_episode_changed_after_it_was_read_is_not_stored_with_the_old_fingerprint(engine: Engine) -> None:
    with transaction(engine) as connection:
        patient = store.load_episode(connection, "fusion-candidate")
        ruleset = load_rulesets(["source-articles"], DAY)[0]
        row = store.assessment_row(evaluate(patient.episode, ruleset, DAY, ()), "0" * 64, NOW)
        run_id = reassess.start_run(connection, [("source-articles", ruleset.version)], DAY, None, "t", 1, NOW)
        assert reassess.store_batch(connection, run_id, [row]) == 0
    assert _stored(engine, DAY) == {}


def test_two_worker_processes_store_what_one_process_stores(settings: Settings, tmp_path: Path) -> None:
    single = tmp_path / "single"
    single.mkdir()
    for file in settings.data_dir.iterdir():
        if file.is_file():
            shutil.copy(file, single / file.name)
    one = reassess_database(Settings(data_dir=single), list(RULESETS), DAY, "cli:test", workers=1)
    two = reassess_database(settings, list(RULESETS), DAY, "cli:test", workers=2)
    engines = [wiring.open_database(Settings(data_dir=single)), wiring.open_database(settings)]
    try:
        assert _stored(engines[0], DAY) == _stored(engines[1], DAY) != {}
        assert (one.assessed, one.patients) == (two.assessed, two.patients)
        with engines[1].connect() as connection:
            actions = connection.execute(select(audit_log.c.action, audit_log.c.actor)).all()
        assert ("reassess", "cli:test") in actions
    finally:
        for db in engines:
            db.dispose()


def test_a_rule_set_that_is_not_built_in_is_refused_before_anything_is_stored(settings: Settings) -> None:
    with pytest.raises(UnknownRuleSetError, match=r"no built-in rule set `rules\.toml`"):
        reassess_database(settings, ["rules.toml"], DAY, "cli:test")
