"""The store's side of batch re-assessment, on SQLite and PostgreSQL: pages of episodes, batches of assessments,
the step changes against the assessment stored before, and the run journal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from sijpath import wiring
from sijpath.pathway.assess import evaluate
from sijpath.store import episodes as store
from sijpath.store import reassess
from sijpath.store.database import transaction
from tests.store.conftest import NOW

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DAY, LATER = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def test_a_changed_next_step_is_recorded_against_the_step_stored_before_and_an_unchanged_one_is_not(
    engine: Engine,
) -> None:
    ruleset = wiring.load_ruleset("source-articles", DAY)
    with transaction(engine) as connection:
        for name in ("fusion-candidate", "new-referral"):
            episode = wiring.load_episode(EXAMPLES / f"{name}.yaml")
            store.save_episode(connection, episode, expected_version=None, actor="t", now=NOW)
        page = reassess.episode_page(connection, None, 1, None)
        rest = reassess.episode_page(connection, page.last, 10, None)
        assert [r[0] for r in page.rows + rest.rows] == ["fusion-candidate", "new-referral"]  # keyset paging
        stored = [store.load_episode(connection, p) for p in ("fusion-candidate", "new-referral")]
        day_rows = []
        for s in stored:
            assessment = evaluate(s.episode, ruleset, DAY, s.record_issues)
            store.save_assessment(connection, assessment, s.fingerprint, now=NOW)
            day_rows.append(store.assessment_row(assessment, s.fingerprint, NOW))
        run_id = reassess.start_run(connection, [(ruleset.id, ruleset.version)], LATER, None, "cli:t", 2, NOW)
        rows = [
            store.assessment_row(evaluate(s.episode, ruleset, LATER, s.record_issues), s.fingerprint, NOW)
            for s in stored
        ]
        rows[0]["next_step"] = "left:changed-step"  # the store compares tokens; what they say is the engine's
        rows[1]["next_step"] = day_rows[1]["next_step"]
        prints = {s.episode.patient.id: s.fingerprint for s in stored}
        assert reassess.current_pairs(connection, prints, {ruleset.id: ruleset.version}, LATER) == set()
        assert reassess.store_batch(connection, run_id, rows) == 1
        reassess.record_progress(connection, run_id, 2, 2, 1)
        reassess.finish_run(connection, run_id, "complete", NOW)
        assert reassess.current_pairs(connection, prints, {ruleset.id: ruleset.version}, LATER) == {
            ("fusion-candidate", ruleset.id),
            ("new-referral", ruleset.id),
        }
        total, changes = reassess.run_changes(connection, run_id, ruleset.id)
        run = reassess.latest_run(connection, ruleset.id)
    assert total == 1
    assert changes[0].patient_id == "fusion-candidate"
    assert changes[0].after == (("left", "changed-step"),)
    assert changes[0].before_as_of == DAY
    assert changes[0].before == tuple(tuple(t.split(":", 1)) for t in day_rows[0]["next_step"].split())
    assert run is not None
    assert (run.status, run.patients_done, run.assessed, run.changed) == ("complete", 2, 2, 1)
    assert run.rulesets == (f"{ruleset.id}@{ruleset.version}",)
