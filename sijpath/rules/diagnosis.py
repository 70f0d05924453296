"""Diagnosis and confirmation: pain pattern, anesthetic-only block, and the pivot after a failed repeat block."""

from __future__ import annotations

from sijpath.domain.blocks import two_block_agreement
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import CriterionRule, FlagRule
from sijpath.rules.facts import Facts
from sijpath.rules.memo import memoized
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.thresholds import required

__all__ = ["BLOCK_CONFIRMS", "BLOCK_TECHNIQUE_FLAG", "PAIN_PRESENTATION", "REPEAT_BLOCK_FAILS"]

VALID_BLOCK = (
    "an image-guided, anesthetic-only diagnostic block with pre- and post-block pain scores on the same scale, "
    "the post score timed while the anesthetic is active"
)


@memoized
def pain_presentation(f: Facts) -> Outcome:
    """Pain below L5 that does not radiate below the knee points to the SI joint."""
    pain = f.episode.pain
    evidence = []
    if pain.below_l5 is not None:
        evidence.append(Evidence(None, f"pain {'below' if pain.below_l5 else 'not below'} L5", "pain.below_l5"))
    if pain.radiates_below_knee is not None:
        text = "radiates below the knee" if pain.radiates_below_knee else "does not radiate below the knee"
        evidence.append(Evidence(None, f"pain {text}", "pain.radiates_below_knee"))
    if pain.below_l5 is False:
        return not_met("pain is not located below L5", evidence)
    if pain.radiates_below_knee:
        return not_met("pain radiates below the knee, which points to a radicular source", evidence)
    if pain.below_l5 and pain.radiates_below_knee is False:
        return met("pain below L5 without radiation below the knee", evidence)
    missing = []
    if pain.below_l5 is None:
        missing.append("whether the pain is located below L5 (pain.below_l5)")
    if pain.radiates_below_knee is None:
        missing.append("whether the pain radiates below the knee (pain.radiates_below_knee)")
    return unknown("pain location not fully documented", missing, evidence)


@memoized
def block_confirms(f: Facts) -> Outcome:
    """Enough valid blocks reach the relief threshold, and the latest valid block is one of them."""
    needed = required(f.t.min_positive_block_count, "min_positive_block_count")
    valid = f.valid_blocks
    if not valid:
        missing = [VALID_BLOCK]
        missing += [f"block {b.block.date}: {problem}" for b in f.blocks for problem in b.unverified]
        missing += [
            f"block {b.block.date}: check the recorded scores ({b.data_problem})" for b in f.blocks if b.data_problem
        ]
        evidence = [f.block_evidence(b) for b in f.blocks]
        return unknown("no diagnostic block that meets the technique requirements", missing, evidence)
    evidence = [f.block_evidence(b) for b in valid]
    positives = [b for b in valid if f.block_positive(b)]
    latest = valid[-1]
    assert latest.relief_percent is not None
    if not f.block_positive(latest):
        return not_met(
            f"latest valid block ({latest.block.date}) gave {latest.relief_percent:.0f}% relief, "
            f"not {f.block_threshold_text}",
            evidence,
        )
    if len(positives) < needed:
        return not_met(f"{len(positives)} of {needed} required blocks with {f.block_threshold_text} relief", evidence)
    return met(
        f"{len(positives)} valid block(s) with {f.block_threshold_text} relief; the latest ({latest.block.date}) "
        f"gave {latest.relief_percent:.0f}%",
        evidence,
    )


@memoized
def repeat_block_fails(f: Facts) -> Outcome:
    """A repeat valid block below the threshold means the SI joint is not the (main) pain source."""
    valid = f.valid_blocks
    evidence = [f.block_evidence(b) for b in valid]
    latest = valid[-1] if valid else None
    # A repeat block targets exactly the same joint(s): a left block does not repeat a bilateral one.
    same_side = [b for b in valid[:-1] if latest and b.block.side == latest.block.side]
    if latest is None or not same_side:
        return not_met("no repeat diagnostic block of the same joint has failed to confirm", evidence)
    earlier = same_side[-1]
    agreement = two_block_agreement(earlier, latest, f.block_positive).replace("-", " ")
    if f.block_positive(latest):
        return not_met(f"the latest repeat block confirms the SI joint ({agreement} with the block before)", evidence)
    assert latest.relief_percent is not None
    return met(
        f"repeat block {latest.block.date} gave {latest.relief_percent:.0f}% relief, not {f.block_threshold_text} "
        f"({agreement} with the block before): the SI joint is not confirmed as the pain source",
        evidence,
    )


def block_technique(f: Facts) -> FlagResult | None:
    """A block recorded as diagnostic whose technique means its relief cannot count."""
    invalid = [b for b in f.blocks if b.validity == "invalid"]
    if not invalid:
        return None
    reasons = "; ".join(f"block {b.block.date}: {', '.join(b.technique_problems)}" for b in invalid)
    return FlagResult(
        "warning",
        f"{len(invalid)} block(s) cannot confirm the SI joint as the pain source ({reasons}). A diagnostic block "
        "is anesthetic-only and image-guided, with the post score read while the anesthetic is active.",
        tuple(f.block_evidence(b) for b in invalid),
    )


BLOCK_THRESHOLDS = (
    "min_block_relief_percent",
    "min_pre_block_nrs_points",
    "accepted_block_guidance_modalities",
    "block_contrast_required_flag",
    "anesthetic_window_minutes",
)

PAIN_PRESENTATION: CriterionRule[Facts] = CriterionRule(
    id="sij-pain-presentation",
    title="Pain pattern points to the SI joint (below L5, not radiating below the knee)",
    stage="diagnosis",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, "cms-sij-injection-lcd-2023"),
    thresholds=(),
    check=pain_presentation,
)
BLOCK_CONFIRMS: CriterionRule[Facts] = CriterionRule(
    id="diagnostic-block-confirms-sij",
    title="Image-guided, anesthetic-only diagnostic block confirms the SI joint",
    stage="confirmation",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    thresholds=(*BLOCK_THRESHOLDS, "min_positive_block_count"),
    optional_thresholds=("block_relief_exclusive_flag",),
    check=block_confirms,
)
REPEAT_BLOCK_FAILS: CriterionRule[Facts] = CriterionRule(
    id="repeat-block-fails-to-confirm",
    title="A repeat diagnostic block gives little or no relief (look for other pain sources)",
    stage="confirmation",
    cites=(ARTICLE_INJECTIONS_DONT_WORK,),
    thresholds=BLOCK_THRESHOLDS,
    optional_thresholds=("block_relief_exclusive_flag",),
    check=repeat_block_fails,
)
BLOCK_TECHNIQUE_FLAG: FlagRule[Facts] = FlagRule(
    id="block-technique",
    title="Diagnostic block technique does not allow confirmation",
    code="block-technique-invalid",
    stage="confirmation",
    cites=(ARTICLE_INJECTIONS_DONT_WORK,),
    thresholds=BLOCK_THRESHOLDS,
    check=block_technique,
)
