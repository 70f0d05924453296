"""This clinic's own figures for the decision: RFA responders and durability, RFA then fusion, fusion improvement and
bridging, each a Wilson share over hand-made rows, hidden below the minimum N."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sijpath import wiring
from sijpath.outcomes.intervals import wilson_interval
from sijpath.outcomes.local_results import MINIMUM_N, MINIMUM_N_SOURCE, compute_local_results
from sijpath.store.outcomes import COHORT_COLUMNS

RFA_DAY = dt.date(2025, 1, 1)
FUSION_DAY = dt.date(2024, 6, 1)
AS_OF = dt.date(2026, 6, 1)


def _row(pid: int, procedure: str, day: int | None, **values: Any) -> tuple[Any, ...]:
    performed = RFA_DAY if procedure == "rfa" else FUSION_DAY
    cells = {"id": pid, "procedure": procedure, "performed_on": performed, "synthetic": False, "day": day, **values}
    return tuple(cells.get(name) for name in COHORT_COLUMNS)


def _rfa(pid: int, baseline: int, three: int | None, twelve: int | None) -> list[tuple[Any, ...]]:
    rows = [_row(pid, "rfa", -5, nrs_back=baseline)]
    rows += [_row(pid, "rfa", 91, nrs_back=three)] if three is not None else []
    rows += [_row(pid, "rfa", 365, nrs_back=twelve)] if twelve is not None else []
    return rows


def _figures(rows: list[tuple[Any, ...]], procedures: Sequence[tuple[Any, ...]] = ()) -> dict[str, Any]:
    return {f.key: f for f in compute_local_results(rows, procedures, AS_OF).figures}


def test_rfa_responders_at_3_months_use_the_cited_nrs_threshold_with_a_wilson_interval() -> None:
    # 8 → 6 is 2 points (a responder), 8 → 7 is 1 point and 12.5% (not), 5 → 4 is 20% (not), 3 → 2 is 33% (responder)
    rows = [*_rfa(1, 8, 6, None), *_rfa(2, 8, 7, None), *_rfa(3, 5, 4, None), *_rfa(4, 3, 2, None)]
    rows += [_row(5, "rfa", 91, nrs_back=2)]  # no baseline: unknown, not counted either way
    figure = _figures(rows)["rfa-responders-3m"]
    assert figure.estimate == wilson_interval(2, 4)
    assert figure.sources == ("ostelo-2008",)


def test_durability_counts_only_3_month_responders_measured_again_at_12_months() -> None:
    rows = [*_rfa(1, 8, 5, 5), *_rfa(2, 8, 5, 8), *_rfa(3, 8, 5, None), *_rfa(4, 8, 8, 4)]
    figure = _figures(rows)["rfa-durable-12m"]
    assert figure.estimate == wilson_interval(1, 2)  # patients 1 (still) and 2 (not); 3 unmeasured, 4 no 3-month help


def test_conversion_counts_a_fusion_of_the_same_joint_within_a_year_of_an_rfa_done_a_year_ago() -> None:
    procedures = [
        (1, "P1", "left", "rfa", dt.date(2025, 1, 1)),
        (2, "P1", "left", "fusion", dt.date(2025, 9, 1)),  # converted
        (3, "P2", "left", "rfa", dt.date(2025, 1, 1)),
        (4, "P2", "right", "fusion", dt.date(2025, 9, 1)),  # the other joint: not a conversion
        (5, "P3", "left", "rfa", dt.date(2024, 1, 1)),
        (6, "P3", "left", "fusion", dt.date(2025, 6, 1)),  # more than a year later
        (7, "P4", "left", "rfa", dt.date(2026, 1, 1)),  # less than a year ago: not yet counted
    ]
    figure = _figures([], procedures)["rfa-to-fusion-12m"]
    assert figure.estimate == wilson_interval(1, 3)


def test_fusion_improvement_and_bridging_at_12_months() -> None:
    rows = [
        _row(1, "fusion", -3, odi=60.0),
        _row(1, "fusion", 365, odi=45.0, ct_bridging="bridged"),  # exactly 15 points: improved
        _row(2, "fusion", -3, odi=60.0),
        _row(2, "fusion", 360, odi=50.0, ct_bridging="not-bridged"),
        _row(3, "fusion", 370, ct_bridging="indeterminate"),
    ]
    figures = _figures(rows)
    assert figures["fusion-odi-12m"].estimate == wilson_interval(1, 2)
    assert figures["fusion-bridging-12m"].estimate == wilson_interval(1, 3)


def test_a_figure_is_hidden_below_the_minimum_and_shown_from_it() -> None:
    below = [r for pid in range(MINIMUM_N - 1) for r in _rfa(pid, 8, 4, None)]
    assert not _figures(below)["rfa-responders-3m"].shown
    at = [r for pid in range(MINIMUM_N) for r in _rfa(pid, 8, 4, None)]
    assert _figures(at)["rfa-responders-3m"].shown


def test_the_minimum_is_catalogued_as_sijpaths_own_reading() -> None:
    source = wiring.load_catalog()[MINIMUM_N_SOURCE]
    assert source.verification == "sijpath-reading"
    assert str(MINIMUM_N) in source.supports


def test_synthetic_rows_mark_the_results_synthetic() -> None:
    row = list(_row(1, "rfa", -5, nrs_back=8))
    row[COHORT_COLUMNS.index("synthetic")] = True
    assert compute_local_results([tuple(row)], [], AS_OF).synthetic
    assert not compute_local_results(_rfa(1, 8, 4, None), [], AS_OF).synthetic
