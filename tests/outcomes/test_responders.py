"""Responder classification exactly at each cited threshold, on both sides, and unknown when a value is missing."""

from __future__ import annotations

import pytest

from sijpath import wiring
from sijpath.outcomes.odi import OdiScore, score_odi
from sijpath.outcomes.responders import THRESHOLDS, ResponderThreshold, is_responder, thresholds_for


def _threshold(threshold_id: str) -> ResponderThreshold:
    return next(t for t in THRESHOLDS if t.id == threshold_id)


def test_every_threshold_cites_a_source_in_the_catalog() -> None:
    catalog = wiring.load_catalog()
    assert all(t.source in catalog for t in THRESHOLDS)


def test_the_thresholds_are_the_ones_product_anchors_cites() -> None:
    assert {t.id: (t.points, t.percent) for t in THRESHOLDS} == {
        "odi-insite-clinical": (15, None),
        "odi-insite-scb": (18.8, None),
        "odi-ostelo-mic": (10, 30),
        "nrs-back-ostelo-mic": (2, 30),
        "nrs-leg-ostelo-mic": (2, 30),
        "eq5d-japanese-lbp": (0.08, None),
    }


def test_thresholds_for_an_instrument_are_only_its_own() -> None:
    assert [t.id for t in thresholds_for("odi")] == ["odi-insite-clinical", "odi-insite-scb", "odi-ostelo-mic"]
    assert [t.id for t in thresholds_for("nrs_leg")] == ["nrs-leg-ostelo-mic"]


@pytest.mark.parametrize(
    ("threshold_id", "baseline", "follow_up", "expected"),
    [
        # ODI ≥15 points (INSITE): no percentage alternative
        ("odi-insite-clinical", 60, 45, True),
        ("odi-insite-clinical", 60, 45.2, False),
        ("odi-insite-clinical", 20, 6, False),  # 70% better but 14 points: not an INSITE responder
        # ODI ≥18.8 points (INSITE substantial clinical benefit)
        ("odi-insite-scb", 60, 41.2, True),
        ("odi-insite-scb", 60, 41.4, False),
        # ODI ≥10 points or ≥30% (Ostelo)
        ("odi-ostelo-mic", 60, 50, True),
        ("odi-ostelo-mic", 60, 50.2, False),
        ("odi-ostelo-mic", 30, 21, True),  # 9 points, exactly 30%
        ("odi-ostelo-mic", 30, 21.2, False),  # 8.8 points, 29.3%
        # back pain NRS ≥2 points or ≥30%
        ("nrs-back-ostelo-mic", 8, 6, True),
        ("nrs-back-ostelo-mic", 8, 7, False),  # 1 point, 12.5%
        ("nrs-back-ostelo-mic", 10, 7, True),  # 3 points
        ("nrs-back-ostelo-mic", 3, 2, True),  # 1 point but 33%
        ("nrs-back-ostelo-mic", 4, 3, False),  # 1 point, 25%
        ("nrs-leg-ostelo-mic", 6, 4, True),
        ("nrs-leg-ostelo-mic", 6, 5, False),
        # EQ-5D index: improvement is a rise of ≥0.08
        ("eq5d-japanese-lbp", 0.50, 0.58, True),
        ("eq5d-japanese-lbp", 0.50, 0.579, False),
        ("eq5d-japanese-lbp", 0.58, 0.50, False),
    ],
)
def test_classification_at_and_just_short_of_each_threshold(
    threshold_id: str, baseline: float, follow_up: float, expected: bool
) -> None:
    assert is_responder(_threshold(threshold_id), baseline, follow_up) is expected


def test_a_change_of_exactly_the_threshold_with_a_floating_point_residue_counts() -> None:
    # 33.3 − 18.3 is 14.999999999999996 in binary floating point, 0.58 − 0.50 is 0.07999999999999996
    assert 33.3 - 18.3 < 15
    assert is_responder(_threshold("odi-insite-clinical"), 33.3, 18.3) is True
    assert 0.58 - 0.50 < 0.08
    assert is_responder(_threshold("eq5d-japanese-lbp"), 0.50, 0.58) is True


def test_a_change_a_millionth_short_of_the_threshold_does_not_count() -> None:
    assert is_responder(_threshold("odi-insite-clinical"), 62.0, 47.000002) is False


def test_an_odi_scored_from_nine_sections_is_classified_on_its_index() -> None:
    before = score_odi([3, 3, 3, 3, 3, 3, 3, None, 3, 4])  # 28/45 × 100 = 62.2
    after = score_odi([2, 2, 2, 2, 2, 2, 2, None, 2, 1])  # 17/45 × 100 = 37.8
    assert isinstance(before, OdiScore)
    assert isinstance(after, OdiScore)
    assert before.index - after.index == pytest.approx(1100 / 45)
    assert is_responder(_threshold("odi-insite-scb"), before.index, after.index) is True


def test_a_worsening_is_never_a_response() -> None:
    assert is_responder(_threshold("nrs-back-ostelo-mic"), 5, 8) is False
    assert is_responder(_threshold("odi-ostelo-mic"), 40, 60) is False


def test_a_zero_baseline_has_no_percentage_and_cannot_improve() -> None:
    assert is_responder(_threshold("nrs-back-ostelo-mic"), 0, 0) is False


@pytest.mark.parametrize(("baseline", "follow_up"), [(None, 4), (7, None), (None, None)])
def test_a_missing_value_is_unknown_not_a_non_responder(baseline: float | None, follow_up: float | None) -> None:
    assert is_responder(_threshold("nrs-back-ostelo-mic"), baseline, follow_up) is None
