"""The patient timeline SVG: same-day pre-before-post order, month ticks, relief bars on one row."""

from __future__ import annotations

import datetime as dt
import re

from sijpath.domain.episode import Episode, Patient
from sijpath.domain.findings import PainScore
from sijpath.domain.procedures import Anesthetic, DiagnosticBlock, TherapeuticInjection
from sijpath.web.chart import timeline_svg

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

    assert _titles(svg) == ["2025-03-01: pain NRS 7", "2025-03-01: pain NRS 2"]


def test_a_clinic_score_on_the_block_day_is_drawn_between_the_pre_and_post_block_scores() -> None:
    episode = Episode(
        patient=Patient(id="p1"),
        diagnostic_blocks=(_block(D(2025, 3, 1), pre=7, post=2),),
        pain_scores=(PainScore(date=D(2025, 3, 1), nrs=1, context="clinic"),),
    )

    svg = timeline_svg(episode, D(2025, 6, 1), None)

    assert _titles(svg) == ["2025-03-01: pain NRS 7", "2025-03-01: pain NRS 1", "2025-03-01: pain NRS 2"]


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
    assert table.index("pain NRS 7") < table.index("pain NRS 2")
    assert "diagnostic block (left)" in table
