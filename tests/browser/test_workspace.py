"""The prior-authorization and worklist workspace in a real browser: staff make a draft letter and download the
packet (its text read back: the patient's identity and DRAFT on every page), the worklist lists a patient whose
imaging is too old, printing leaves out navigation, forms and buttons, and the new pages pass axe-core."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from sijpath.cli.server import DEMO_PASSWORD, DEMO_USER
from tests.browser.conftest import EXAMPLES, PASSWORD
from tests.browser.test_clinician_journey import AS_OF, NewPage, assert_fields_labelled, open_page, screenshot, sign_in
from tests.browser.test_decision_aid import violations

PRIOR_AUTH = f"/patients/fusion-candidate/prior-auth?procedure=27279&ruleset=source-articles&as_of={AS_OF}"
STALE_ID = "stale-imaging-browser"
# Shown by the browser's print preview: what a printout must not hold.
SHOWN_IN_PRINT_JS = """
() => Array.from(document.querySelectorAll("nav, form, button, input, select, textarea, header.bar"))
  .filter(el => getComputedStyle(el).display !== "none" && el.getClientRects().length > 0)
  .map(el => el.outerHTML.slice(0, 80))
"""


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def test_staff_make_a_draft_letter_and_download_the_packet_with_identity_and_draft_on_every_page(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, "staff", PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    page.get_by_role("link", name="Prior authorization").click()
    page.goto(PRIOR_AUTH)

    expect(page.get_by_role("article", name="Letter preview")).to_be_visible()
    expect(page.get_by_text("Draft: every gap and missing item is marked in the letter.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Packet (PDF: letter, summary, evidence, policy clauses)").click()
    data = Path(download.value.path()).read_bytes()

    pages = _pdf_pages(data)
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "Record fusion-candidate" in text, f"page {number} does not name the patient"
        assert "DOB 1968-04-02" in text, f"page {number} has no date of birth"
        assert "DRAFT" in text, f"page {number} does not say DRAFT"
        assert f"Page {number} of {len(pages)}" in text
    assert violations(page) == []
    screenshot(page, artifacts, "prior-auth-staff-laptop")


def _add_stale_imaging_patient(page: Page) -> None:
    """The fusion candidate again, its CT 17 months old on the as-of date: saved through the API as a clinician."""
    episode = yaml.safe_load((EXAMPLES / "fusion-candidate.yaml").read_text())
    episode["patient"]["id"] = STALE_ID
    for study in episode["imaging"]:
        if study["modality"] == "ct":
            study["date"] = "2025-06-10"
    page.goto("/")
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    answer = page.request.post("/api/patients", data=json.dumps(episode, default=str), headers=headers)
    assert answer.status in (201, 409), answer.text()  # 409: made by an earlier test of this session


def test_the_worklist_lists_a_patient_whose_imaging_is_too_old(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    _add_stale_imaging_patient(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    page.get_by_label("Needs").select_option("stale-evidence")
    page.get_by_role("button", name="Show").click()

    row = page.locator("tr", has=page.get_by_role("link", name=STALE_ID, exact=True))
    expect(row).to_contain_text("Evidence to refresh")
    expect(row).to_contain_text("the latest CT/MRI of the SI joint (2025-06-10) is more than 12 months old")
    expect(page.get_by_role("link", name="fusion-candidate", exact=True)).to_have_count(0)
    assert violations(page) == []
    assert_fields_labelled(page)
    screenshot(page, artifacts, "worklist-stale-imaging-laptop")


@pytest.mark.parametrize(
    ("who", "path"),
    [("auditor", "/audit"), ("auditor", "/audit/verify"), ("admin", "/admin"), ("staff", "/api/docs")],
)
def test_the_new_pages_pass_axe(new_page: NewPage, no_console_errors: list[str], who: str, path: str) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, who, PASSWORD)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(page) == []
    assert_fields_labelled(page)


@pytest.mark.parametrize("path", [f"/patients/fusion-candidate?as_of={AS_OF}", PRIOR_AUTH])
def test_a_printout_has_no_navigation_forms_or_buttons(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path, path: str
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(path)
    on_screen = page.evaluate(SHOWN_IN_PRINT_JS)

    page.emulate_media(media="print")

    assert on_screen  # the screen has them: the test can fail
    assert page.evaluate(SHOWN_IN_PRINT_JS) == []
    printed = _pdf_pages(page.pdf(format="Letter"))
    text = "\n".join(printed)
    for control in ("Sign out", "Skip to content", "Remove", "Save block", "Show"):
        assert control not in text, f"the printout of {path} shows {control!r}"
    assert "fusion-candidate" in text
    (artifacts / f"print-{'prior-auth' if 'prior-auth' in path else 'patient'}.pdf").write_bytes(page.pdf())
    print(f"{path}: {len(printed)} printed page(s)")


def test_what_is_folded_on_screen_is_printed_unfolded(new_page: NewPage, no_console_errors: list[str]) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    page.evaluate(
        """() => { const d = document.createElement("details");
        d.innerHTML = "<summary>Criteria folded</summary><p>Folded criterion text</p>";
        document.querySelector("main").prepend(d); }"""
    )
    expect(page.get_by_text("Folded criterion text")).to_be_hidden()  # folded on screen

    page.emulate_media(media="print")
    text = "\n".join(_pdf_pages(page.pdf(format="Letter")))

    assert "Folded criterion text" in text
    assert "Add to the record" not in text  # a section of forms alone prints nothing
