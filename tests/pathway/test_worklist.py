"""Why a joint is on the worklist: evidence past the rule set's currency window, data issues, a step held for
documentation; each case written by hand from an example patient and a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sijpath import wiring
from sijpath.pathway.assess import evaluate
from sijpath.pathway.worklist import WorkItem, work_items

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def items(example: str, as_of: dt.date, ruleset_id: str = "source-articles") -> tuple[WorkItem, ...]:
    ruleset = wiring.load_ruleset(ruleset_id, as_of)
    return work_items(evaluate(wiring.load_episode(EXAMPLES / f"{example}.yaml"), ruleset, as_of), ruleset)


def test_a_fusion_candidate_whose_ct_is_past_the_12_month_window_has_it_to_refresh() -> None:
    found = items("fusion-candidate", dt.date(2028, 3, 1))

    stale = [i.detail for i in found if i.reason == "stale-evidence"]
    assert all(i.joint == "left" for i in found)
    assert any("the latest CT/MRI of the SI joint (2026-06-10) is more than 12 months old" in d for d in stale)
    assert not any(i.reason == "needs-documentation" for i in found)  # only stale facts hold the decision


def test_the_same_ct_within_the_window_puts_nothing_on_the_worklist() -> None:
    assert items("fusion-candidate", dt.date(2026, 11, 1)) == ()


def test_a_record_with_an_implausible_block_has_its_data_issue_and_what_to_document() -> None:
    found = items("implausible-block", dt.date(2026, 11, 1))

    assert [i.reason for i in found] == ["data-issues", "needs-documentation"]
    assert "post score 6 is higher than the pre score 3" in found[0].detail
    assert found[1].detail.endswith("more")  # long lists are cut to three items


def test_old_fusion_imaging_is_not_listed_while_the_next_step_is_a_confirmatory_block() -> None:
    # Under eviCore's criteria the same patient needs a second block first: the CT (past its 6 months) and the
    # scores gate a fusion evaluation, not the block, so nothing is to refresh yet.
    found = items("fusion-candidate", dt.date(2027, 3, 1), "commercial-strict")

    assert not any(i.reason == "stale-evidence" for i in found)
