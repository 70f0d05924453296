"""The worklist: who needs action under a rule set, read from the stored batch assessments, as page, CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from sijpath.screening.reassess import ReassessRequest, reassess_store
from sijpath.store import worklist as store
from sijpath.store.coverage import Coverage, save_coverage
from sijpath.store.tables import assessments
from sijpath.web.services import App
from sijpath.web.worklist_pages import csv_cell
from sijpath.wiring.screening import load_rulesets

SignIn = Callable[[str], TestClient]
LATER = dt.date(2028, 3, 1)  # the fusion candidate's CT of 2026-06-10 is more than 12 months old by then


def _reassess(services: App, as_of: dt.date) -> None:
    request = ReassessRequest(
        services.engine, lambda: load_rulesets(["source-articles"], as_of), as_of, "cli:test", services.now
    )
    reassess_store(request)


def _row(text: str, patient_id: str) -> str:
    return text.split(f'href="/patients/{patient_id}?', 1)[1].split("</tr>", 1)[0]


def test_a_patient_whose_imaging_is_past_the_window_is_listed_with_the_imaging_to_refresh(
    services: App, sign_in: SignIn
) -> None:
    _reassess(services, LATER)

    page = sign_in("staff").get("/worklist?ruleset=source-articles")

    assert page.status_code == 200
    assert f"as of {LATER}" in page.text
    row = _row(page.text, "fusion-candidate")
    assert 'data-reason="stale-evidence"' in row
    assert "the latest CT/MRI of the SI joint (2026-06-10) is more than 12 months old" in row


def test_the_worklist_assesses_nothing_on_request(services: App, sign_in: SignIn) -> None:
    _reassess(services, LATER)
    with services.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(assessments)).scalar_one()

    sign_in("staff").get("/worklist?ruleset=source-articles&reason=stale-evidence")

    with services.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(assessments)).scalar_one() == before


def test_filters_by_reason_and_joint_keep_only_matching_joints(services: App, sign_in: SignIn) -> None:
    _reassess(services, LATER)
    client = sign_in("clinician")

    left = client.get("/worklist?ruleset=source-articles&reason=stale-evidence&joint=left").text
    right = client.get("/worklist?ruleset=source-articles&reason=stale-evidence&joint=right").text
    issues = client.get("/worklist?ruleset=source-articles&reason=data-issues").text

    assert 'href="/patients/fusion-candidate?' in left
    assert 'href="/patients/fusion-candidate?' not in right
    assert 'href="/patients/implausible-block?' in issues
    assert 'href="/patients/fusion-candidate?' not in issues


def test_a_patient_whose_next_step_changed_since_the_run_before_is_a_new_step(services: App, sign_in: SignIn) -> None:
    _reassess(services, dt.date(2026, 11, 1))
    _reassess(services, LATER)

    page = sign_in("staff").get("/worklist?ruleset=source-articles&reason=new-step")

    row = _row(page.text, "fusion-candidate")
    assert 'data-reason="new-step"' in row
    assert "was fusion-evaluation on 2026-11-01" in row


def test_an_unknown_filter_value_is_a_clear_error_naming_the_field(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/worklist?reason=urgent")
    assert page.status_code == 400
    assert "no reason `urgent`" in page.text


def test_the_csv_export_has_one_row_per_reason_and_the_same_patients(services: App, sign_in: SignIn) -> None:
    _reassess(services, LATER)

    response = sign_in("staff").get("/worklist.csv?ruleset=source-articles&reason=stale-evidence")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="worklist-source-articles-{LATER}.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    mine = [r for r in rows if r["patient_id"] == "fusion-candidate"]
    assert any("2026-06-10" in r["detail"] for r in mine)
    assert {r["as_of"] for r in rows} == {str(LATER)}
    assert all(r["ruleset"] == "source-articles" for r in rows)


@given(st.text(max_size=20))
def test_no_csv_cell_starts_like_a_spreadsheet_formula(value: str) -> None:
    assert not csv_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_formula_like_cells_are_quoted_and_plain_ones_kept() -> None:
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("-2+3") == "'-2+3"
    assert csv_cell("fusion-candidate") == "fusion-candidate"


def test_the_api_lists_the_same_patients_with_each_reason(services: App, sign_in: SignIn) -> None:
    _reassess(services, LATER)

    body = sign_in("staff").get("/api/worklist?ruleset=source-articles&reason=stale-evidence").json()

    assert body["as_of"] == str(LATER)
    assert body["total_capped"] is False
    ids = [p["patient_id"] for p in body["patients"]]
    assert "fusion-candidate" in ids
    assert ids == sorted(ids)
    patient = next(p for p in body["patients"] if p["patient_id"] == "fusion-candidate")
    assert patient["next_steps"] == {"left": "gather-information"}
    assert {"joint", "reason", "detail"} <= set(patient["items"][0])


def test_pages_follow_each_other_by_patient_id_without_repeats(services: App) -> None:
    _reassess(services, LATER)
    version = services.load_ruleset("source-articles", LATER).version
    wanted = store.WorklistFilter("source-articles", version, LATER)
    seen: list[str] = []
    after = None
    with services.engine.connect() as connection:
        everyone = store.worklist_page(connection, wanted, None, limit=100)
        while True:
            page = store.worklist_page(connection, wanted, after, limit=2)
            seen += [r.patient_id for r in page.rows]
            if page.after is None:
                break
            after = page.after

    assert len(everyone.rows) > 2
    assert seen == [r.patient_id for r in everyone.rows]
    assert everyone.total == len(seen)


def test_the_payer_filter_keeps_only_patients_whose_stored_coverage_names_that_payer(
    services: App, sign_in: SignIn
) -> None:
    _reassess(services, LATER)
    with services.engine.begin() as connection:
        save_coverage(connection, "fusion-candidate", Coverage(payer="Medicare"), "staff", services.now())
    client = sign_in("staff")

    medicare = client.get("/worklist?ruleset=source-articles&payer=Medicare").text
    other = client.get("/worklist?ruleset=source-articles&payer=other").text
    api = client.get("/api/worklist?ruleset=source-articles&payer=Medicare").json()

    assert 'href="/patients/fusion-candidate?' in medicare
    assert 'href="/patients/implausible-block?' not in medicare  # no coverage recorded: not Medicare's
    assert 'href="/patients/fusion-candidate?' not in other
    assert [p["patient_id"] for p in api["patients"]] == ["fusion-candidate"]


def test_an_unknown_payer_is_a_clear_error_naming_the_payer(sign_in: SignIn) -> None:
    response = sign_in("staff").get("/worklist?ruleset=source-articles&payer=Acme")

    assert response.status_code in (400, 422)
    assert "payer `Acme`" in response.text
