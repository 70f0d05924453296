"""The patient's single-use questionnaire link in a real browser at phone width: staff create it, the patient fills
ODI, NRS and EQ-5D-5L without an account, sees nothing of the record, and the link is dead afterwards."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize, expect

from sijpath.outcomes.odi import ODI_SECTIONS
from tests.browser.conftest import PASSWORD
from tests.browser.test_clinician_journey import (
    NewPage,
    assert_fields_labelled,
    assert_no_horizontal_scroll,
    open_page,
    screenshot,
    sign_in,
)

PHONE: ViewportSize = {"width": 390, "height": 844}
OUTCOMES = "/patients/new-referral/outcomes"


def _create_link(page: Page) -> str:
    """Staff register the index procedure (once per test session) and create a 3-month link; returns its URL."""
    sign_in(page, "staff", PASSWORD)
    page.goto(OUTCOMES)
    if page.get_by_role("heading", level=2, name=re.compile("^Left SI joint: rfa")).count() == 0:
        page.get_by_label("Joint").select_option("left")
        page.get_by_label("Procedure", exact=True).select_option("rfa")
        page.get_by_label("Performed on").fill("2026-08-01")
        page.get_by_role("button", name="Add procedure").click()
        expect(page.get_by_role("status")).to_contain_text("Index procedure added")
    section = page.locator("section.joint", has=page.get_by_role("heading", name=re.compile("^Left SI joint: rfa")))
    section.get_by_label("Questionnaire link for").select_option("3m")
    section.get_by_role("button", name="Create a single-use patient link").click()
    link = page.locator("code.link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/q/[A-Za-z0-9_-]{40,}", link), link
    return link


def _fill(page: Page) -> None:
    for legend, value in (("Back pain", "3"), ("Leg pain", "1")):
        page.get_by_role("group", name=legend, exact=True).get_by_label(value, exact=True).check()
    for section in ODI_SECTIONS:
        if section != "sex life":  # one section left blank: the published rule scores the other nine
            page.get_by_role("group", name=section.capitalize(), exact=True).get_by_label("2", exact=True).check()
    for dimension in ("Mobility", "Self-care", "Usual activities", "Pain or discomfort", "Anxiety or depression"):
        page.get_by_role("group", name=dimension, exact=True).get_by_label("1", exact=True).check()
    page.get_by_label(re.compile("How good is your health today")).fill("80")


def test_the_patient_fills_the_questionnaire_once_on_a_phone(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    link = _create_link(open_page(new_page, no_console_errors))
    patient = open_page(new_page, no_console_errors, PHONE)  # a fresh context: no session, no cookies
    patient.goto(link)
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your follow-up questionnaire")
    expect(patient.locator("main")).to_contain_text("3 months after your procedure")
    body = patient.locator("body").inner_text()
    for private in ("new-referral", "rfa", "Sign out", "Patients", "staff"):
        assert private not in body, f"the patient's page shows {private!r}"
    assert_fields_labelled(patient)
    assert_no_horizontal_scroll(patient)
    screenshot(patient, artifacts, "patient-link-phone")
    patient.reload()  # a full-page screenshot leaves Chromium's phone viewport unable to click (seen here)
    _fill(patient)
    patient.get_by_role("button", name="Send my answers").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_no_horizontal_scroll(patient)
    screenshot(patient, artifacts, "patient-link-thanks-phone")

    again = patient.goto(link)
    assert again is not None
    assert again.status == 403
    expect(patient.get_by_role("heading", level=1)).to_have_text("Link not available")
    expect(patient.locator("form")).to_have_count(0)


def test_the_answers_reach_the_staff_outcomes_page(new_page: NewPage, no_console_errors: list[str]) -> None:
    staff = open_page(new_page, no_console_errors)
    link = _create_link(staff)
    patient = open_page(new_page, no_console_errors, PHONE)
    patient.goto(link)
    patient.get_by_role("group", name="Back pain", exact=True).get_by_label("6", exact=True).check()
    patient.get_by_role("button", name="Send my answers").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Thank you")
    staff.goto(OUTCOMES)
    rows = staff.locator("section.joint", has=staff.get_by_role("heading", name=re.compile("^Left SI joint: rfa")))
    expect(rows.locator("tbody tr", has_text="patient-link").first).to_contain_text("6")


def test_the_questionnaire_page_passes_axe(new_page: NewPage, no_console_errors: list[str]) -> None:
    link = _create_link(open_page(new_page, no_console_errors))
    patient = open_page(new_page, no_console_errors, PHONE)
    patient.goto(link)
    results = Axe().run(patient)
    assert results.violations_count == 0, results.generate_report()
