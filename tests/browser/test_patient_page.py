"""The patient page in a real browser: the summary (step and missing data) on the first screen of a laptop and a
tablet, the timeline drawn in clinical order and agreeing with the assessment's relief trend, the rule sets side by
side one click from the summary with the focus moved there, the coverage choosing the rule sets, and no axe-core
violation. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from sijpath.cli.server import DEMO_PASSWORD, DEMO_USER
from tests.browser.conftest import PASSWORD, TABLET
from tests.browser.test_clinician_journey import (
    AS_OF,
    FOCUSED_JS,
    NewPage,
    assert_fields_labelled,
    assert_no_horizontal_scroll,
    open_page,
    screenshot,
    sign_in,
)
from tests.browser.test_decision_aid import violations

WIDE_LAPTOP: ViewportSize = {"width": 1440, "height": 900}
# Each block's points as drawn: (date, role, x, y) in document order.
POINTS_JS = """
() => Array.from(document.querySelectorAll("svg.timeline circle.pain-point")).map(c =>
  [c.dataset.date, c.dataset.role, parseFloat(c.getAttribute("cx")), parseFloat(c.getAttribute("cy"))])
"""
# The relief bars as drawn: their title (date first) and width.
BARS_JS = """
() => Array.from(document.querySelectorAll("svg.timeline g.relief")).map(g =>
  [g.querySelector("title").textContent, parseFloat(g.querySelector("rect").getAttribute("width"))])
