"""The prior-authorization page: gaps per payer, the letter preview, its PDF and the packet for staff and
clinicians only, the narrative kept and audited."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from sijpath.settings import Practice
from sijpath.store import audit
from sijpath.store.coverage import Coverage, save_coverage
from sijpath.store.database import transaction
from sijpath.web.services import App
from tests.web.seeded import signed_in

PAGE = "/patients/payer-smoker/prior-auth"
QUERY = {"procedure": "27279", "ruleset": "commercial-strict", "as_of": "2026-11-01"}
PRACTICE = Practice(name="Example Spine Clinic", provider="A. Physician, MD", npi="1234567893")


@pytest.fixture
def as_role(services: App) -> Iterator[Callable[[str], TestClient]]:
    """A client signed in as the user of `role` (their user name) to the app with a practice set."""
    practiced = dataclasses.replace(services, settings=services.settings.model_copy(update={"practice": PRACTICE}))
    clients: list[TestClient] = []
    yield lambda role: signed_in(practiced, clients, role, follow_redirects=True)
    for client in clients:
        client.close()


def _actions(services: App, patient_id: str) -> list[str]:
    with transaction(services.engine) as connection:
        return [str(row["action"]) for row in audit.history(connection, patient_id)]


def test_staff_see_every_payers_gaps_for_the_procedure_and_the_letter_preview(
    as_role: Callable[[str], TestClient], services: App
) -> None:
    page = as_role("staff").get(PAGE, params=QUERY)
    assert page.status_code == 200
    row = re.search(r'<tr data-ruleset="commercial-strict" data-joint="right">.*?</tr>', page.text, re.S)
    assert row is not None
    assert "Nicotine-free (never-smoker or cotinine under the limit)" in row[0]
    assert "A. Physician, MD, NPI 1234567893" in page.text
    assert "GAP: Nicotine-free" in page.text
    assert "view-letter" in _actions(services, "payer-smoker")


def test_staff_download_a_letter_and_a_packet_that_are_marked_draft_and_named_on_every_page(
    as_role: Callable[[str], TestClient], services: App
) -> None:
    client = as_role("staff")
    for kind in ("letter", "packet"):
        response = client.get(f"{PAGE}/{kind}.pdf", params=QUERY)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        texts = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
        assert all("DRAFT" in t and "Record payer-smoker" in t for t in texts), kind
    actions = _actions(services, "payer-smoker")
    assert "download-letter" in actions
    assert "download-packet" in actions


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_roles_other_than_staff_and_clinicians_may_not_prepare_letters(
    as_role: Callable[[str], TestClient], role: str
) -> None:
    client = as_role(role)
    assert client.get(PAGE, params=QUERY).status_code == 403
    assert client.get(f"{PAGE}/packet.pdf", params=QUERY).status_code == 403


def test_a_clinicians_narrative_is_kept_shown_in_the_letter_and_audited(
    as_role: Callable[[str], TestClient], services: App
) -> None:
    client = as_role("clinician")
    form = {
        "procedure": "27279",
        "joint": "right",
        "narrative": "Smoker; counselled on cessation.",
        "ruleset": "commercial-strict",
    }
    saved = client.post(f"{PAGE}/narrative", data={**form, "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert saved.status_code == 200  # followed the redirect back to the page
    assert "Narrative saved" in saved.text
    assert "<p>Smoker; counselled on cessation.</p>" in saved.text
    assert "letter-narrative" in _actions(services, "payer-smoker")


def test_staff_may_not_write_the_physicians_narrative(as_role: Callable[[str], TestClient]) -> None:
    client = as_role("staff")
    form = {"procedure": "27279", "joint": "right", "narrative": "x", "csrf_token": client.csrf}  # type: ignore[attr-defined]
    assert client.post(f"{PAGE}/narrative", data=form).status_code == 403


def test_a_narrative_without_the_csrf_token_is_refused(as_role: Callable[[str], TestClient]) -> None:
    client = as_role("clinician")
    form = {"procedure": "27279", "joint": "right", "narrative": "x"}
    assert client.post(f"{PAGE}/narrative", data=form).status_code == 403


def test_an_unknown_procedure_is_a_clear_400(as_role: Callable[[str], TestClient]) -> None:
    response = as_role("staff").get(PAGE, params={**QUERY, "procedure": "99999"})
    assert response.status_code == 400
    assert "is not one of" in response.text


def test_a_red_flag_shows_why_there_is_no_letter(as_role: Callable[[str], TestClient]) -> None:
    page = as_role("staff").get("/patients/postpartum-red-flag/prior-auth", params={"as_of": "2026-11-01"})
    assert page.status_code == 200
    assert "a red flag holds every SI-joint procedure" in page.text


def test_the_letter_takes_the_member_id_staff_recorded_on_the_patients_coverage(
    as_role: Callable[[str], TestClient], services: App
) -> None:
    with transaction(services.engine) as connection:
        save_coverage(
            connection, "payer-smoker", Coverage(payer="Medicare", member_id="MB-778812"), "staff", services.now()
        )

    page = as_role("staff").get(PAGE, params=QUERY)

    assert page.status_code == 200
    assert "MB-778812" in page.text
