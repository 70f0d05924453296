"""Outcome evidence: every percentage shown is one its cited source states, and a group size is one it could come
from (IPDAS review: a 24-month figure not in its source, and ranges worked out from the wrong group size)."""

from __future__ import annotations

import pytest

from sijpath import wiring
from sijpath.decisionaid.evidence import OutcomeRow, load_outcome_evidence

CATALOG = wiring.load_catalog()
ROWS = [row for row in load_outcome_evidence(CATALOG).outcome if row.known and row.percent is not None]


def _stated(row: OutcomeRow) -> bool:
    assert row.percent is not None
    forms = (f"{row.percent:g}%", f"{row.percent:.1f}%", f"{row.percent:g} of 100", f"{round(row.percent)} of 100")
    return any(form in CATALOG[sid].supports for sid in row.cites for form in forms)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.option}-{r.months}-{r.outcome[:30]}" for r in ROWS])
def test_every_percentage_shown_is_stated_by_a_cited_source(row: OutcomeRow) -> None:
    assert _stated(row), f"{row.percent}% is not in the catalogued `supports` of {row.cites}"


def test_a_group_size_the_percentage_cannot_come_from_is_refused() -> None:
    fields = {
        "option": "fusion",
        "outcome": "ODI improved",
        "kind": "benefit",
        "months": 6,
        "design": "randomised trial",
        "population": "adults",
        "funding": "not known",
        "cites": ("insite-whang-2015",),
    }
    OutcomeRow.model_validate({**fields, "percent": 81.4, "denominator": 102})  # 83 of 102
    with pytest.raises(ValueError, match="cannot be a share of 102 people"):
        OutcomeRow.model_validate({**fields, "percent": 75.0, "denominator": 102})


def test_fusion_at_24_months_shows_each_insite_outcome_the_source_states() -> None:
    at_24 = {(row.outcome, row.percent) for row in ROWS if row.option == "fusion" and row.months == 24}
    assert {percent for _, percent in at_24} == {83.1, 82.0, 68.2, 65.9}
