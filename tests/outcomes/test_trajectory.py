"""Trajectories in the cohort report: pain, ODI and opioid use over time beside the published results, as SVG and
as a text table, with a time point that has no follow-up shown as missing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from sijpath.outcomes.published import PublishedResult
from sijpath.outcomes.rendering import report_html, report_markdown
from sijpath.outcomes.report import build_report
from sijpath.outcomes.trajectory import months_of, trajectories, trajectory_rows, trajectory_svg
from tests.outcomes.test_report import AS_OF, COHORT

PUBLISHED = PublishedResult(
    source="imia-dengler-2019", procedure="fusion", time_point="24m", measure="odi-change", value=-26.0,
    low=-32.0, high=-21.0, n=52, population="iMIA fusion arm", design="randomised trial", funding="industry",
)  # fmt: skip
FIVE_YEARS = PublishedResult(
    source="x", procedure="fusion", time_point="5y", measure="opioid-use", value=41.0, low=None, high=None, n=None,
    population="p", design="d", funding="f",
)  # fmt: skip


@pytest.mark.parametrize(("code", "months"), [("6w", 12 * 6 / 52), ("3m", 3.0), ("12m", 12.0), ("5y", 60.0)])
def test_a_time_point_code_is_read_in_months(code: str, months: float) -> None:
    assert months_of(code) == pytest.approx(months)


def _fusion() -> dict[str, object]:
    report = build_report(COHORT, AS_OF, (PUBLISHED, FIVE_YEARS))
    fusion = next(p for p in report.procedures if p.procedure == "fusion")
    return {t.title: t for t in trajectories(fusion, {"imia-dengler-2019": "iMIA 2019"})}


def test_the_odi_trajectory_has_the_cohorts_mean_change_and_the_published_point_beside_it() -> None:
    odi = _fusion()["ODI change from baseline"]
    rows = {row[0]: row for row in trajectory_rows(odi)}  # type: ignore[arg-type]
    assert rows["3 months"][2].startswith("-12.5")  # patients 1 and 2: -20 and -5
    assert rows["3 months"][3] == "2"
    assert rows["24 months"][5] == "-26.0 (-32.0 to -21.0) points, iMIA 2019"


def test_a_time_point_without_follow_up_reads_as_missing_never_as_zero() -> None:
    odi = _fusion()["ODI change from baseline"]
    rows = {row[0]: row for row in trajectory_rows(odi)}  # type: ignore[arg-type]
    assert rows["6 weeks"][2] == "no data (missing follow-up)"
    assert rows["12 months"][3:5] == ("1", "3")  # patient 1 measured; 2, 3 and 4 missed a window now closed
    svg = trajectory_svg(odi)  # type: ignore[arg-type]
    assert "no data" in svg


def test_a_published_point_outside_the_schedule_is_listed_and_drawn_with_its_time() -> None:
    opioids = _fusion()["Opioid use"]
    rows = trajectory_rows(opioids)  # type: ignore[arg-type]
    assert rows[-1][:3] == ("60 months", "60", "not in this schedule")
    assert "60 months" in trajectory_svg(opioids)  # type: ignore[arg-type]


def test_the_svg_is_well_formed_labelled_and_has_no_script() -> None:
    for trajectory in _fusion().values():
        svg = trajectory_svg(trajectory)  # type: ignore[arg-type]
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert "published results" in (root.get("aria-label") or "")
        assert "<script" not in svg
        assert "onload" not in svg


def test_the_report_carries_the_trajectories_as_tables_and_in_html_as_pictures() -> None:
    report = build_report(COHORT, AS_OF, (PUBLISHED,))
    markdown = report_markdown(report)
    assert "## fusion: ODI change from baseline over time" in markdown
    assert "## fusion: Opioid use over time" in markdown
    html = report_html(report)
    assert html.count('<figure class="trajectory"><svg class="trajectory"') == 6  # 3 for fusion, 3 for RFA
