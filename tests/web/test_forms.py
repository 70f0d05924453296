"""Every field of the patient page's forms is checked on the server: plausible ranges, dates within the patient's
life and not in the future, a dose never dropped quietly, the side of a procedure always chosen, never defaulted."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath.store.tables import episodes
from sijpath.web.services import App
from tests.web.conftest import POSITIVE_BLOCK

SignIn = Callable[[str], TestClient]
INJECTION = {"date": "2026-10-20", "side": "left", "guidance": "fluoroscopy"}
BLOCK = POSITIVE_BLOCK


def version_of(services: App) -> int:
    with services.engine.connect() as connection:
        found = select(episodes.c.version).where(episodes.c.patient_id == "new-referral")
        return int(connection.execute(found).scalar_one())


def problems(html: str) -> dict[str, str]:
    return {
        field: unescape(message) for field, message in re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", html)
    }


def post(client: TestClient, kind: str, **fields: str) -> tuple[int, dict[str, str]]:
    form = {"csrf_token": client.csrf, "version": "1", **fields}  # type: ignore[attr-defined]
    response = client.post(f"/patients/new-referral/{kind}", data=form, follow_redirects=False)
    return response.status_code, problems(response.text)


@pytest.mark.parametrize("dose", ["-40", "4000", "40"])
def test_a_dose_without_a_corticosteroid_is_refused_naming_the_steroid_not_dropped(
    sign_in: SignIn, services: App, dose: str
) -> None:
    status, found = post(sign_in("clinician"), "injections", **INJECTION, steroid="", steroid_dose_mg=dose)

    assert status == 422
    assert "no corticosteroid" in found["steroid"]
    assert version_of(services) == 1


@pytest.mark.parametrize("dose", ["-40", "0", "4000"])
def test_a_corticosteroid_dose_out_of_range_is_refused_naming_the_dose(sign_in: SignIn, dose: str) -> None:
    status, found = post(sign_in("clinician"), "injections", **INJECTION, steroid="triamcinolone", steroid_dose_mg=dose)

    assert status == 422
    assert set(found) == {"steroid_dose_mg"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2030-01-01", "after today (2026-11-01)"),
        ("date", "2026-11-02", "after today"),
        ("date", "1900-01-01", "before the patient's birth date"),
    ],
)
def test_a_procedure_date_in_the_future_or_before_birth_is_refused(
    sign_in: SignIn, services: App, field: str, value: str, message: str
) -> None:
    client = sign_in("clinician")
    for kind, fields in (("blocks", BLOCK), ("injections", INJECTION)):
        status, found = post(client, kind, **{**fields, field: value})
        assert status == 422, kind
        assert message in found[field], kind
    assert version_of(services) == 1


def test_a_date_of_today_is_accepted(sign_in: SignIn, services: App) -> None:
    status, _ = post(sign_in("clinician"), "blocks", **{**BLOCK, "date": "2026-11-01"})

    assert status == 303
    assert version_of(services) == 2


def test_a_pt_course_that_ends_before_it_starts_or_starts_in_the_future_is_refused(sign_in: SignIn) -> None:
    client = sign_in("clinician")

    assert post(client, "therapy", start_date="2026-09-01", end_date="2026-08-01")[1].keys() == {"end_date"}
    assert post(client, "therapy", start_date="2027-01-01")[1].keys() == {"start_date"}
    assert post(client, "imaging", date="2027-01-01", modality="ct", region="sij", findings="normal")[1].keys() == {
        "date"
    }


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"relief_percent": "150"}, "relief_percent"),
        ({"relief_percent": "-5"}, "relief_percent"),
        ({"pre_injection_nrs": "11"}, "pre_injection_nrs"),
        ({"relief_duration_days": "-3"}, "relief_duration_days"),
    ],
)
def test_relief_and_pain_out_of_their_scales_are_refused_naming_the_field(
    sign_in: SignIn, fields: dict[str, str], named: str
) -> None:
    status, found = post(sign_in("clinician"), "injections", **INJECTION, **fields)

    assert status == 422
    assert set(found) == {named}


@pytest.mark.parametrize("form_id", ["b-side", "i-side"])
def test_the_procedure_forms_preselect_no_side(sign_in: SignIn, form_id: str) -> None:
    page = sign_in("clinician").get("/patients/new-referral").text
    select_element = re.search(rf'<select id="{form_id}" name="side" required>(.*?)</select>', page)

    assert select_element is not None
    options = re.findall(r'<option value="([^"]*)"\s*(selected)?', select_element.group(1))
    assert options[0] == ("", "selected")  # the empty "choose the side" comes first and is the one shown
    assert [value for value, selected in options if selected] == [""]


@pytest.mark.parametrize("kind", ["blocks", "injections"])
def test_a_procedure_without_a_side_is_refused_naming_the_side(sign_in: SignIn, kind: str) -> None:
    fields = {**(BLOCK if kind == "blocks" else INJECTION), "side": ""}

    status, found = post(sign_in("clinician"), kind, **fields)

    assert status == 422
    assert "choose the side" in found["side"]


def test_a_bracing_course_is_saved_and_one_without_a_kind_or_ending_before_it_starts_is_refused(
    sign_in: SignIn, services: App
) -> None:
    client = sign_in("clinician")
    before = version_of(services)

    assert post(client, "supportive-care", course_kind="", start_date="2026-09-01")[1].keys() == {"course_kind"}
    ends_early = post(client, "supportive-care", course_kind="bracing", start_date="2026-09-01", end_date="2026-08-01")
    assert ends_early[1].keys() == {"end_date"}
    status, found = post(client, "supportive-care", course_kind="bracing", start_date="2026-09-01")
    assert (status, found) == (303, {})
    assert version_of(services) == before + 1
