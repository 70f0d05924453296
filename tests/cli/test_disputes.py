"""`sijpath disputes`: the patient's disputed facts listed with both sources, and one resolved from the shell
(audited as the operating-system user)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from sijpath import wiring
from sijpath.fhir.writer import episode_bundle
from sijpath.settings import Settings
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.database import transaction, upgrade
from sijpath.store.tables import audit_log
from sijpath.wiring.server import web_services
from tests.cli.running import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _disputed(folder: Path) -> Path:
    """The fusion candidate entered here, then imported with its second injection's relief at 30% (70% here)."""
    settings = Settings(data_dir=folder)
    engine = wiring.open_database(settings, require_current=False)
    upgrade(engine)
    episode = wiring.load_episode(EXAMPLES / "fusion-candidate.yaml")
    with transaction(engine) as connection:
        now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        store.save_episode(connection, episode, expected_version=None, actor="seed", now=now)
    ehr = episode.model_copy(
        update={
            "therapeutic_injections": tuple(
                i.model_copy(update={"relief_percent": 30.0}) if i.id == "inj-2" else i
                for i in episode.therapeutic_injections
            )
        }
    )
    services = web_services(settings, engine)
    services.import_bundle(User("clinician", "clinician"), orjson.dumps(episode_bundle(ehr)), "ehr.json", "local")
    engine.dispose()
    return folder


def test_disputes_list_names_the_fact_both_values_and_both_sources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "disputes", "list", "fusion-candidate", "--data-dir", str(_disputed(tmp_path)))

    assert code == 0
    for said in ("inj-2", "relief_percent", "70.0 (entered:seed)", "30.0 (fhir:Procedure/inj-2)"):
        assert said in out


def test_disputes_resolve_keeps_the_chosen_value_and_is_audited_as_the_shell_user(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _disputed(tmp_path)

    code, out, _ = run(
        capsys, "disputes", "resolve", "fusion-candidate", "inj-2", "--keep", "other", "--data-dir", str(folder)
    )

    assert code == 0
    assert "dispute on inj-2 resolved" in out
    engine = wiring.open_database(Settings(data_dir=folder))
    with engine.connect() as connection:
        stored = store.load_episode(connection, "fusion-candidate")
        row = connection.execute(select(audit_log).where(audit_log.c.action == "resolve-dispute")).one()
    engine.dispose()
    assert not any(i.dispute for i in stored.record_issues)
    assert next(i for i in stored.episode.therapeutic_injections if i.id == "inj-2").relief_percent == 30.0
    assert row.actor.startswith("cli:")
    code, out, _ = run(capsys, "disputes", "list", "fusion-candidate", "--data-dir", str(folder))
    assert "no disputed facts" in out


def test_resolving_a_fact_that_is_not_disputed_is_an_error_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _disputed(tmp_path)

    code, _, err = run(
        capsys, "disputes", "resolve", "fusion-candidate", "inj-1", "--keep", "record", "--data-dir", str(folder)
    )

    assert code != 0
    assert "no open dispute on `inj-1`" in err
