"""The changes page: the patients whose next step the latest `sijpath reassess` run changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient

from sijpath.screening.reassess import ReassessRequest, reassess_store
from sijpath.web.services import App
from sijpath.wiring.screening import load_rulesets


def _reassess(services: App, as_of: dt.date) -> int:
    request = ReassessRequest(
        services.engine, lambda: load_rulesets(["source-articles"], as_of), as_of, "cli:test", services.now
    )
    return reassess_store(request).changed


def test_before_any_run_the_page_says_how_to_start_one(sign_in: Callable[[str], TestClient]) -> None:
    page = sign_in("staff").get("/changes")
    assert page.status_code == 200
    assert "No batch re-assessment has covered source-articles yet" in page.text
    assert "sijpath reassess" in page.text


def test_a_patient_whose_step_changed_is_listed_with_each_joint_before_and_after(
    services: App, sign_in: Callable[[str], TestClient]
) -> None:
    _reassess(services, dt.date(2026, 11, 1))
    assert _reassess(services, dt.date(2027, 6, 1)) > 0
    page = sign_in("clinician").get("/changes?ruleset=source-articles")
    assert page.status_code == 200
    assert "fusion-candidate" in page.text
    row = page.text.split('href="/patients/fusion-candidate', 1)[1].split("</tr>", 1)[0]
    assert 'data-step="fusion-evaluation"' in row.split("as of 2026-11-01", 1)[0]  # before
    assert 'data-step="fusion-evaluation"' not in row.split("as of 2026-11-01", 1)[1]  # now
    assert "as_of=2027-06-01" in row


def test_a_run_under_another_rule_set_is_not_shown_as_this_one(
    services: App, sign_in: Callable[[str], TestClient]
) -> None:
    _reassess(services, dt.date(2026, 11, 1))
    page = sign_in("staff").get("/changes?ruleset=cms-mis-fusion")
    assert "No batch re-assessment has covered cms-mis-fusion yet" in page.text


def test_an_unknown_rule_set_is_a_clear_error(sign_in: Callable[[str], TestClient]) -> None:
    page = sign_in("staff").get("/changes?ruleset=nope")
    assert page.status_code == 400
    assert "no rule set `nope`" in page.text


def test_after_a_run_the_filtered_list_assesses_nothing_on_request(
    services: App, sign_in: Callable[[str], TestClient]
) -> None:
    from sqlalchemy import func, select

    from sijpath.store.tables import assessments

    day = services.today()
    _reassess(services, day)
    with services.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(assessments)).scalar_one()
    page = sign_in("staff").get(f"/?ruleset=source-articles&as_of={day}&step=fusion-evaluation")
    assert page.status_code == 200
    assert "fusion-candidate" in page.text
    with services.engine.connect() as connection:
        after = connection.execute(select(func.count()).select_from(assessments)).scalar_one()
    assert after == before  # every patient's current assessment came from the batch
    assert services.assess_unassessed("source-articles", day) == 0