"""


def _above_the_fold(page: Page, selector: str) -> None:
    """Every element matching `selector` lies wholly within the first screen (no scrolling)."""
    boxes = page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })"
    )
    height = page.viewport_size["height"] if page.viewport_size else 0
    assert boxes, f"nothing matches {selector}"
    for top, bottom in boxes:
        where = f"{selector} at {top:.0f}–{bottom:.0f} px, the screen is {height} px"
        assert top >= 0, where
        assert bottom <= height, where


@pytest.mark.parametrize(("device", "viewport"), [("laptop", WIDE_LAPTOP), ("tablet", TABLET)])
@pytest.mark.parametrize("patient", ["missing-imaging", "block-with-steroid"])
def test_the_summary_shows_each_joints_step_and_missing_data_on_the_first_screen(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path, device: str, viewport: ViewportSize, patient: str
) -> None:
    page = open_page(new_page, no_console_errors, viewport)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/{patient}?as_of={AS_OF}")

    expect(page.locator(".banner")).to_contain_text("Rule set in force")
    cards = page.locator("article.joint-summary")
    assert cards.count() == (2 if patient == "block-with-steroid" else 1)
    _above_the_fold(page, "article.joint-summary .next-step")
    _above_the_fold(page, "article.joint-summary .missing")
    _above_the_fold(page, "a.compare-link")
    # The criteria are below, folded away.
    expect(page.locator("details.joint table.criteria").first).to_be_hidden()
    assert_no_horizontal_scroll(page)
    screenshot(page, artifacts, f"patient-{patient}-summary-{device}")


def test_the_timeline_draws_each_blocks_pre_score_before_its_post_score(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")

    points = page.evaluate(POINTS_JS)
    days = {day for day, role, _, _ in points if role == "pre"}
    assert days, "no score before a procedure on the timeline"
    for day in days:
        same_day = [(i, role, x) for i, (d, role, x, _) in enumerate(points) if d == day]
        pre = next(p for p in same_day if p[1] == "pre")
        post = next((p for p in same_day if p[1] == "post"), None)
        if post is not None:
            assert pre[0] < post[0], f"{day}: the post-procedure point is drawn first"
            assert pre[2] < post[2], f"{day}: the post-procedure point is not right of the pre-procedure one"
    xs = [x for _, _, x, _ in points]
    assert xs == sorted(xs), "points are not in time order"
    # The table alternative says the same, in words.
    page.get_by_text("Timeline as a table").click()
    rows = page.locator("details.timeline-table tbody tr").all_inner_texts()
    befores = [i for i, r in enumerate(rows) if "before the procedure" in r]
    assert befores
    assert all("after the procedure" not in rows[i] for i in befores)
    screenshot(page, artifacts, "patient-fusion-candidate-timeline-laptop")


def test_the_relief_bars_shorten_as_the_assessment_says_relief_keeps_shortening(
    new_page: NewPage, no_console_errors: list[str]
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")

    trend = page.locator("p.trend[data-joint='left']")
    expect(trend).to_have_attribute("data-status", "met")  # the engine: relief keeps shortening
    bars = page.evaluate(BARS_JS)
    assert len(bars) >= 3
    widths = [width for _, width in sorted(bars)]  # titles start with the injection's date
    assert all(later < earlier for earlier, later in itertools.pairwise(widths)), widths
    assert page.locator("svg.timeline g.lasting-relief").count() == len(bars)  # the rule set's line on each


def test_the_rule_sets_are_one_click_from_the_summary_with_the_focus_moved_there(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, "staff", PASSWORD)
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}")
    page.get_by_role("link", name="Compare rule sets side by side").click()

    expect(page).to_have_url(re.compile(r"[?&]compare=1(&|$)"))
    heading = page.get_by_role("heading", level=2, name="Rule sets side by side")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    # A known divergence: the source articles refer for fusion where the strict payer wants a second block.
    divergences = page.locator("ul.divergences li")
    expect(divergences.first).to_contain_text("Next step:")
    expect(divergences.first).to_contain_text(re.compile(r"fusion evaluation under [a-z0-9, -]*source-articles"))
    expect(divergences.first).to_contain_text(
        re.compile(r"Consider a confirmatory diagnostic SI-joint block under [a-z0-9, -]*commercial-strict")
    )
    row = page.locator("table.matrix tr.divergent", has_text="Image-guided, anesthetic-only diagnostic block")
    expect(row).to_contain_text("✔ met")
    expect(row).to_contain_text("✘ not met")
    expect(row.locator(".differs")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, artifacts, "patient-fusion-candidate-rule-sets-laptop")


def test_staff_record_medicare_coverage_and_the_page_follows_the_payer(
    new_page: NewPage, no_console_errors: list[str], artifacts: Path
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, "staff", PASSWORD)
    page.goto(f"/patients/payer-fusion-candidate?as_of={AS_OF}")
    page.get_by_text("Coverage", exact=True).click()
    form = page.locator("form", has=page.get_by_role("button", name="Save coverage"))
    form.get_by_label("Payer").select_option("Medicare")
    form.get_by_label("Plan").fill("Part B")
    form.get_by_label("Member ID").fill("1EG4-TE5-MK73")
    form.get_by_label("Medicare contractor").select_option("noridian")
    form.get_by_role("button", name="Save coverage").click()

    expect(page.get_by_role("status")).to_have_text("Coverage saved")
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Medicare, Part B (MAC Noridian)")
    expect(banner).to_contain_text("member ID 1EG4-TE5-MK73")
    expect(banner.locator(".in-force")).to_contain_text("Medicare SI-joint injections LCD")
    page.get_by_role("link", name="Compare rule sets side by side").click()
    columns = page.locator("table.matrix").first.locator("thead th").all_inner_texts()
    assert [c.split()[0] for c in columns[1:]] == ["source-articles", "cms-sij-injection", "cms-mis-fusion"]
    screenshot(page, artifacts, "patient-payer-fusion-candidate-medicare-laptop")
    assert page.evaluate(FOCUSED_JS)[:2] == ["H2", "cmp-h"]


@pytest.mark.parametrize("compare", ["", "&compare=all"])
def test_the_patient_page_has_no_accessibility_violation(
    new_page: NewPage, no_console_errors: list[str], compare: str
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)  # a clinician sees every form
    page.goto(f"/patients/fusion-candidate?as_of={AS_OF}{compare}")
    for summary in page.locator("details > summary").all():
        summary.click()  # open every fold, so axe checks what is in them too
    assert violations(page) == []
    assert_fields_labelled(page)


def test_a_missing_item_leads_the_clinician_to_the_form_that_records_it(
    new_page: NewPage, no_console_errors: list[str]
) -> None:
    page = open_page(new_page, no_console_errors)
    sign_in(page, DEMO_USER, DEMO_PASSWORD)
    page.goto(f"/patients/missing-imaging?as_of={AS_OF}")
    item = page.locator("article.joint-summary .missing li", has_text="CT or MRI of the SI joint").first
    item.get_by_role("link", name="imaging study").click()

    expect(page).to_have_url(re.compile("#add-imaging$"))
    form = page.locator("#add-imaging")
    expect(form).to_be_visible()  # its fold opened
    expect(form).to_be_in_viewport()
    expect(form.get_by_label("Modality")).to_be_visible()
