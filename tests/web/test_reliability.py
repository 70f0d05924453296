"""Writes are transactional: a Bundle import that fails half-way, or whose process is killed half-way, leaves
nothing behind and can be re-run; re-importing the same Bundle changes nothing; a stale edit writes nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, func, select, text

from sijpath import wiring
from sijpath.errors import ConflictError
from sijpath.settings import Settings
from sijpath.store import audit
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.import_runs import recent_runs
from sijpath.store.tables import assessments, audit_log, episodes, facts, imports
from sijpath.web.services import App
from tests.web.conftest import EXAMPLES, Clock

CLINICIAN = User("clinician", "clinician")
TABLES = (episodes, facts, imports, assessments, audit_log)
REPO = Path(__file__).resolve().parents[2]


def example_entries(name: str, suffix: str | None = None) -> list[dict[str, Any]]:
    """The entries of an example Bundle; with `suffix`, every id and fullUrl made unique (a new patient)."""
    entries: list[dict[str, Any]] = orjson.loads((EXAMPLES / "fhir" / f"{name}.json").read_bytes())["entry"]
    if suffix is None:
        return entries
    ids = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": f"{e['resource']['resourceType']}/"
        f"{e['resource']['id']}-{suffix}"
        for e in entries
    }
    urls = {e["fullUrl"]: f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, e['fullUrl'] + suffix)}" for e in entries}

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (urls.get(v) or ids.get(v, v)) if k == "reference" and isinstance(v, str) else rename(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [rename(v) for v in value]
        return value

    renamed = []
    for entry in entries:
        copy = rename(entry)
        copy["fullUrl"] = urls[entry["fullUrl"]]
        copy["resource"]["id"] = f"{entry['resource']['id']}-{suffix}"
        renamed.append(copy)
    return renamed


def bundle(*entry_lists: list[dict[str, Any]]) -> bytes:
    return orjson.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [e for entries in entry_lists for e in entries]}
    )


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table an import writes, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=lambda row: repr(row))
            for table in TABLES
        }


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


@pytest.fixture
def three_patients() -> bytes:
    """A new patient, an update of the seeded `fusion-candidate`, and another new patient, in that order."""
    return bundle(
        example_entries("new-referral", "a"),
        example_entries("fusion-candidate"),
        example_entries("lasting-relief", "c"),
    )


# A failure half-way


def test_an_import_whose_third_patient_fails_keeps_the_two_before_it_whole_and_the_journal_says_so(
    services: App, three_patients: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_rows = count(services.engine, audit_log)
    real_save = store.save_episode
    saved: list[str] = []

    def failing_save(connection: Any, episode: Any, **options: Any) -> store.StoredEpisode:
        if len(saved) == 2:
            raise OSError("disk full")
        stored = real_save(connection, episode, **options)
        saved.append(episode.patient.id)
        return stored

    monkeypatch.setattr(store, "save_episode", failing_save)

    with pytest.raises(OSError, match="disk full"):
        services.import_bundle(CLINICIAN, three_patients, "three.json", "10.0.0.7")

    assert saved == ["new-referral-a", "fusion-candidate"]  # two patients were written before the failure
    # Each patient is atomic: the two before the failure are there with their digest and audit row, the third
    # left nothing (not even its import digest), and the journal names where it stopped.
    assert count(services.engine, episodes, episodes.c.patient_id == "lasting-relief-c") == 0
    assert count(services.engine, imports) == 2
    assert audit.verify(services.engine) == (audit_rows + 2, [])
    with services.engine.connect() as connection:
        [run] = recent_runs(connection)
    assert (run.status, run.patients_done, run.patients_total) == ("failed", 2, 3)
    assert "lasting-relief-c" in run.note


def test_after_a_failed_import_the_same_bundle_imports_in_full(
    services: App, three_patients: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(store, "save_episode", _raise_on_call(2, store.save_episode))
        with pytest.raises(OSError, match="disk full"):
            services.import_bundle(CLINICIAN, three_patients, "three.json", "10.0.0.7")

    results = services.import_bundle(CLINICIAN, three_patients, "three.json", "10.0.0.7")

    assert [(r.patient_id, r.created, r.unchanged, r.version) for r in results] == [
        ("new-referral-a", False, True, 1),  # imported by the first run already
        ("fusion-candidate", False, False, 2),  # the one the first run failed on
        ("lasting-relief-c", True, False, 1),
    ]
    assert count(services.engine, imports) == 3
    with services.engine.connect() as connection:
        assert [r.status for r in recent_runs(connection)] == ["complete", "failed"]


def _raise_on_call(failing_call: int, real: Any) -> Any:
    calls = 0

    def save(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == failing_call:
            raise OSError("disk full")
        return real(*args, **kwargs)

    return save


# Re-importing


def test_reimporting_the_same_bundle_reports_unchanged_and_writes_no_version_or_audit_row(
    services: App, three_patients: bytes, clock: Clock
) -> None:
    first = services.import_bundle(CLINICIAN, three_patients, "three.json", "10.0.0.7")
    after_first = snapshot(services.engine)
    clock.now += dt.timedelta(hours=2)

    again = services.import_bundle(User("staff", "staff"), three_patients, "three-again.json", "10.0.0.8")

    assert [(r.patient_id, r.created, r.unchanged, r.version) for r in again] == [
        (r.patient_id, False, True, r.version) for r in first
    ]
    assert snapshot(services.engine) == after_first
    assert audit.verify(services.engine) == (len(after_first["audit_log"]), [])


def test_a_bundle_with_changed_resources_for_a_known_patient_becomes_its_next_version(services: App) -> None:
    original = example_entries("new-referral", "a")
    services.import_bundle(CLINICIAN, bundle(original), "first.json", "10.0.0.7")
    changed = orjson.loads(orjson.dumps(original))
    changed[0]["resource"]["birthDate"] = "1975-07-20"

    [result] = services.import_bundle(CLINICIAN, bundle(changed), "second.json", "10.0.0.7")

    assert (result.created, result.unchanged, result.version) == (False, False, 2)
    with services.engine.connect() as connection:
        assert store.load_episode(connection, "new-referral-a").episode.patient.birth_date == dt.date(1975, 7, 20)


def test_each_imported_patient_gets_one_audit_row_saying_who_imported_what_from_where(
    services: App, three_patients: bytes
) -> None:
    rows_before = count(services.engine, audit_log)

    services.import_bundle(CLINICIAN, three_patients, "three.json", "10.0.0.7")

    with services.engine.connect() as connection:
        rows = list(connection.execute(select(audit_log).where(audit_log.c.seq > rows_before)))
    assert [(r.actor, r.action, r.patient_id, r.remote) for r in rows] == [
        ("clinician", "import", patient, "10.0.0.7")
        for patient in ("new-referral-a", "fusion-candidate", "lasting-relief-c")
    ]
    assert all(r.detail.startswith("three.json: version ") for r in rows)


# Two clinicians editing the same patient


def test_a_clinician_saving_over_a_newer_version_gets_a_conflict_and_nothing_is_written(services: App) -> None:
    with services.engine.connect() as connection:
        opened = store.load_episode(connection, "fusion-candidate")  # both clinicians opened version 1
    services.save(User("dr-a", "clinician"), opened.episode.model_copy(update={"pain_scores": ()}), 1, "10.0.0.1")
    before = snapshot(services.engine)

    with pytest.raises(ConflictError, match=r"changed by dr-a \(version 2\) after you opened version 1"):
        services.save(User("dr-b", "clinician"), opened.episode.model_copy(update={"odi_scores": ()}), 1, "10.0.0.2")

    assert snapshot(services.engine) == before


# A process killed half-way through an import

IMPORTER = """\
import sys
from pathlib import Path

