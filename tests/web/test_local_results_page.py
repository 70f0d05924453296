"""This clinic's own results on the assessment page: beside a joint's RFA or fusion step, with N and interval,
labelled synthetic when they are, hidden under the minimum N, and never in place of the cited evidence."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from sijpath.outcomes.synthetic import store_synthetic
from sijpath.store.database import transaction
from sijpath.web.services import App
from tests.web.conftest import Clock

SignIn = Callable[[str], TestClient]
AS_OF = "2026-11-01"
PAGE = f"/patients/fusion-candidate?ruleset=source-articles&as_of={AS_OF}"


def _fill(services: App, clock: Clock, patients: int) -> None:
    with transaction(services.engine) as connection:
        store_synthetic(connection, patients, seed=3, now=services.now(), as_of=dt.date.fromisoformat(AS_OF))
    clock.now += dt.timedelta(minutes=11)  # past the ten minutes the figures are reused


def _summary(page: str, joint: str) -> str:
    start = page.index(f'<article class="joint-summary" data-joint="{joint}"')
    return page[start : page.index("</article>", start)]


def _joint(page: str, joint: str) -> str:
    """The joint's part of the criteria and evidence (the clinic's results sit after its cited sources)."""
    start = page.index(f'<details class="joint" data-joint="{joint}"')
    ends = [i for i in (page.find('<details class="joint"', start + 1), page.index("</section>", start)) if i > 0]
    return page[start : min(ends)]


def test_an_empty_registry_puts_no_clinic_results_on_the_assessment_page(session_for: SignIn) -> None:
    assert "clinic-results" not in session_for("clinician").get(PAGE).text


def test_the_fusion_step_shows_the_clinics_results_with_n_and_interval_beside_the_published_ones(
    session_for: SignIn, services: App, clock: Clock
) -> None:
    _fill(services, clock, 400)
    page = session_for("clinician").get(PAGE).text
    assert "fusion evaluation" in _summary(page, "left")
    left = _joint(page, "left")
    clinic = left[left.index("clinic-results") :]
    assert "SYNTHETIC DATA" in clinic
    assert "sources:" in left[: left.index("clinic-results")]  # the cited evidence stays, and comes first
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", clinic, re.S)
    assert rows[0][0].startswith("Fusion: ODI")  # the step's own option first
    assert re.fullmatch(r"\d+% \(95% CI \d+ to \d+%\), N \d+", rows[0][1])
    assert "68.2%" in rows[0][2]
    assert "A different population" in rows[0][2]
    assert any(r[0].startswith("RFA") for r in rows)
    assert "not counted" in clinic  # loss to follow-up said


def test_a_figure_counted_over_too_few_procedures_is_not_shown(
    session_for: SignIn, services: App, clock: Clock
) -> None:
    _fill(services, clock, 12)
    clinic = _joint(session_for("clinician").get(PAGE).text, "left")
    cells = re.findall(r"<tr>\s*<td>.*?</td>\s*<td>(.*?)</td>", clinic, re.S)
    assert cells
    assert all(re.fullmatch(r"not shown: \d+ counted, fewer than 20", c) for c in cells if "%" not in c)
    assert not any("%" in c for c in cells)  # no share shown from fewer than 20
