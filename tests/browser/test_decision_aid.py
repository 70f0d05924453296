"""The patient decision aid in a real browser: reached from the patient page, no accessibility violation
(axe-core), readable on a phone without scrolling sideways, and the patient's answers recorded and shown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize, expect

from sijpath.cli.server import DEMO_PASSWORD, DEMO_USER
from tests.browser.test_clinician_journey import (
    AS_OF,
    NewPage,
    assert_fields_labelled,
    assert_no_horizontal_scroll,
    open_page,
    screenshot,
    sign_in,
)

PHONE: ViewportSize = {"width": 375, "height": 812}
AID = f"/patients/fusion-candidate/decision-aid/left?ruleset=source-articles&as_of={AS_OF}"


def violations(page: Page) -> list[str]:
    """Every axe-core violation on the page, whatever its impact, one line each with where it is."""
    results: dict[str, Any] = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'])}"
        for v in results["violations"]
    ]


def test_the_aid_opens_from_the_patient_page_with_no_accessibility_violation(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    page.get_by_role("link", name="Decision aid for the left SI joint").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choosing care for SI-joint pain: Left SI joint")
    expect(page.get_by_text("It is not a recommendation.").first).to_be_visible()
    # Harms have pictures too, each named by its number in words.
    expect(page.get_by_role("img", name=re.compile(r"^3 out of 100 people: Needed a repeat operation"))).to_be_visible()
    assert violations(page) == []
    assert_fields_labelled(page)
    screenshot(page, artifacts, "decision-aid-fusion-candidate-laptop")


@pytest.mark.parametrize("patient", ["fusion-candidate", "postpartum-red-flag"])
def test_the_aid_fits_a_phone_without_scrolling_sideways(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path, patient: str
) -> None:
    page = open_page(new_page, no_console_errors, PHONE)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/{patient}/decision-aid/left?ruleset=source-articles&as_of={AS_OF}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Choosing care for SI-joint pain")
    assert_no_horizontal_scroll(page)
    assert violations(page) == []
    screenshot(page, artifacts, f"decision-aid-{patient}-phone")


def test_a_clinician_records_the_patients_answers_and_sees_them(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors, PHONE)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(AID)
    answers = page.get_by_role("region", name="Your answers")
    expect(answers).to_contain_text("No answers recorded yet.")

    form = page.locator("form", has=page.get_by_role("button", name="Record the answers"))
    form.get_by_label("How much does it matter to you to avoid surgery?").select_option("a-lot")
    form.get_by_label("How much does cost to you matter?").select_option("a-little")
    sure = form.get_by_role("group", name=re.compile("^Sure of myself"))
    sure.get_by_label("yes").check()
    form.get_by_label("The option the patient leans toward").select_option("unsure")
    form.get_by_label("Discussed with (name and role)").fill("Dr Rivera, spine clinic")
    form.get_by_role("button", name="Record the answers").click()

    expect(page.get_by_role("status")).to_have_text("The patient's answers are recorded")
    expect(answers).to_contain_text(f"by {DEMO_USER}")
    row = answers.get_by_role("row", name=re.compile("avoid surgery"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("a lot")
    expect(answers.get_by_role("row", name=re.compile("Sure of myself"))).to_contain_text("yes")
    expect(answers).to_contain_text("SURE test incomplete (1 of 4 answered).")
    expect(answers).to_contain_text("Not sure yet")
    assert_no_horizontal_scroll(page)
    assert violations(page) == []
    screenshot(page, artifacts, "decision-aid-answers-recorded-phone")
