"""The outcomes pages and the patient's single-use link: entries from a form, audited; the link works once."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sijpath.store.tables import audit_log, outcome_entries, outcome_links, outcome_procedures
from sijpath.web.services import App
from tests.web.seeded import SEEDED_LINK

SignIn = Callable[[str], TestClient]
PAGE = "/patients/new-referral/outcomes"


def _entries(services: App) -> int:
    with services.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(outcome_entries)).scalar_one())


def _actions(services: App) -> list[str]:
    with services.engine.connect() as connection:
        return [r.action for r in connection.execute(select(audit_log).order_by(audit_log.c.seq))]


def test_staff_enter_a_follow_up_and_the_page_shows_it_with_its_time_point(sign_in: SignIn, services: App) -> None:
    staff = sign_in("staff")
    form = {"csrf_token": staff.csrf, "measured_on": "2026-10-30", "nrs_back": "3", "eq5d_vas": "70"}  # type: ignore[attr-defined]
    response = staff.post(f"{PAGE}/1/entries", data=form)
    assert response.status_code == 200
    assert "Outcome entry saved" in response.text
    assert "3 months (day 90)" in response.text
    assert _actions(services)[-2:] == ["outcome-entry", "view-outcomes"]


def test_an_out_of_range_score_is_refused_by_name_and_nothing_is_stored(sign_in: SignIn, services: App) -> None:
    staff = sign_in("staff")
    form = {"csrf_token": staff.csrf, "measured_on": "2026-10-30", "nrs_back": "12"}  # type: ignore[attr-defined]
    response = staff.post(f"{PAGE}/1/entries", data=form)
    assert response.status_code == 422
    assert "nrs_back" in response.text
    assert _entries(services) == 0


def test_responder_status_names_each_threshold_and_its_source(sign_in: SignIn) -> None:
    staff = sign_in("staff")
    for day, odi in (("2026-07-20", "60"), ("2026-10-30", "40")):
        staff.post(f"{PAGE}/1/entries", data={"csrf_token": staff.csrf, "measured_on": day, "odi_total": odi})  # type: ignore[attr-defined]
    page = staff.get(PAGE).text
    row = re.search(r"ODI ≥15 points \(INSITE clinical improvement\).*?</tr>", page, re.S)
    assert row is not None
    assert "✔ responder" in row.group(0)
    assert "INSITE" in row.group(0).split("cites")[-1]
    assert "? unknown" in page  # the pain thresholds: no pain scores recorded


def test_a_patient_link_is_shown_once_stored_hashed_and_audited_without_its_token(
    sign_in: SignIn, services: App
) -> None:
    staff = sign_in("staff")
    response = staff.post(f"{PAGE}/1/links", data={"csrf_token": staff.csrf, "time_point": "6m"})  # type: ignore[attr-defined]
    match = re.search(r"/q/([A-Za-z0-9_-]{40,})", response.text)
    assert match is not None
    token = match.group(1)
    with services.engine.connect() as connection:
        hashes = set(connection.execute(select(outcome_links.c.token_hash)).scalars())
        details = " ".join(r.detail for r in connection.execute(select(audit_log)))
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in details
    assert "outcome-link-created" in _actions(services)
    assert token not in staff.get(PAGE).text  # shown once


def test_the_link_page_shows_the_questionnaire_and_nothing_of_the_record(client: TestClient) -> None:
    page = client.get(f"/q/{SEEDED_LINK}")
    assert page.status_code == 200
    assert "Your follow-up questionnaire" in page.text
    assert "3 months" in page.text
    for private in ("new-referral", "fusion", "right", "Sign out", "Patients"):
        assert private not in page.text


def test_the_link_works_once_and_is_refused_after(client: TestClient, services: App) -> None:
    answers = {"nrs_back": "4", "nrs_leg": "2", **{f"odi_{i}": "1" for i in range(1, 11)}}
    first = client.post(f"/q/{SEEDED_LINK}", data=answers)
    assert first.status_code == 200
    assert "Thank you" in first.text
    with services.engine.connect() as connection:
        entry = connection.execute(select(outcome_entries)).one()
    assert (entry.nrs_back, entry.odi, entry.entered_by) == (4, 20.0, "patient-link")
    again = client.post(f"/q/{SEEDED_LINK}", data=answers)
    assert again.status_code == 403
    assert client.get(f"/q/{SEEDED_LINK}").status_code == 403
    assert _entries(services) == 1
    assert "outcome-link-used" in _actions(services)


def test_invalid_answers_keep_the_link_usable(client: TestClient, services: App) -> None:
    refused = client.post(f"/q/{SEEDED_LINK}", data={"nrs_back": "4", "eq5d_mobility": "2"})
    assert refused.status_code == 422
    assert "Please check these answers" in refused.text
    assert _entries(services) == 0
    assert client.post(f"/q/{SEEDED_LINK}", data={"nrs_back": "4"}).status_code == 200


def test_an_expired_link_is_refused(client: TestClient, services: App, clock: object) -> None:
    clock.now += dt.timedelta(days=8)  # type: ignore[attr-defined]
    response = client.get(f"/q/{SEEDED_LINK}")
    assert response.status_code == 403
    assert "Link not available" in response.text


def test_guessing_links_is_slowed_down_per_address(client: TestClient, services: App) -> None:
    limit = services.settings.login_failures_per_address_minute
    statuses = [client.get(f"/q/guess-{i}").status_code for i in range(limit + 1)]
    assert statuses == [403] * limit + [429]
    assert client.get(f"/q/{SEEDED_LINK}").status_code == 429  # even the right link waits out the minute


def test_the_cohort_report_page_shows_the_report_beside_published_results(sign_in: SignIn) -> None:
    page = sign_in("auditor").get("/outcomes/report?procedure=fusion")
    assert page.status_code == 200
    assert "Outcomes cohort report" in page.text
    assert "INSITE" in page.text or "LOIS" in page.text


def test_with_a_configured_value_set_the_page_computes_and_shows_the_eq5d_index(services: App) -> None:
    import dataclasses

    from sijpath.outcomes.eq5d import EQ5D_DIMENSIONS, eq5d_index, parse_value_set
    from tests.outcomes.conftest import INVENTED_VALUE_SET
    from tests.web import seeded

    value_set = parse_value_set(INVENTED_VALUE_SET, "invented")
    configured = dataclasses.replace(services, eq5d_value_set=value_set)
    clients: list[TestClient] = []
    staff = seeded.signed_in(configured, clients, "staff")
    levels = dict(zip(EQ5D_DIMENSIONS, "21143", strict=True))
    form = {"csrf_token": staff.csrf, "measured_on": "2026-10-30", **{f"eq5d_{k}": v for k, v in levels.items()}}  # type: ignore[attr-defined]
    response = staff.post(f"{PAGE}/1/entries", data=form)
    assert response.status_code == 200
    assert "computed with the configured value set: Invented value set for tests" in response.text
    with services.engine.connect() as connection:
        entry = connection.execute(select(outcome_entries)).one()
    assert entry.eq5d_state == "21143"
    assert entry.eq5d_index == pytest.approx(eq5d_index("21143", value_set))
    assert f"{entry.eq5d_index:.3f} (invented-test)" in response.text
    for client in clients:
        client.close()


def test_without_a_value_set_the_page_says_the_index_stays_empty(sign_in: SignIn) -> None:
    page = sign_in("staff").get(PAGE).text
    assert "No EQ-5D-5L value set is configured, so the index stays empty" in page


def _procedure_rulesets(services: App) -> list[str | None]:
    with services.engine.connect() as connection:
        return list(
            connection.execute(select(outcome_procedures.c.ruleset_id).order_by(outcome_procedures.c.id)).scalars()
        )


def test_an_index_procedure_keeps_the_rule_set_its_decision_was_made_under(sign_in: SignIn, services: App) -> None:
    staff = sign_in("staff")
    page = staff.get(PAGE).text
    assert "<option>commercial-strict</option>" in page  # the form offers the app's rule sets
    form = {"csrf_token": staff.csrf, "joint": "left", "procedure": "rfa", "performed_on": "2026-09-01"}  # type: ignore[attr-defined]
    assert staff.post(f"{PAGE}/procedures", data={**form, "ruleset_id": "commercial-strict"}).status_code == 200
    refused = staff.post(f"{PAGE}/procedures", data={**form, "ruleset_id": "made-up"})
    assert refused.status_code == 422
    assert "ruleset_id" in refused.text
    assert _procedure_rulesets(services)[-1] == "commercial-strict"
    assert "made-up" not in _procedure_rulesets(services)


def test_the_report_page_filters_by_the_rule_set_in_force_at_the_decision(sign_in: SignIn, services: App) -> None:
    import datetime as dt

    from sijpath.outcomes.synthetic import store_synthetic
    from sijpath.store.database import transaction

    with transaction(services.engine) as connection:
        store_synthetic(connection, 90, seed=5, now=services.now(), as_of=dt.date(2026, 11, 1))
    auditor = sign_in("auditor")
    every = auditor.get("/outcomes/report?as_of=2026-11-01").text
    chosen = auditor.get("/outcomes/report?as_of=2026-11-01&ruleset=aspn-2024").text
    assert "filters: rule set aspn-2024" in chosen
    assert "<option selected>aspn-2024</option>" in chosen

    def procedures(page: str) -> int:
        return sum(int(n) for n in re.findall(r"(\d+) index procedures", page))

    assert 0 < procedures(chosen) < procedures(every)
