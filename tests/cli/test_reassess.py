"""`sijpath reassess` from the command line: the run's counts printed, bad dates refused with exit code 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.settings import Settings
from sijpath.store import episodes as store
from sijpath.store.database import transaction, upgrade
from tests.cli.running import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _database(folder: Path) -> Path:
    engine = wiring.open_database(Settings(data_dir=folder), require_current=False)
    upgrade(engine)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with transaction(engine) as connection:
        for name in ("fusion-candidate", "new-referral"):
            episode = wiring.load_episode(EXAMPLES / f"{name}.yaml")
            store.save_episode(connection, episode, expected_version=None, actor="seed", now=now)
    engine.dispose()
    return folder


def test_reassess_prints_what_it_stored_and_a_second_run_finds_everything_current(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["reassess", "--data-dir", str(_database(tmp_path)), "-r", "source-articles", "--as-of", "2026-11-01"]
    code, out, _ = run(capsys, *args, "--workers", "1", "--quiet")
    assert code == 0
    assert "run 1: 2 patients, 2 assessments stored, 0 already current, 0 next steps changed" in out
    code, out, _ = run(capsys, *args, "--workers", "1", "--quiet")
    assert "run 2: 2 patients, 0 assessments stored, 2 already current" in out


@pytest.mark.parametrize(
    ("option", "message"),
    [("--since", "'yesterday' is not a date"), ("--as-of", "'2026-13-01' is not a date"), ("-r", "rules.toml")],
)
def test_a_bad_option_is_refused_with_exit_code_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, message: str
) -> None:
    value = {"--since": "yesterday", "--as-of": "2026-13-01", "-r": "rules.toml"}[option]
    code, out, err = run(capsys, "reassess", "--data-dir", str(_database(tmp_path)), option, value, "--quiet")
    assert code == 2
    assert message in out + err
