"""The patient timeline SVG: same-day pre-before-post order, month ticks and names, gaps left as gaps, procedures in
the row of their joint, relief bars on one row."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from hypothesis import HealthCheck, given, settings

from sijpath.domain.episode import Episode, Patient
from sijpath.domain.findings import PainScore
from sijpath.domain.procedures import Anesthetic, DiagnosticBlock, TherapeuticInjection
from sijpath.web.chart import GAP_DAYS, timeline_svg
from tests import strategies

D = dt.date


def _block(day: dt.date, pre: float, post: float) -> DiagnosticBlock:
    return DiagnosticBlock(
        date=day,
        side="left",
        guidance="fluoroscopy",
        anesthetics=(Anesthetic(drug="lidocaine"),),
        pre_block_nrs=pre,
        post_block_nrs=post,
    )


def _titles(svg: str) -> list[str]:
    return re.findall(r"<title>([^<]*pain NRS[^<]*)</title>", svg)


def test_same_day_block_scores_are_drawn_pre_before_post_when_the_block_relieved_pain() -> None:
    # A relieving block has post lower than pre; sorting by value would draw the post score first.
    episode = Episode(patient=Patient(id="p1"), diagnostic_blocks=(_block(D(2025, 3, 1), pre=7, post=2),))

    svg = timeline_svg(episode, D(2025, 6, 1), None)

    assert _titles(svg) == [
        "2025-03-01: pain NRS 7 (before the procedure)",
        "2025-03-01: pain NRS 2 (after the procedure)",
    ]


def test_a_clinic_score_on_the_block_day_is_drawn_between_the_pre_and_post_block_scores() -> None:
    episode = Episode(
        patient=Patient(id="p1"),
        diagnostic_blocks=(_block(D(2025, 3, 1), pre=7, post=2),),
        pain_scores=(PainScore(date=D(2025, 3, 1), nrs=1, context="clinic"),),
    )

    svg = timeline_svg(episode, D(2025, 6, 1), None)

    assert _titles(svg) == [
        "2025-03-01: pain NRS 7 (before the procedure)",
        "2025-03-01: pain NRS 1",
        "2025-03-01: pain NRS 2 (after the procedure)",
    ]


def test_the_time_axis_has_a_tick_at_every_month_start_in_range() -> None:
    episode = Episode(
        patient=Patient(id="p1"), diagnostic_blocks=(_block(D(2025, 1, 10), 7, 2), _block(D(2025, 5, 20), 7, 2))
    )

    svg = timeline_svg(episode, D(2025, 6, 1), None)

    assert svg.count('class="month-tick"') == 4  # Feb, Mar, Apr, May


def test_relief_bars_share_one_row_and_each_carries_the_rule_sets_lasting_relief_mark() -> None:
    injections = tuple(
        TherapeuticInjection(date=day, side="left", relief_percent=80, relief_duration_days=60)
        for day in (D(2024, 1, 10), D(2024, 6, 10), D(2024, 11, 10))
    )
    episode = Episode(patient=Patient(id="p1"), therapeutic_injections=injections)

    svg = timeline_svg(episode, D(2025, 3, 1), 50, lasting_months=3)

    rows = set(re.findall(r'<g class="relief">.*?<rect x="[^"]*" y="([^"]*)"', svg))
    assert len(rows) == 1
    assert svg.count('class="lasting-relief"') == 3
    assert "from 2024-04-10" in svg  # three months after the first injection


def test_without_a_rule_set_duration_no_lasting_relief_mark_is_drawn() -> None:
    injection = TherapeuticInjection(date=D(2024, 1, 10), side="left", relief_percent=80, relief_duration_days=60)
    episode = Episode(patient=Patient(id="p1"), therapeutic_injections=(injection,))

    assert "lasting-relief" not in timeline_svg(episode, D(2025, 3, 1), 50)


def test_the_timeline_has_a_table_alternative_keeping_same_day_order() -> None:
    episode = Episode(patient=Patient(id="p1"), diagnostic_blocks=(_block(D(2025, 3, 1), pre=7, post=2),))

    svg = timeline_svg(episode, D(2025, 6, 1), None)

    table = svg[svg.index("<table>") : svg.index("</table>")]
    assert table.index("pain NRS 7") < table.index("diagnostic block (left)") < table.index("pain NRS 2")


def _point_x(svg: str, role: str) -> float:
    return float(re.findall(rf'data-role="{role}" cx="([^"]+)"', svg)[0])


def test_the_post_block_point_is_drawn_right_of_the_pre_block_point_on_the_same_day() -> None:
    episode = Episode(patient=Patient(id="p1"), diagnostic_blocks=(_block(D(2025, 3, 1), pre=7, post=2),))

    svg = timeline_svg(episode, D(2025, 6, 1), None)

    assert _point_x(svg, "pre") < _point_x(svg, "post")


def test_no_line_is_drawn_across_a_long_gap_between_scores() -> None:
    scores = tuple(
        PainScore(date=day, nrs=6, context="clinic")
        for day in (D(2023, 1, 5), D(2023, 2, 5), D(2024, 8, 5), D(2024, 9, 5))  # 18 months without a score
    )
    episode = Episode(patient=Patient(id="p1"), pain_scores=scores)

    svg = timeline_svg(episode, D(2024, 12, 1), None)

    lines = re.findall(r'<polyline class="pain" points="([^"]*)"', svg)
    assert [len(points.split()) for points in lines] == [2, 2]


def test_scores_a_month_apart_are_joined_by_one_line() -> None:
    scores = tuple(PainScore(date=D(2024, m, 5), nrs=6, context="clinic") for m in (1, 2, 3, 4))
    episode = Episode(patient=Patient(id="p1"), pain_scores=scores)

    svg = timeline_svg(episode, D(2024, 12, 1), None)

    assert svg.count('<polyline class="pain"') == 1


def test_procedures_sit_in_the_row_of_the_joint_treated_and_a_bilateral_one_in_both() -> None:
    left = TherapeuticInjection(date=D(2024, 1, 10), side="left")
    both = TherapeuticInjection(date=D(2024, 6, 10), side="bilateral")
    episode = Episode(patient=Patient(id="p1"), therapeutic_injections=(left, both))

    svg = timeline_svg(episode, D(2024, 12, 1), None)

    groups = re.findall(r'<g class="marker therapeutic_injections" data-side="([^"]*)">(.*?)</g>', svg)
    rows = {side: re.findall(r'<text x="[^"]*" y="([^"]*)"', body) for side, body in groups}
    assert len(rows["left"]) == 1
    assert len(rows["bilateral"]) == 2
    assert rows["left"][0] in rows["bilateral"]  # the bilateral one is in the left row too
    assert ">Left<" in svg
    assert ">Right<" in svg


def test_a_procedure_without_a_side_gets_a_row_of_its_own() -> None:
    episode = Episode(patient=Patient(id="p1"), therapeutic_injections=(TherapeuticInjection(date=D(2024, 1, 10)),))

    svg = timeline_svg(episode, D(2024, 12, 1), None)

    assert ">Side?<" in svg
    assert "therapeutic injection (side not recorded)" in svg


def test_months_are_named_on_a_short_timeline_and_quarters_on_a_longer_one() -> None:
    short = Episode(
        patient=Patient(id="p1"),
        pain_scores=tuple(PainScore(date=D(2024, m, 5), nrs=5, context="clinic") for m in (1, 5)),
    )
    long = Episode(
        patient=Patient(id="p1"),
        pain_scores=tuple(PainScore(date=D(y, 1, 5), nrs=5, context="clinic") for y in (2022, 2024)),
    )

    short_months = re.findall(r'class="month"[^>]*>(\w+)<', timeline_svg(short, D(2024, 6, 1), None))
    long_months = set(re.findall(r'class="month"[^>]*>(\w+)<', timeline_svg(long, D(2024, 6, 1), None)))

    assert short_months == ["Feb", "Mar", "Apr", "May"]
    assert long_months == {"Jan", "Apr", "Jul", "Oct"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.episodes())
def test_any_timeline_is_drawn_in_time_order_with_pre_before_post_and_no_line_across_a_long_gap(
    episode: Episode,
) -> None:
    svg = timeline_svg(episode, strategies.AS_OF, 50, lasting_months=3)

    points = re.findall(r'data-date="([^"]+)" data-role="([a-z]+)" cx="([^"]+)"', svg)
    xs = [float(x) for _, _, x in points]
    assert xs == sorted(xs)
    for day in {d for d, _, _ in points}:
        roles = [role for d, role, _ in points if d == day]
        assert roles == sorted(roles, key=["pre", "standalone", "post"].index)
    for line in re.findall(r'<polyline class="pain" points="([^"]*)"', svg):
        drawn = [float(pair.split(",")[0]) for pair in line.split()]
        assert set(drawn) <= set(xs)  # the line goes through the points, not beside them
        days = [dt.date.fromisoformat(d) for d, _, x in points if float(x) in drawn]
        assert all((b - a).days <= GAP_DAYS for a, b in itertools.pairwise(sorted(set(days))))
