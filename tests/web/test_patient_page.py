"""The patient page: banner and summary first, the coverage form (who may, what it refuses, what the audit keeps)
and the payer's rule sets chosen by default, the rule-set matrix in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath import wiring
from sijpath.domain.episode import Episode, Patient
from sijpath.errors import UsageError
from sijpath.pathway.assess import evaluate
from sijpath.pathway.definition import SIJ_PATHWAY
from sijpath.settings import PAYER_RULESETS, Settings
from sijpath.store.coverage import Coverage
from sijpath.store.tables import audit_log
from sijpath.web.forms import FACT_FORMS
from sijpath.web.patient_view import FORMS_FOR_CRITERION, OTHER_PAYER, _why, banner, joint_summary, payer_rulesets
from sijpath.web.services import App
from tests.web.conftest import EXAMPLES
from tests.web.test_pages import next_step

SignIn = Callable[[str], TestClient]
AS_OF = "2026-11-01"
MEDICARE = {"payer": "Medicare", "plan": "Part B", "member_id": "1EG4-TE5-MK73", "medicare_contractor": "noridian"}


@pytest.fixture
def sign_in(session_for: SignIn) -> SignIn:
    return session_for


def _post_coverage(client: TestClient, patient: str, fields: dict[str, str]) -> object:
    token: str = client.csrf  # type: ignore[attr-defined]
    return client.post(f"/patients/{patient}/coverage", data={**fields, "csrf_token": token}, follow_redirects=False)


def _banner(html: str) -> str:
    return html[html.index('<div class="banner">') : html.index('<section class="summary"')]


def test_the_banner_and_summary_come_before_the_criteria_and_the_timeline(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/patients/missing-imaging", params={"as_of": AS_OF}).text
    order = [page.index(mark) for mark in ('class="banner"', 'class="summary"', 'id="tl-h"', 'id="criteria"')]
    assert order == sorted(order)
    banner_html = _banner(page)
    for shown in ("<dt>Age</dt><dd>63", "<dt>Pain side</dt><dd>left", "<dt>Payer</dt><dd>not recorded"):
        assert shown in banner_html
    summary = page[page.index('class="summary"') : page.index('id="tl-h"')]
    assert "CT or MRI of the SI joint" in summary  # what is missing, in the summary itself
    assert '<details class="joint"' in page  # the criteria are folded away


def test_staff_record_coverage_and_the_payers_first_rule_set_is_shown_by_default(
    sign_in: SignIn, services: App
) -> None:
    client = sign_in("staff")
    response = _post_coverage(client, "payer-smoker", MEDICARE)
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/patients/payer-smoker", params={"as_of": AS_OF}).text
    assert "Medicare, Part B (MAC Noridian) · member ID 1EG4-TE5-MK73" in _banner(page)
    assert '<option value="cms-sij-injection" selected>' in page
    assert "the payer's: cms-sij-injection, cms-mis-fusion" in page
    with services.engine.connect() as connection:
        row = connection.execute(select(audit_log).where(audit_log.c.action == "update-coverage")).one()
    assert (row.actor, row.patient_id) == ("staff", "payer-smoker")
    assert "1EG4" not in row.detail  # the trail names the payer, never the member ID


def test_the_comparison_shows_the_clinical_pathway_beside_the_payers_rule_sets_and_all_on_request(
    sign_in: SignIn,
) -> None:
    client = sign_in("staff")
    _post_coverage(client, "payer-smoker", {"payer": "Commercial (eviCore, BCBS Alabama, Ambetter)"})

    def columns(compare: str) -> list[str]:
        page = client.get("/patients/payer-smoker", params={"as_of": AS_OF, "compare": compare}).text
        return re.findall(r'<th scope="col">([a-z0-9-]+) <span class="muted">', page)

    assert columns("1") == ["source-articles", "commercial-strict"]
    assert len(columns("all")) == 6


def test_another_payer_keeps_the_clinical_pathway(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    _post_coverage(client, "payer-smoker", {"payer": OTHER_PAYER, "plan": "Acme PPO"})
    page = client.get("/patients/payer-smoker", params={"as_of": AS_OF}).text
    assert '<option value="source-articles" selected>' in page
    assert next_step(page) == "Consider radiofrequency ablation of the SI-joint nerves"
    assert "Other payer, Acme PPO" in _banner(page)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"payer": "Aetna"}, "payer"),
        ({"payer": "Medicare", "medicare_contractor": "nowhere"}, "medicare_contractor"),
        ({"payer": "Medicare", "member_id": "9" * 65}, "member_id"),
    ],
)
def test_a_bad_coverage_is_refused_with_the_field_named(sign_in: SignIn, fields: dict[str, str], field: str) -> None:
    response = _post_coverage(sign_in("staff"), "payer-smoker", fields)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert f"<strong>{field}</strong>" in response.text  # type: ignore[attr-defined]


def test_an_auditor_may_not_change_coverage(sign_in: SignIn) -> None:
    response = _post_coverage(sign_in("auditor"), "payer-smoker", MEDICARE)
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_coverage_of_an_unknown_patient_is_a_404(sign_in: SignIn) -> None:
    assert _post_coverage(sign_in("staff"), "nobody", MEDICARE).status_code == 404  # type: ignore[attr-defined]


def test_the_matrix_speaks_in_words_not_codes(sign_in: SignIn) -> None:
    page = sign_in("staff").get("/patients/fusion-candidate", params={"as_of": AS_OF, "compare": "1"}).text
    matrix = page[page.index('<table class="matrix">') : page.index("</table>", page.index('<table class="matrix">'))]
    assert "Consider referral for a minimally invasive SI-joint fusion evaluation" in matrix
    assert "surgical candidacy" in matrix
    assert ">fusion-evaluation<" not in matrix
    assert "autofocus" in page[page.index('id="cmp-h"') - 40 : page.index('id="cmp-h"') + 40]


# The summary as data


def test_missing_data_for_the_current_stage_is_now_and_the_rest_later() -> None:
    episode = wiring.load_episode(EXAMPLES / "missing-imaging.yaml")
    ruleset = wiring.load_ruleset("source-articles", dt.date(2026, 11, 1))
    unit = evaluate(episode, ruleset, dt.date(2026, 11, 1)).units[0]
    summary = joint_summary(unit, ruleset)
    stages = {c.id: c.stage for c in unit.criteria}
    assert summary.missing_now
    for missing in summary.missing_now:
        assert unit.stage in {stages[c.id] for c in unit.criteria if c.title in missing.settles}
    assert len(summary.missing_now) + len(summary.missing_later) == len(unit.missing_data)


def test_the_why_is_the_reasons_first_clause_as_one_sentence_with_the_rest_kept() -> None:
    assert _why("one thing; another thing.") == ("One thing.", "one thing; another thing.")
    assert _why("just this") == ("Just this.", "")
    assert _why("Not under X: use Y. Meanwhile: z") == ("Not under X: use Y.", "Not under X: use Y. Meanwhile: z")
    assert _why("a review (e.g. fibromyalgia) of 87.5% relief") == ("A review (e.g. fibromyalgia) of 87.5% relief.", "")


def test_the_banner_gives_age_on_the_as_of_date_and_the_record_member_id_without_coverage() -> None:
    patient = Patient(id="p1", birth_date=dt.date(1960, 11, 2), member_id="REC-1")
    ruleset = wiring.load_ruleset("source-articles", dt.date(2026, 11, 1))
    made = banner(Episode(patient=patient), dt.date(2026, 11, 1), None, ruleset, PAYER_RULESETS, {})
    assert (made.age, made.member_id, made.payer) == (65, "REC-1", "not recorded")  # a day short of 66


def test_only_a_mapped_payer_chooses_rule_sets() -> None:
    assert payer_rulesets(PAYER_RULESETS, Coverage("Medicare")) == ("cms-sij-injection", "cms-mis-fusion")
    assert payer_rulesets(PAYER_RULESETS, Coverage(OTHER_PAYER)) == ()
    assert payer_rulesets(PAYER_RULESETS, None) == ()


def test_a_payer_mapped_to_an_unknown_rule_set_stops_start_up() -> None:
    settings = Settings(payer_rulesets={"Acme": ("no-such-rules",)})
    with pytest.raises(UsageError, match="payer_rulesets: Acme"):
        wiring.web_services(settings, None)  # type: ignore[arg-type]


def test_every_criterion_mapped_to_a_form_exists_and_every_form_named_is_on_the_page() -> None:
    criteria = {c.id for c in SIJ_PATHWAY.criteria}
    assert set(FORMS_FOR_CRITERION) <= criteria
    assert {f for forms in FORMS_FOR_CRITERION.values() for f in forms} <= set(FACT_FORMS)


def test_a_clinician_gets_a_link_to_the_form_for_missing_data_and_staff_are_told_who_records_it(
    sign_in: SignIn,
) -> None:
    def summary(role: str) -> str:
        page = sign_in(role).get("/patients/missing-imaging", params={"as_of": AS_OF}).text
        return page[page.index('class="summary"') : page.index('id="tl-h"')]

    assert 'record it: <a href="#add-imaging">imaging study</a>' in summary("clinician")
    assert 'href="#add-imaging"' not in summary("staff")
    assert "the clinician records it on this page" in summary("staff")
