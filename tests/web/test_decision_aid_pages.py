"""The decision aid in the web app: reached from the patient page, answers recorded (audited) and shown, downloads."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath.store import audit
from sijpath.store.tables import audit_log, decision_aid_answers
from sijpath.web.services import App
from tests.web.conftest import Clock

SignIn = Callable[[str], TestClient]
AS_OF = "2026-11-01"
AID = "/patients/fusion-candidate/decision-aid/left"
QUERY = f"?ruleset=source-articles&as_of={AS_OF}"


@pytest.fixture
def sign_in(session_for: SignIn) -> SignIn:
    return session_for


def answers_form(client: TestClient, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": client.csrf,  # type: ignore[attr-defined]
        "ruleset": "source-articles",
        "as_of": AS_OF,
        "value-avoid-surgery": "a-lot",
        "value-reversible": "somewhat",
        "sure-sure-of-myself": "no",
        "sure-understand-information": "yes",
        "leaning": "wait-and-see",
        "discussed_with": "Dr Rivera, spine clinic",
    }
    return {**form, **changes}


def actions(services: App, patient_id: str) -> list[tuple[str, str]]:
    with services.engine.connect() as connection:
        query = select(audit_log.c.action, audit_log.c.detail).where(audit_log.c.patient_id == patient_id)
        return [(row.action, row.detail) for row in connection.execute(query.order_by(audit_log.c.seq))]


def test_the_patient_page_links_to_the_decision_aid_of_each_joint(sign_in: SignIn) -> None:
    page = sign_in("clinician").get(f"/patients/fusion-candidate{QUERY}").text
    assert f'href="{AID}?ruleset=source-articles&amp;as_of={AS_OF}"' in page
    assert "Decision aid for the left SI joint" in page


def test_the_aid_page_shows_the_aid_with_icon_arrays_and_no_answers_yet(sign_in: SignIn, services: App) -> None:
    response = sign_in("clinician").get(AID + QUERY)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Choosing care for SI-joint pain: Left SI joint</h1>" in page
    assert "It is not a recommendation." in page
    assert '<figure class="icons"><svg role="img"' in page  # the pictures, each with its number in words
    assert "Fusion, harm: 3 out of 100 people, after 24 months" in page
    assert "No answers recorded yet." in page
    assert 'action="/patients/fusion-candidate/decision-aid/left/answers"' in page
    assert ("view-decision-aid", "left joint") in actions(services, "fusion-candidate")


def test_staff_may_read_the_aid_but_see_no_form_to_record_answers(sign_in: SignIn) -> None:
    page = sign_in("staff").get(AID + QUERY).text
    assert "Choosing care for SI-joint pain" in page
    assert "Record the patient's answers" not in page


def test_recorded_answers_are_kept_audited_and_shown(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    response = client.post(AID + "/answers", data=answers_form(client), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{AID}?ruleset=source-articles&as_of={AS_OF}&saved=answers"

    page = client.get(response.headers["location"]).text
    assert "The patient&#39;s answers are recorded" in page
    assert "<td>How much does it matter to you to avoid surgery?</td><td>a lot</td>" in page
    assert "<td>How much does cost to you matter?</td><td>not recorded</td>" in page
    assert "SURE test incomplete (2 of 4 answered)." in page
    assert "Keep to non-surgical care: no surgery or new procedure for now" in page
    assert "Recorded on 2026-11-01 by clinician, for the aid of 2026-11-01." in page
    with services.engine.connect() as connection:
        (row,) = connection.execute(select(decision_aid_answers)).all()
    assert (row.patient_id, row.joint, row.ruleset_id, row.recorded_by) == (
        "fusion-candidate",
        "left",
        "source-articles",
        "clinician",
    )
    assert orjson.loads(row.answers)["sure"] == {"sure-of-myself": False, "understand-information": True}
    recorded = [detail for action, detail in actions(services, "fusion-candidate") if action == "record-decision-aid"]
    assert recorded == ["left joint; aid of 2026-11-01 under source-articles; 2 values, 2 SURE answers"]
    assert audit.verify(services.engine)[1] == []


def test_a_leaning_toward_an_option_the_aid_holds_back_is_refused_with_the_field_named(
    sign_in: SignIn, services: App
) -> None:
    client = sign_in("clinician")
    response = client.post(AID + "/answers", data=answers_form(client, leaning="rfa"))  # RFA failed: not offered
    assert response.status_code == 422
    assert "<strong>leaning</strong>" in response.text
    assert "is not an option this aid shows" in response.text
    with services.engine.connect() as connection:
        assert connection.execute(select(decision_aid_answers)).all() == []


def test_an_answer_off_the_scale_is_refused_naming_the_question(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    response = client.post(AID + "/answers", data=answers_form(client, **{"sure-encouragement": "maybe"}))
    assert response.status_code == 422
    assert "sure.encouragement" in response.text


def test_answers_without_the_csrf_token_are_refused(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    response = client.post(AID + "/answers", data=answers_form(client, csrf_token="forged"))
    assert response.status_code == 403


def test_the_pdf_is_a_pdf_download_and_audited(sign_in: SignIn, services: App) -> None:
    response = sign_in("staff").get(AID + "/pdf" + QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "decision-aid-fusion-candidate-left.pdf" in response.headers["content-disposition"]
    assert ("download-decision-aid", "left joint; pdf; aid of 2026-11-01 under source-articles") in actions(
        services, "fusion-candidate"
    )


def test_the_note_and_fhir_downloads_carry_the_recorded_answers(sign_in: SignIn) -> None:
    client = sign_in("clinician")
    client.post(AID + "/answers", data=answers_form(client))
    note = client.get(AID + "/note" + QUERY)
    assert note.headers["content-type"].startswith("text/markdown")
    assert "- How much does it matter to you to avoid surgery? a lot." in note.text
    assert "- Discussed with: Dr Rivera, spine clinic." in note.text

    bundle = orjson.loads(client.get(AID + "/fhir" + QUERY).content)
    document, answers = (entry["resource"] for entry in bundle["entry"])
    assert (document["resourceType"], answers["resourceType"]) == ("DocumentReference", "QuestionnaireResponse")
    assert "a lot" in base64.b64decode(document["content"][0]["attachment"]["data"]).decode()
    leaning = next(item for item in answers["item"] if item["linkId"] == "leaning")
    assert leaning["answer"][0]["valueCoding"]["code"] == "wait-and-see"


def test_a_note_without_recorded_answers_says_not_recorded(sign_in: SignIn) -> None:
    note = sign_in("staff").get(AID + "/note" + QUERY).text
    assert "- How much does cost to you matter? not recorded." in note


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/patients/fusion-candidate/decision-aid/right", "the joints assessed are left"),
        ("/patients/fusion-candidate/decision-aid/middle", "no joint `middle`"),
        ("/patients/nobody/decision-aid/left", "nobody"),
    ],
)
def test_an_aid_for_a_joint_or_patient_not_assessed_is_not_found(sign_in: SignIn, path: str, words: str) -> None:
    response = sign_in("clinician").get(path + QUERY)
    assert response.status_code == 404
    assert words in response.text


def test_a_red_flag_aid_offers_nothing_to_lean_toward_but_not_sure_yet(sign_in: SignIn) -> None:
    page = sign_in("clinician").get(f"/patients/postpartum-red-flag/decision-aid/left{QUERY}").text
    assert "will check with your pregnancy care team" in page
    leanings = re.findall(r'<select id="leaning"[^>]*>(.*?)</select>', page, re.S)[0]
    assert re.findall(r'<option value="([^"]*)"', leanings) == ["", "unsure"]


def test_the_aid_page_shows_this_clinics_own_results_labelled_synthetic_beside_the_studies(
    sign_in: SignIn, services: App, clock: Clock
) -> None:
    import datetime as dt

    from sijpath.decisionaid.local import LOCAL_HEADING, SYNTHETIC_WORDS
    from sijpath.outcomes.synthetic import store_synthetic
    from sijpath.store.database import transaction

    client = sign_in("clinician")
    assert LOCAL_HEADING.strip("*") not in client.get(AID + QUERY).text  # an empty registry: nothing beside them
    with transaction(services.engine) as connection:
        store_synthetic(connection, 400, seed=3, now=services.now(), as_of=dt.date.fromisoformat(AS_OF))
    clock.now += dt.timedelta(minutes=11)  # past the ten minutes the figures are reused
    page = client.get(AID + QUERY).text
    assert LOCAL_HEADING.strip("*") in page
    assert SYNTHETIC_WORDS in page
    assert "out of 100 people here" in page
