"""`sijpath db upgrade`, `sijpath audit verify` and the server's schema check, through the command line."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import text

from sijpath import wiring
from sijpath.settings import Settings
from sijpath.store.database import transaction
from tests.cli.running import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SIJPATH_DATA_DIR", "SIJPATH_DATABASE_URL", "SIJPATH_RULESET", "SIJPATH_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # Rich wraps at the terminal width; keep each problem on one line


def seed(data_dir: Path) -> int:
    """The example patients saved through the services; returns how many audit rows that wrote."""
    settings = Settings(data_dir=data_dir)
    engine = wiring.open_database(settings)
    try:
        return wiring.seed_examples(wiring.web_services(settings, engine), EXAMPLES)
    finally:
        engine.dispose()


def sql(data_dir: Path, statement: str) -> None:
    engine = wiring.open_database(Settings(data_dir=data_dir))
    try:
        with transaction(engine) as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_database_and_a_second_run_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))
    assert code == 0
    assert "(was empty)" in out
    assert (tmp_path / "sijpath.db").is_file()

    code, out, _ = run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))
    assert code == 0
    assert "database at revision" in out
    assert "was" not in out


def test_audit_verify_passes_on_an_upgraded_database_and_on_an_untouched_trail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))[0] == 0
    code, out, _ = run(capsys, "audit", "verify", "--data-dir", str(tmp_path))
    assert (code, out.strip()) == (0, "audit trail intact: 0 rows")

    rows = seed(tmp_path)
    code, out, _ = run(capsys, "audit", "verify", "--data-dir", str(tmp_path))

    assert rows > 3
    assert code == 0
    first, head = out.strip().splitlines()
    assert first == f"audit trail intact: {rows} rows"
    assert head.startswith(f"head {rows}:")

    # The head it printed catches a cut tail later.
    anchor = head.split()[1]
    assert run(capsys, "audit", "verify", "--data-dir", str(tmp_path), "--expect", anchor)[0] == 0
    with sqlite3.connect(tmp_path / "sijpath.db") as connection:
        connection.execute("DELETE FROM audit_log WHERE seq = ?", (rows,))
    code, out, _ = run(capsys, "audit", "verify", "--data-dir", str(tmp_path), "--expect", anchor)
    assert code == 1
    assert "the newest rows were deleted" in out


def test_audit_verify_exits_1_naming_an_altered_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))
    seed(tmp_path)
    sql(tmp_path, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")

    code, out, _ = run(capsys, "audit", "verify", "--data-dir", str(tmp_path))

    assert code == 1
    assert out.strip() == "row 3: content does not match its hash (altered?)"


def test_audit_verify_exits_1_naming_a_deleted_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))
    seed(tmp_path)
    sql(tmp_path, "DELETE FROM audit_log WHERE seq = 2")

    code, out, _ = run(capsys, "audit", "verify", "--data-dir", str(tmp_path))

    assert code == 1
    assert "row 2…2 missing (deleted?)" in out
    assert "row 3: does not link to the row before it" in out


def test_audit_verify_on_a_database_never_upgraded_says_to_run_db_upgrade(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "audit", "verify", "--data-dir", str(tmp_path))

    assert code == 1
    assert "is empty" in err
    assert "sijpath db upgrade" in err


def test_the_server_refuses_to_start_on_a_database_that_is_behind_and_says_how_to_upgrade(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))

    code, _, err = run(capsys, "serve", "--data-dir", str(tmp_path), "--workers", "1")

    assert code == 1
    assert "sijpath db upgrade" in err
    assert started == []


def test_the_server_starts_on_an_upgraded_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))

    code, _, err = run(capsys, "serve", "--data-dir", str(tmp_path), "--workers", "1")

    assert (code, err) == (0, "")
    assert len(started) == 1


@pytest.mark.parametrize("workers", ["1", "3"])
def test_serve_turns_off_uvicorns_proxy_headers_and_starts_the_workers_asked_for(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    from sijpath.wiring import workers as worker_processes

    started: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append((args, kwargs)))
    monkeypatch.setattr(worker_processes, "run_workers", lambda *args, **kwargs: started.append((args, kwargs)))
    monkeypatch.setenv("SIJPATH_SERVE_SETTINGS", "")  # restored after the test, whatever serve sets
    run(capsys, "db", "upgrade", "--data-dir", str(tmp_path))

    code, _, err = run(capsys, "serve", "--data-dir", str(tmp_path), "--workers", workers)

    assert (code, err) == (0, "")
    [(args, kwargs)] = started
    assert kwargs["proxy_headers"] is False  # uvicorn would believe X-Forwarded-For from any loopback caller
    if workers == "1":
        assert "workers" not in kwargs
    else:
        assert args == ("sijpath.wiring.server:served_from_environment", 3, "127.0.0.1", 8000)
        handed = Settings.model_validate_json(os.environ["SIJPATH_SERVE_SETTINGS"])
        assert handed.data_dir == tmp_path
