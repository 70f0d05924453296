"""A clinician's journey through the web app in a real browser (headless Debian Chromium via Playwright).

Sign in, open a patient and read the next step, switch the rule set, add a diagnostic block and see the
assessment change, and be refused a page the role may not see; plus what the issue asks of every page:
usable on a laptop and a tablet, keyboard-navigable, labelled form fields, readable without colour.
Full-page screenshots go to tests/browser/artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, ViewportSize, expect

from sijpath.cli.server import DEMO_PASSWORD, DEMO_USER
from tests.browser.conftest import LAPTOP, PASSWORD, TABLET

NewPage = Callable[..., Page]
AS_OF = "2026-11-01"
FUSION_NEXT_STEP = "Consider referral for a minimally invasive SI-joint fusion evaluation"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Every visible form control that has neither a <label> nor an aria-label / aria-labelledby.
UNLABELLED_FIELDS_JS = """
() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => el.type !== "hidden")
  .filter(el => el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map(el => el.outerHTML)
"""
FOCUSED_JS = "() => { const el = document.activeElement; return [el.tagName, el.id, el.textContent.trim()]; }"
OVERFLOW_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def open_page(new_page: NewPage, errors: list[str], viewport: ViewportSize = LAPTOP) -> Page:
    page = new_page(viewport)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"{page.url}: {message.text}")

    def response(answer: Response) -> None:
        request = answer.request
        if answer.status >= 400 and not request.is_navigation_request() and not answer.url.endswith("/favicon.ico"):
            errors.append(f"{page.url}: {answer.status} for {request.resource_type} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Patients")).to_be_visible()
    expect(page.locator("header.bar")).to_contain_text(username)


def screenshot(page: Page, artifacts: Path, name: str) -> Path:
    """A full-page PNG screenshot in the artifacts folder, checked to be a real, non-empty PNG of the page."""
    path = artifacts / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=path, full_page=True)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    viewport = page.viewport_size
    assert viewport is not None
    assert width == viewport["width"], f"{path}: {width} px wide in a {viewport['width']} px viewport"
    assert height >= viewport["height"], f"{path}: {height} px high, less than the viewport"
    assert len(data) > 10_000, f"{path} is only {len(data)} bytes: a blank page?"
    return path


def assert_fields_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED_FIELDS_JS) == [], f"unlabelled form fields on {page.url}"


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width, client_width = page.evaluate(OVERFLOW_JS)
    assert scroll_width <= client_width, f"{page.url} scrolls sideways: {scroll_width} px of content in {client_width}"


def test_sign_in_as_the_demo_clinician(new_page: NewPage, no_console_errors: list[str], artifacts: Path) -> None:
    page = open_page(new_page, no_console_errors)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))  # not signed in: sent to sign in first
    expect(page.locator(".note")).to_contain_text(DEMO_USER)  # demo mode shows its login
    assert_fields_labelled(page)
    screenshot(page, artifacts, "login-laptop")

    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    expect(page.locator("header.bar")).to_contain_text(f"{DEMO_USER} (clinician)")
    rows = page.locator("table.patients tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 15
    expect(page.get_by_role("link", name="fusion-candidate", exact=True)).to_be_visible()
    expect(page.get_by_label("Import a FHIR R4 Bundle")).to_be_visible()  # clinicians may import
    assert_fields_labelled(page)


def test_open_a_patient_and_read_the_next_step(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Patient fusion-candidate")
    expect(page.locator(".next-step")).to_have_text(FUSION_NEXT_STEP)
    expect(page.get_by_role("heading", level=3, name="Left SI joint")).to_be_visible()
    expect(page.locator(".summary h2")).to_contain_text(f"as of {AS_OF} under Source articles pathway 1.0.0")
    expect(page.locator("#ruleset")).to_have_value("source-articles")
    expect(page.get_by_role("img", name=re.compile("."))).to_be_visible()  # the timeline chart, with a name

    # Readable without colour: each criterion's status is spelt out, not only coloured.
    page.get_by_text(re.compile(r"^Left SI joint: \d+ met")).click()  # the criteria are folded under the summary
    statuses = page.locator("table.criteria tbody td:nth-child(2)").all_inner_texts()
    assert statuses, "no criteria shown"
    assert set(statuses) <= {"✔ met", "✘ not met", "? unknown"}, statuses
    assert_fields_labelled(page)
    screenshot(page, artifacts, "patient-fusion-candidate-laptop")


def test_switch_the_rule_set(new_page: NewPage, no_console_errors: list[str], artifacts: Path) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    expect(page.locator(".next-step")).to_have_text(FUSION_NEXT_STEP)

    page.get_by_label("Rule set", exact=True).select_option("commercial-strict")
    page.get_by_role("button", name="Assess").click()

    expect(page).to_have_url(re.compile(r"[?&]ruleset=commercial-strict(&|$)"))
    expect(page.locator("#ruleset")).to_have_value("commercial-strict")
    expect(page.locator(".banner .in-force")).to_contain_text("Commercial payer criteria (strict) 2024")
    expect(page.locator("table.criteria caption")).to_contain_text("under commercial-strict")
    # The strict payer wants two positive blocks where the source articles accept one.
    expect(page.locator(".next-step")).to_have_text("Consider a confirmatory diagnostic SI-joint block")
    screenshot(page, artifacts, "patient-fusion-candidate-commercial-strict-laptop")


def test_add_a_block_and_see_the_assessment_change(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/new-referral?as_of={AS_OF}")
    expect(page.locator(".next-step")).to_have_text(
        "Consider an image-guided, anesthetic-only diagnostic SI-joint block"
    )

    form = page.locator("form", has=page.get_by_role("button", name="Save block"))
    form.get_by_label("Date").fill("2026-10-20")
    form.get_by_label("Side").select_option("right")
    form.get_by_label("Guidance").select_option("fluoroscopy")
    form.get_by_label("Contrast").select_option("yes")
    form.get_by_label("Anesthetic").select_option("lidocaine")
    form.get_by_label("Pain before (NRS 0–10)").fill("7")
    form.get_by_label("Pain after (NRS 0–10)").fill("1")
    form.get_by_label("Minutes after injection").fill("30")
    form.get_by_role("button", name="Save block").click()

    expect(page.get_by_role("status")).to_have_text("Diagnostic block saved")
    expect(page.locator(".meta").first).to_contain_text(f"by {DEMO_USER}")
    # One positive (86% relief) anesthetic block confirms the joint: on to a therapeutic injection.
    expect(page.locator(".next-step")).to_have_text("Consider a therapeutic SI-joint injection (corticosteroid)")
    expect(page.locator("article[data-joint='right'] .meta")).to_contain_text("Stage: non-surgical-care")
    screenshot(page, artifacts, "patient-new-referral-after-block-laptop")


def test_a_bad_block_is_refused_with_the_field_named(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/single-negative-block?as_of={AS_OF}")
    form = page.locator("form", has=page.get_by_role("button", name="Save block"))
    form.get_by_label("Date").fill("2026-10-20")
    form.get_by_label("Side").select_option("left")
    form.get_by_label("Pain after (NRS 0–10)").fill("a lot")
    with page.expect_response(re.compile(r"/blocks$")) as response:
        form.get_by_role("button", name="Save block").click()
    assert response.value.status == 422
    expect(page.get_by_role("heading", level=1)).to_have_text("Please check the form")
    expect(page.locator(".problems")).to_contain_text("post_block_nrs")
    expect(page.get_by_role("link", name="Go back")).to_have_attribute("href", "/patients/single-negative-block")
    screenshot(page, artifacts, "block-refused-laptop")


def test_staff_are_refused_the_audit_page(new_page: NewPage, no_console_errors: list[str], artifacts: Path) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, "staff", PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    expect(page.locator(".next-step")).to_have_text(FUSION_NEXT_STEP)  # staff may read
    expect(page.get_by_role("link", name="Audit history")).to_have_count(0)  # but see no audit link
    expect(page.get_by_role("button", name="Save block")).to_have_count(0)  # and cannot add a block

    response = page.goto("/patients/fusion-candidate/audit")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("alert")).to_contain_text("staff")
    expect(page.locator("table")).to_have_count(0)  # no audit rows leak into the refusal
    screenshot(page, artifacts, "audit-refused-staff-laptop")


def test_an_admin_may_read_the_audit_page(new_page: NewPage, no_console_errors: list[str], artifacts: Path) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, "admin", PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    page.get_by_role("link", name="Audit history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit history of fusion-candidate")
    expect(page.locator("tbody")).to_contain_text("view-patient")
    screenshot(page, artifacts, "audit-admin-laptop")


def test_sign_in_with_the_keyboard_alone(new_page: NewPage, no_console_errors: list[str]) -> None:
    page = open_page(new_page, no_console_errors)
    page.goto("/login")
    assert page.evaluate(FOCUSED_JS)[:2] == ["INPUT", "username"]  # autofocus on the first field
    page.keyboard.type(DEMO_USER)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS)[:2] == ["INPUT", "password"]
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS) == ["BUTTON", "", "Sign in"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Patients")).to_be_visible()

    # On every page the first Tab reaches the skip link, and it leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_JS) == ["A", "", "Skip to content"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


@pytest.mark.parametrize(("device", "viewport"), [("laptop", LAPTOP), ("tablet", TABLET)])
def test_the_patient_page_fits_laptops_and_tablets(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path, device: str, viewport: ViewportSize
) -> None:
    page = open_page(new_page, no_console_errors, viewport)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    assert_no_horizontal_scroll(page)
    screenshot(page, artifacts, f"patients-{device}")
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}&compare=1")
    expect(page.get_by_role("heading", level=2, name="Rule sets side by side")).to_be_visible()
    expect(page.locator(".next-step")).to_be_in_viewport()  # the answer is on the first screen
    assert_no_horizontal_scroll(page)
    screenshot(page, artifacts, f"patient-fusion-candidate-compare-{device}")