from sijpath import wiring
from sijpath.store import episodes as store
from sijpath.store.accounts import User

data_dir, bundle, progress = map(Path, sys.argv[1:4])
real_save, saved = store.save_episode, 0


def save(*args, **kwargs):
    global saved
    stored = real_save(*args, **kwargs)
    saved += 1
    if saved == 100:
        progress.write_text("100")
    return stored


store.save_episode = save
settings = wiring.settings_from({}, data_dir=data_dir)
services = wiring.web_services(settings, wiring.open_database(settings))
results = services.import_bundle(User("importer", "clinician"), bundle.read_bytes(), bundle.name, "batch")
progress.write_text(f"done {len(results)}")
"""
PATIENTS = 1000  # large enough that the kill lands well inside the import


def test_an_import_killed_half_way_leaves_a_consistent_database_and_can_be_run_again(
    services: App, tmp_path: Path
) -> None:
    script, big, progress, log = (tmp_path / n for n in ("importer.py", "big.json", "progress", "importer.log"))
    script.write_text(IMPORTER)
    big.write_bytes(bundle(*(example_entries("new-referral", f"{n:04d}") for n in range(PATIENTS))))
    audit_rows, patients = count(services.engine, audit_log), count(services.engine, episodes)
    command = [sys.executable, str(script), str(tmp_path), str(big), str(progress)]

    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _wait_for(progress, process, log)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert progress.read_text() == "100"  # killed in the middle: 100 patients written, the last not committed

    restarted = wiring.open_database(Settings(data_dir=tmp_path))  # the schema check a server start makes passes
    try:
        with restarted.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        # Each patient is committed on its own: the 99 before the kill are whole (episode, digest, audit row),
        # the one being written is gone entirely.
        committed = count(restarted, episodes, episodes.c.patient_id.like("new-referral-%"))
        assert 99 <= committed < PATIENTS  # the kill lands a moment after the 100th save
        assert count(restarted, episodes) == patients + committed
        assert count(restarted, imports) == committed
        assert audit.verify(restarted) == (audit_rows + committed, [])

        rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)

        assert rerun.returncode == 0, rerun.stderr
        assert progress.read_text() == f"done {PATIENTS}"
        with restarted.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        assert count(restarted, episodes, episodes.c.patient_id.like("new-referral-%")) == PATIENTS
        assert count(restarted, imports) == PATIENTS
        assert audit.verify(restarted) == (audit_rows + PATIENTS, [])
    finally:
        restarted.dispose()


def _wait_for(progress: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the importer reports it is under way; fails if it ends first or never gets there."""
    deadline = time.monotonic() + 300
    while not progress.exists():
        if process.poll() is not None:
            pytest.fail(f"the importer ended (exit {process.returncode}) before it was killed:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the importer did not get under way within 5 minutes:\n{log.read_text()}")
        time.sleep(0.02)
