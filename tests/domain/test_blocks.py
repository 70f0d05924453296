"""Diagnostic blocks: relief percent, technique validity, the reading's text and two-block agreement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sijpath.domain.blocks import BlockReading, read_block, relief_percent, two_block_agreement
from sijpath.domain.procedures import Anesthetic, DiagnosticBlock, SteroidDose

ACCEPTED_GUIDANCE = frozenset({"fluoroscopy", "ct"})
WINDOWS = {"lidocaine": 120, "bupivacaine": 480}


def make_block(**changes: Any) -> DiagnosticBlock:
    """A technically sound block: fluoroscopy, contrast, lidocaine only, NRS 8 → 1 at 30 minutes."""
    fields: dict[str, Any] = {
        "date": dt.date(2025, 1, 10),
        "side": "left",
        "guidance": "fluoroscopy",
        "contrast": True,
        "anesthetics": (Anesthetic(drug="lidocaine"),),
        "pre_block_nrs": 8,
        "post_block_nrs": 1,
        "post_block_minutes": 30,
    }
    fields.update(changes)
    return DiagnosticBlock(**fields)


def read(block: DiagnosticBlock, *, contrast_required: bool = True) -> BlockReading:
    return read_block(
        block,
        accepted_guidance=ACCEPTED_GUIDANCE,
        anesthetic_window_minutes=WINDOWS,
        contrast_required=contrast_required,
    )


# --- relief_percent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        (8, 1, 87.5),  # (8 - 1) / 8 = 7/8 = 0.875
        (4, 1, 75.0),  # (4 - 1) / 4 = 3/4 = 0.75, exactly on the usual 75% threshold
        (10, 10, 0.0),  # no change, no relief
        (6, 0, 100.0),  # pain gone entirely
        (5, 2.5, 50.0),  # half-point scores are allowed: 2.5 / 5 = 0.5
    ],
)
def test_relief_percent_is_the_drop_as_a_share_of_the_pre_score(pre: float, post: float, expected: float) -> None:
    assert relief_percent(pre, post) == pytest.approx(expected)


def test_relief_percent_of_4_to_1_is_exactly_75() -> None:
    # 3/4 is exact in binary floating point, so the threshold comparison `>= 75` must not be thrown off by rounding.
    assert relief_percent(4, 1) == 75.0


def test_pre_score_of_zero_is_rejected() -> None:
    with pytest.raises(ValueError, match="no pain to relieve"):
        relief_percent(0, 0)


def test_post_score_higher_than_pre_is_rejected() -> None:
    with pytest.raises(ValueError, match="post score 6 is higher than the pre score 5"):
        relief_percent(5, 6)


# --- read_block: validity -------------------------------------------------------------------------------------


def test_anesthetic_only_fluoroscopic_block_with_contrast_inside_the_window_is_valid() -> None:
    reading = read(make_block())

    assert reading.validity == "valid"
    assert reading.relief_percent == pytest.approx(87.5)  # (8 - 1) / 8
    assert reading.technique_problems == ()
    assert reading.unverified == ()
    assert reading.data_problem is None


def test_block_with_a_steroid_in_the_injectate_is_invalid() -> None:
    reading = read(make_block(steroids=(SteroidDose(drug="triamcinolone", dose_mg=40),)))

    assert reading.validity == "invalid"
    assert reading.technique_problems == (
        "injectate contains a corticosteroid (a diagnostic block is anesthetic-only)",
    )


def test_block_with_guidance_that_is_not_accepted_is_invalid_and_names_the_accepted_modalities() -> None:
    reading = read(make_block(guidance="ultrasound"))

    assert reading.validity == "invalid"
    # The accepted modalities are listed in alphabetical order: ct, then fluoroscopy.
    assert reading.technique_problems == ("guidance `ultrasound` is not accepted (needs ct or fluoroscopy)",)


def test_block_without_contrast_is_invalid_when_contrast_is_required() -> None:
    reading = read(make_block(contrast=False))

    assert reading.validity == "invalid"
    assert reading.technique_problems == ("no contrast was used",)


def test_block_without_contrast_is_valid_when_contrast_is_not_required() -> None:
    reading = read(make_block(contrast=False), contrast_required=False)

    assert reading.validity == "valid"


def test_post_score_taken_after_the_anesthetic_window_makes_the_block_invalid() -> None:
    reading = read(make_block(post_block_minutes=121))  # lidocaine window is 120 min; 121 > 120

    assert reading.validity == "invalid"
    assert reading.technique_problems == ("post-block score at 121 min is outside the anesthetic's 120-minute window",)


def test_post_score_taken_at_the_last_minute_of_the_window_is_valid() -> None:
    reading = read(make_block(post_block_minutes=120))  # 120 is not > 120

    assert reading.validity == "valid"


def test_mixed_anesthetics_are_read_against_the_longest_acting_agent() -> None:
    # Lidocaine (120 min) + bupivacaine (480 min): 300 min is past lidocaine but inside bupivacaine.
    block = make_block(
        anesthetics=(Anesthetic(drug="lidocaine"), Anesthetic(drug="bupivacaine")),
        post_block_minutes=300,
    )

    assert read(block).validity == "valid"


def test_every_technique_problem_is_reported_not_only_the_first() -> None:
    block = make_block(
        steroids=(SteroidDose(drug="methylprednisolone", dose_mg=40),),
        guidance="none",
        contrast=False,
        post_block_minutes=200,
    )

    assert len(read(block).technique_problems) == 4  # steroid, guidance, contrast, timing


def test_block_without_the_time_of_the_post_score_is_unverifiable() -> None:
    reading = read(make_block(post_block_minutes=None))

    assert reading.validity == "unverifiable"
    assert reading.unverified == ("time of the post-block score not recorded",)
    assert reading.relief_percent == pytest.approx(87.5)  # the relief itself is still computed


def test_block_with_an_anesthetic_of_unknown_duration_is_unverifiable() -> None:
    reading = read(make_block(anesthetics=(Anesthetic(drug="mepivacaine"),)))

    assert reading.validity == "unverifiable"
    assert reading.unverified == ("no duration of action known for mepivacaine",)


def test_block_with_contrast_not_recorded_is_unverifiable_when_contrast_is_required() -> None:
    reading = read(make_block(contrast=None))

    assert reading.validity == "unverifiable"
    assert reading.unverified == ("use of contrast not recorded",)


@pytest.mark.parametrize(
    "missing",
    [{"pre_block_nrs": None}, {"post_block_nrs": None}, {"pre_block_nrs": None, "post_block_nrs": None}],
)
def test_block_with_a_missing_pain_score_is_unverifiable(missing: dict[str, None]) -> None:
    reading = read(make_block(**missing))

    assert reading.validity == "unverifiable"
    assert reading.relief_percent is None
    assert reading.unverified == ("pre- or post-block pain score not recorded",)


def test_block_whose_relief_cannot_be_computed_is_unverifiable_with_a_data_problem() -> None:
    reading = read(make_block(pre_block_nrs=4, post_block_nrs=5))

    assert reading.validity == "unverifiable"
    assert reading.relief_percent is None
    assert reading.data_problem == "post score 5 is higher than the pre score 4"


def test_a_technique_problem_outweighs_missing_facts() -> None:
    reading = read(make_block(steroids=(SteroidDose(drug="dexamethasone", dose_mg=4),), post_block_minutes=None))

    assert reading.unverified == ("time of the post-block score not recorded",)
    assert reading.validity == "invalid"


# --- BlockReading.describe ------------------------------------------------------------------------------------


def test_description_of_a_valid_block_gives_scores_time_and_rounded_relief() -> None:
    # 87.5% is printed as it is: never rounded across a threshold.
    assert read(make_block()).describe() == (
        "block 2025-01-10 (left), lidocaine only, fluoroscopy: NRS 8 → 1 at 30 min = 87.5% relief"
    )


def test_description_lists_steroids_and_ct_guidance() -> None:
    block = make_block(
        side="right",
        guidance="ct",
        steroids=(SteroidDose(drug="triamcinolone", dose_mg=40),),
        pre_block_nrs=6,
        post_block_nrs=3,
    )

    # (6 - 3) / 6 = 50%
    assert read(block).describe() == (
        "block 2025-01-10 (right), lidocaine + triamcinolone, CT-guided: NRS 6 → 3 at 30 min = 50% relief"
    )


def test_description_joins_several_anesthetics_and_spells_out_missing_guidance() -> None:
    block = make_block(
        guidance="none",
        anesthetics=(Anesthetic(drug="lidocaine"), Anesthetic(drug="bupivacaine")),
        post_block_minutes=None,
        pre_block_nrs=10,
        post_block_nrs=2.5,
    )

    # (10 - 2.5) / 10 = 75%; no time recorded, so no "at … min".
    assert read(block).describe() == (
        "block 2025-01-10 (left), lidocaine + bupivacaine only, no image guidance: NRS 10 → 2.5 = 75% relief"
    )


def test_description_says_when_scores_are_not_recorded() -> None:
    block = make_block(guidance="ultrasound", post_block_nrs=None)

    assert read(block).describe() == (
        "block 2025-01-10 (left), lidocaine only, ultrasound: pre/post pain scores not recorded"
    )


def test_description_says_why_relief_is_not_computable() -> None:
    block = make_block(pre_block_nrs=4, post_block_nrs=5)

    assert read(block).describe() == (
        "block 2025-01-10 (left), lidocaine only, fluoroscopy: NRS 4 → 5 at 30 min, "
        "relief not computable (post score 5 is higher than the pre score 4)"
    )


def AT_LEAST_75(reading: BlockReading) -> bool:
    return reading.relief_percent is not None and reading.relief_percent >= 75


# --- two_block_agreement --------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold_block_first", [True, False])
def test_two_positive_blocks_are_concordant_positive(threshold_block_first: bool) -> None:
    clear = read(make_block(pre_block_nrs=8, post_block_nrs=1))  # 87.5%
    on_threshold = read(make_block(pre_block_nrs=4, post_block_nrs=1))  # 75%: exactly on the threshold counts

    pair = (on_threshold, clear) if threshold_block_first else (clear, on_threshold)
    assert two_block_agreement(*pair, AT_LEAST_75) == "concordant-positive"


def test_two_negative_blocks_are_concordant_negative() -> None:
    first = read(make_block(pre_block_nrs=8, post_block_nrs=4))  # 50%
    second = read(make_block(pre_block_nrs=10, post_block_nrs=6))  # 40%

    assert two_block_agreement(first, second, AT_LEAST_75) == "concordant-negative"


@pytest.mark.parametrize("positive_first", [True, False])
def test_one_positive_and_one_negative_block_are_discordant(positive_first: bool) -> None:
    positive = read(make_block(pre_block_nrs=8, post_block_nrs=1))  # 87.5%
    negative = read(make_block(pre_block_nrs=7, post_block_nrs=2))  # 5/7 = 71.4%, just under 75

    pair = (positive, negative) if positive_first else (negative, positive)
    assert two_block_agreement(*pair, AT_LEAST_75) == "discordant"


@pytest.mark.parametrize(
    "not_valid",
    [
        {"steroids": (SteroidDose(drug="triamcinolone", dose_mg=40),)},  # invalid
        {"post_block_minutes": None},  # unverifiable
        {"post_block_nrs": None},  # unverifiable, no relief at all
    ],
)
@pytest.mark.parametrize("not_valid_first", [True, False])
def test_agreement_is_indeterminate_when_either_block_is_not_valid(
    not_valid: dict[str, Any], not_valid_first: bool
) -> None:
    good = read(make_block())
    bad = read(make_block(**not_valid))

    pair = (bad, good) if not_valid_first else (good, bad)
    assert two_block_agreement(*pair, AT_LEAST_75) == "indeterminate"


def test_block_without_recorded_guidance_is_unverifiable_not_valid() -> None:
    reading = read(make_block(guidance=None))

    assert reading.validity == "unverifiable"
    assert "image guidance not recorded" in reading.unverified


def test_fluoroscopy_or_ct_counts_when_the_rule_set_accepts_both() -> None:
    reading = read(make_block(guidance="fluoroscopy-or-ct"))

    assert reading.validity == "valid"


def test_fluoroscopy_or_ct_is_unverifiable_when_only_one_of_them_is_accepted() -> None:
    reading = read_block(
        make_block(guidance="fluoroscopy-or-ct"),
        accepted_guidance=("fluoroscopy",),
        anesthetic_window_minutes={"lidocaine": 60},
        contrast_required=False,
    )

    assert reading.validity == "unverifiable"
    assert reading.unverified == ("guidance recorded as fluoroscopy or CT, not which (needs fluoroscopy)",)


def test_fluoroscopy_or_ct_is_invalid_when_neither_is_accepted() -> None:
    reading = read_block(
        make_block(guidance="fluoroscopy-or-ct"),
        accepted_guidance=("ultrasound",),
        anesthetic_window_minutes={"lidocaine": 60},
        contrast_required=False,
    )

    assert reading.validity == "invalid"
