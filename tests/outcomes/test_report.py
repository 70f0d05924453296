"""The cohort report over hand-made cohort rows: counts, changes, shares and missing follow-up, and its renderings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sijpath import wiring
from sijpath.outcomes.published import PublishedResult
from sijpath.outcomes.rendering import FOLLOW_UP_NOTE, SYNTHETIC_BANNER, report_csv, report_html, report_markdown
from sijpath.outcomes.report import CohortReport, ProcedureSummary, TimePointSummary, build_report
from sijpath.store.outcomes import COHORT_COLUMNS

FUSED = dt.date(2025, 1, 1)
AS_OF = dt.date(2026, 6, 1)  # day 516 after FUSED: every window to 12 months has closed, 24 months not yet open


def row(
    pid: int, day: int | None, *, procedure: str = "fusion", synthetic: bool = False, **values: Any
) -> tuple[Any, ...]:
    performed = FUSED if procedure == "fusion" else dt.date(2026, 5, 1)
    cells = {"id": pid, "procedure": procedure, "performed_on": performed, "synthetic": synthetic, "day": day}
    unknown = set(values) - set(COHORT_COLUMNS)
    assert not unknown, unknown
    return tuple({**cells, **values}.get(name) for name in COHORT_COLUMNS)


COHORT = [
    row(1, -10, odi=60.0, nrs_back=8, opioid_use=True),
    row(1, 91, odi=40.0, nrs_back=4, opioid_use=False),
    row(1, 365, odi=30.0, nrs_back=3, opioid_use=False, ct_bridging="bridged"),
    row(2, -5, odi=50.0, nrs_back=7, opioid_use=True),
    row(2, 95, odi=45.0, nrs_back=6, opioid_use=True, complication="superficial wound infection"),
    row(3, 80, odi=20.0, nrs_back=2),  # no baseline: change and responder unknown
    row(4, None),  # a procedure with no entries yet
    row(5, -3, procedure="rfa", nrs_back=6),  # RFA a month ago: nothing expected yet
]


def _report(rows: list[tuple[Any, ...]], published: tuple[PublishedResult, ...] = ()) -> CohortReport:
    return build_report(rows, AS_OF, published)


def _summary(report: CohortReport, procedure: str) -> ProcedureSummary:
    return next(p for p in report.procedures if p.procedure == procedure)


def _point(report: CohortReport, procedure: str, code: str) -> TimePointSummary:
    return next(t for t in _summary(report, procedure).time_points if t.time_point.code == code)


def test_procedures_are_counted_with_and_without_a_baseline() -> None:
    fusion = _summary(_report(COHORT), "fusion")
    assert (fusion.procedures, fusion.with_baseline) == (4, 2)
    assert [t.time_point.code for t in fusion.time_points] == ["6w", "3m", "6m", "12m", "24m"]
    assert _summary(_report(COHORT), "rfa").procedures == 1


def test_expected_measured_and_missing_at_each_time_point() -> None:
    report = _report(COHORT)
    three = _point(report, "fusion", "3m")
    assert (three.expected, three.measured, three.missing) == (4, 3, 1)
    twelve = _point(report, "fusion", "12m")
    assert (twelve.expected, twelve.measured, twelve.missing) == (4, 1, 3)
    later = _point(report, "fusion", "24m")
    assert (later.expected, later.measured, later.missing) == (0, 0, 0)  # its window has not closed
    rfa = _point(report, "rfa", "3m")
    assert (rfa.expected, rfa.measured, rfa.missing) == (0, 0, 0)


def test_mean_change_uses_only_procedures_with_both_baseline_and_follow_up() -> None:
    three = _point(_report(COHORT), "fusion", "3m")
    assert three.odi_change.n == 2
    assert three.odi_change.value == pytest.approx(-12.5)  # −20 and −5
    assert three.nrs_back_change.n == 2
    assert three.nrs_back_change.value == pytest.approx(-2.5)  # −4 and −1


def test_responder_share_counts_unknowns_apart() -> None:
    three = _point(_report(COHORT), "fusion", "3m")
    by_id = {threshold.id: (unknown, share) for threshold, unknown, share in three.responders}
    unknown, share = by_id["odi-insite-clinical"]  # P1 −20 responds, P2 −5 does not, P3 has no baseline
    assert (unknown, share.n, share.value) == (1, 2, 0.5)
    unknown, share = by_id["nrs-back-ostelo-mic"]  # P1 −4 responds, P2 −1 (14%) does not
    assert (unknown, share.n, share.value) == (1, 2, 0.5)


def test_opioid_and_bridging_shares_are_over_those_recorded() -> None:
    report = _report(COHORT)
    three = _point(report, "fusion", "3m")
    assert (three.opioid_use.n, three.opioid_use.value) == (2, 0.5)
    twelve = _point(report, "fusion", "12m")
    assert (twelve.bridging.n, twelve.bridging.value) == (1, 1.0)


def test_complications_and_revisions_are_shares_of_procedures() -> None:
    fusion = _summary(_report(COHORT), "fusion")
    assert (fusion.complications.n, fusion.complications.value) == (4, 0.25)
    assert (fusion.revisions.n, fusion.revisions.value) == (4, 0.0)


def test_the_entry_nearest_the_target_day_is_the_visit() -> None:
    rows = [row(1, -1, odi=60.0), row(1, 62, odi=10.0), row(1, 92, odi=40.0), row(1, 119, odi=0.0)]
    assert _point(_report(rows), "fusion", "3m").odi_change.value == pytest.approx(-20.0)


def test_equally_near_entries_give_the_same_report_in_any_row_order() -> None:
    rows = [row(1, -1, odi=60.0), row(1, 81, odi=40.0), row(1, 101, odi=30.0)]  # both 10 days from day 91
    forward = _point(_report(rows), "fusion", "3m").odi_change.value
    backward = _point(_report(rows[::-1]), "fusion", "3m").odi_change.value
    assert forward == backward


def test_a_measure_entered_separately_in_the_same_window_is_not_lost() -> None:
    # ODI on day 85 and a back-pain NRS alone on day 91: both belong to the 3-month visit
    rows = [row(1, -1, odi=60.0, nrs_back=8), row(1, 85, odi=40.0), row(1, 91, nrs_back=3)]
    three = _point(_report(rows), "fusion", "3m")
    assert three.odi_change.n == 1
    assert three.odi_change.value == pytest.approx(-20.0)
    assert three.nrs_back_change.n == 1
    assert three.nrs_back_change.value == pytest.approx(-5.0)


def test_published_results_sit_at_their_own_time_point_or_elsewhere() -> None:
    published = wiring.load_published_results()
    report = _report(COHORT, published)
    fusion = _summary(report, "fusion")
    at_points = [r for t in fusion.time_points for r in t.published]
    assert all(r.procedure == "fusion" for r in at_points + list(fusion.published_elsewhere))
    assert {r.time_point for r in at_points} <= {"6w", "3m", "6m", "12m", "24m"}
    assert all(r.time_point not in {"6w", "3m", "6m", "12m", "24m"} for r in fusion.published_elsewhere)
    assert len(at_points) + len(fusion.published_elsewhere) == sum(1 for r in published if r.procedure == "fusion")


def test_the_report_is_labelled_synthetic_when_any_procedure_is() -> None:
    assert _report(COHORT).synthetic is False
    synthetic = _report([*COHORT, row(9, 91, synthetic=True, odi=10.0)])
    assert synthetic.synthetic is True
    assert SYNTHETIC_BANNER in report_markdown(synthetic)
    assert SYNTHETIC_BANNER in report_html(synthetic)
    assert all(
        line.split(",")[1] == "yes" for line in report_csv(synthetic).splitlines()[1:] if line.startswith("local")
    )
    assert SYNTHETIC_BANNER not in report_markdown(_report(COHORT))


def test_markdown_shows_missing_follow_up_and_says_it_may_bias_the_shares() -> None:
    text = report_markdown(_report(COHORT))
    assert FOLLOW_UP_NOTE in text
    assert "| 12 months | 4 | 1 | 3 |" in text
    assert "| 3 months | 4 | 3 | 1 | -12.5" in text.replace("−", "-")


def test_csv_carries_n_value_and_interval_as_numbers() -> None:
    lines = report_csv(_report(COHORT)).splitlines()
    assert lines[0].startswith("origin,synthetic,procedure,time_point,measure,n,value,low,high,expected,missing")
    odi = next(line for line in lines if line.startswith("local,no,fusion,3m,odi-change,"))
    cells = odi.split(",")
    assert cells[5:7] == ["2", "-12.5"]
    assert float(cells[7]) < -12.5 < float(cells[8])


def test_an_empty_cohort_says_nothing_matches() -> None:
    report = _report([])
    assert report.procedures == ()
    assert "No index procedures match." in report_markdown(report)


def test_the_same_rows_give_byte_identical_renderings() -> None:
    published = wiring.load_published_results()
    first, second = _report(COHORT, published), _report(list(COHORT), published)
    assert report_markdown(first) == report_markdown(second)
    assert report_html(first) == report_html(second)
    assert report_csv(first) == report_csv(second)


def test_html_escapes_what_it_shows() -> None:
    report = build_report(COHORT, AS_OF, (), filters={"payer": "<script>"})
    assert "<script>" not in report_html(report)
    assert "&lt;script&gt;" in report_html(report)


def test_a_report_as_of_a_past_date_leaves_out_what_came_after_it() -> None:
    rows = [
        row(1, -1, odi=60.0),
        row(1, 91, odi=40.0),
        row(1, 365, odi=20.0, complication="late infection"),
        row(2, None),
    ]
    early = build_report(rows, FUSED + dt.timedelta(days=200), ())
    fusion = _summary(early, "fusion")
    assert _point(early, "fusion", "3m").odi_change.value == pytest.approx(-20.0)
    twelve = _point(early, "fusion", "12m")
    assert (twelve.measured, twelve.odi_change.n) == (0, 0)
    assert fusion.complications.value == 0.0
    assert build_report(rows, FUSED - dt.timedelta(days=1), ()).procedures == ()  # nothing performed yet


def test_markdown_says_how_many_responders_are_unknown_and_cites_each_threshold() -> None:
    sources = {"insite-polly-2016": "Polly 2016 (INSITE)", "ostelo-2008": "Ostelo 2008"}
    text = report_markdown(build_report(COHORT, AS_OF, (), sources=sources))
    assert "50.0% (" in text
    assert "N 2; 1 unknown" in text
    assert "- ODI ≥15 points (INSITE clinical improvement): Polly 2016 (INSITE)" in text
    assert "- back pain NRS ≥2 points or ≥30% (Ostelo 2008): Ostelo 2008" in text
    assert "no data (N 0)" in text  # the 24-month column, nobody measured
