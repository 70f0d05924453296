"""Diagnosis and confirmation: pain pattern, anesthetic-only block of the joint, and the pivot after a failed repeat."""

from __future__ import annotations

from sijpath.domain.blocks import percent_text, two_block_agreement
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Flag, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = ["BLOCK_CONFIRMS", "BLOCK_TECHNIQUE_FLAG", "PAIN_PRESENTATION", "REPEAT_BLOCK_FAILS"]

VALID_BLOCK = (
    "an image-guided, anesthetic-only diagnostic block of this joint alone, with pre- and post-block pain scores on "
    "the same scale, the post score timed while the anesthetic is active"
)
BLOCK_READS = (
    th.MIN_BLOCK_RELIEF_PERCENT,
    th.MAX_LITTLE_BLOCK_RELIEF_PERCENT,
    th.ACCEPTED_BLOCK_GUIDANCE_MODALITIES,
    th.BLOCK_CONTRAST_REQUIRED_FLAG,
    th.ANESTHETIC_WINDOW_MINUTES,
)
BLOCK_OPTIONAL_READS = (
    th.BLOCK_RELIEF_EXCLUSIVE_FLAG,
    th.MIN_PRE_BLOCK_NRS_POINTS,
    th.MIN_POST_BLOCK_MINUTES,
    th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS,
)
PROCEDURES_AFTER_DIAGNOSIS = (v.THERAPEUTIC_INJECTION, v.RADIOFREQUENCY_ABLATION, v.FUSION_EVALUATION)


def pain_presentation(j: JointFacts, o: Outcomes) -> Outcome:
    """Pain below L5 without established radiculopathy points to the SI joint.

    Pain referred below the knee alone is not radicular (SI-joint pain refers to the leg and foot); a coded
    radiculopathy with a concordant lumbar imaging finding is, and a coded radiculopathy without imaging leaves it
    open until imaging or a neurological examination settles it.
    """
    pain = j.episode.pain
    evidence = []
    if pain.below_l5 is not None:
        evidence.append(Evidence(None, f"pain {'below' if pain.below_l5 else 'not below'} L5", "pain.below_l5"))
    if pain.radiates_below_knee:
        evidence.append(
            Evidence(None, "pain radiates below the knee (SI-joint pain may refer there)", "pain.radiates_below_knee")
        )
    radicular = j.patient.radicular
    evidence += [*radicular.coded, *radicular.imaging, *radicular.unsupporting]
    if pain.below_l5 is False:
        return not_met("pain is not located below L5", evidence)
    if radicular.established:
        return not_met(
            "established radiculopathy (coded, with a concordant lumbar imaging finding): the lumbar radicular source "
            "is evaluated and treated first",
            evidence,
        )
    if radicular.coded and radicular.unsupporting:
        # The lumbar imaging is already there and shows no cause: asking for imaging again would be a dead end. An
        # active radiculopathy code still stands against SI-joint procedures (payers exclude radiculopathy), so
        # the record must say whether it is current.
        return unknown(
            "radiculopathy is coded, but the latest lumbar CT/MRI shows no stenosis or disc herniation",
            ["whether the coded radiculopathy is current: confirm it by examination or EMG, or record it resolved"],
            evidence,
        )
    if radicular.coded:
        return unknown(
            "radiculopathy is coded but no lumbar imaging finding supports it",
            ["lumbar imaging (MRI or CT) or a neurological examination that confirms or excludes the radiculopathy"],
            evidence,
        )
    if pain.below_l5:
        return met("pain below L5 without radiculopathy", evidence)
    return unknown("pain location not documented", ["whether the pain is located below L5 (pain.below_l5)"], evidence)


def block_confirms(j: JointFacts, o: Outcomes) -> Outcome:
    """Enough valid blocks of this joint reach the relief threshold, and its latest valid block is one of them."""
    return _positive_blocks(j, j.t[th.MIN_POSITIVE_BLOCK_COUNT])


def block_supports_injection(j: JointFacts, o: Outcomes) -> Outcome:
    """Enough positive valid blocks for a therapeutic injection (fewer than confirmation needs, where a rule set
    says so), the latest valid block among them."""
    return _positive_blocks(j, j.t[th.MIN_POSITIVE_BLOCKS_BEFORE_INJECTION_COUNT])


def _positive_blocks(j: JointFacts, needed: int) -> Outcome:
    valid = j.valid_blocks
    if not valid:
        blocks = j.blocks
        missing = [VALID_BLOCK]
        missing += [f"block {b.block.date}: {problem}" for b in blocks for problem in b.unverified]
        missing += [
            f"block {b.block.date}: check the recorded scores ({b.data_problem})" for b in blocks if b.data_problem
        ]
        only_bilateral = bool(blocks) and all(b.block.side == "bilateral" for b in blocks)
        summary = (
            "only bilateral blocks: with both joints injected at once, relief does not show which joint hurts"
            if only_bilateral
            else "no diagnostic block of this joint that meets the technique requirements"
        )
        return unknown(summary, missing, lambda: [j.block_evidence(b) for b in blocks])

    def evidence() -> list[Evidence]:
        return [j.block_evidence(b) for b in valid]

    latest = valid[-1]
    relief = latest.relief_percent
    assert relief is not None
    if not j.block_positive(latest):
        return not_met(lambda: f"latest valid block ({latest.block.date}) {j.block_shortfall(latest)}", evidence)
    # A valid block with little to no relief before the positive one: the two disagree, whatever their order
    # (the mirror, positive then negative, is the repeat that fails). A further block decides.
    against = [b for b in valid[:-1] if j.block_result(b) == "negative"]
    if against:
        earlier = against[-1]
        return not_met(
            lambda: (
                f"discordant blocks: {earlier.block.date} {j.block_shortfall(earlier)}, then {latest.block.date} "
                f"gave {percent_text(relief)}%; a further (ideally comparative) block decides"
            ),
            evidence,
        )
    positives = sum(1 for b in valid if j.block_positive(b))
    if positives < needed:
        return not_met(
            lambda: f"{positives} of {needed} required blocks with {j.block_threshold_text} relief", evidence
        )
    return met(
        lambda: (
            f"{positives} valid block(s) with {j.block_threshold_text} relief; the latest ({latest.block.date}) "
            f"gave {percent_text(relief)}%"
        ),
        evidence,
    )


def repeat_block_fails(j: JointFacts, o: Outcomes) -> Outcome:
    """A repeat valid block of this joint gives little to no relief: look for other pain generators.

    A partial response (more than little, less than the threshold) is not a failure: a repeat or comparative block
    decides. With radiculopathy established, a repeat is not needed: a block that is not positive is enough.
    """
    valid = j.valid_blocks

    def evidence() -> list[Evidence]:
        return [j.block_evidence(b) for b in valid]

    radicular = j.patient.radicular.established
    if not valid or (len(valid) < 2 and not radicular):
        return not_met("no repeat diagnostic block of this joint has failed to confirm it", evidence)
    latest = valid[-1]
    relief = latest.relief_percent
    assert relief is not None
    result = j.block_result(latest)
    little = j.t[th.MAX_LITTLE_BLOCK_RELIEF_PERCENT]
    if result == "positive":
        return not_met(lambda: f"the latest block ({latest.block.date}) confirms the SI joint", evidence)
    if radicular:
        return met(
            lambda: (
                f"block {latest.block.date} gave {percent_text(relief)}% relief, not {j.block_threshold_text}, and "
                "radiculopathy is recorded with a concordant lumbar imaging finding"
            ),
            evidence,
        )
    earlier = valid[-2]

    def agreement() -> str:
        return two_block_agreement(earlier, latest, j.block_positive).replace("-", " ")

    if result == "partial":
        return not_met(
            lambda: (
                f"repeat block {latest.block.date} gave a partial response ({percent_text(relief)}%: at least "
                f"{little:g}%, under {j.block_threshold_text}): not 'little to no relief'; a repeat or comparative "
                "block decides"
            ),
            evidence,
        )
    return met(
        lambda: (
            f"repeat block {latest.block.date} gave {percent_text(relief)}% relief, under {little:g}% (little to no "
            f"relief; {agreement()} with the block before): the SI joint is not confirmed as the pain source"
        ),
        evidence,
    )


def block_technique(j: JointFacts, o: Outcomes) -> FlagResult | None:
    """A block recorded as diagnostic whose technique means its relief cannot count."""
    invalid = [b for b in j.blocks if b.validity == "invalid"]
    if not invalid:
        return None

    def message() -> str:
        reasons = "; ".join(f"block {b.block.date}: {', '.join(b.technique_problems)}" for b in invalid)
        return (
            f"{len(invalid)} block(s) cannot confirm the SI joint as the pain source ({reasons}). A diagnostic "
            "block is anesthetic-only and image-guided, with the post score read while the anesthetic is active."
        )

    return FlagResult("warning", message, lambda: [j.block_evidence(b) for b in invalid])


PAIN_PRESENTATION = Criterion[JointFacts](
    id="sij-pain-presentation",
    title="Pain pattern points to the SI joint (below L5, no established radiculopathy)",
    stage="diagnosis",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, "cms-sij-injection-lcd-2023"),
    check=pain_presentation,
    required_for=tuple(Gate(step) for step in (v.DIAGNOSTIC_BLOCK, *PROCEDURES_AFTER_DIAGNOSIS)),
    remedy="documentation that the pain lies below L5, and any coded radiculopathy settled: excluded by imaging or an "
    "examination, or treated and recorded resolved",
    shared=True,
)
BLOCK_CONFIRMS = Criterion[JointFacts](
    id="diagnostic-block-confirms-sij",
    title="Image-guided, anesthetic-only diagnostic block confirms this SI joint",
    stage="confirmation",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    check=block_confirms,
    required_for=(Gate(v.RADIOFREQUENCY_ABLATION), Gate(v.FUSION_EVALUATION)),
    remedy="image-guided, anesthetic-only block(s) of this joint meeting the rule set's technique, with pre- and "
    "post-block scores showing the required relief, as many as it requires",
    reads=(*BLOCK_READS, th.MIN_POSITIVE_BLOCK_COUNT),
    optional_reads=BLOCK_OPTIONAL_READS,
)
BLOCK_SUPPORTS_INJECTION = Criterion[JointFacts](
    id="diagnostic-block-before-injection",
    title="A positive diagnostic block of this joint before a therapeutic injection",
    stage="confirmation",
    cites=("evicore-cmm-203",),
    check=block_supports_injection,
    required_for=(Gate(v.THERAPEUTIC_INJECTION),),
    remedy="an image-guided, anesthetic-only block of this joint with the required relief",
    reads=(*BLOCK_READS, th.MIN_POSITIVE_BLOCKS_BEFORE_INJECTION_COUNT),
    optional_reads=BLOCK_OPTIONAL_READS,
)
REPEAT_BLOCK_FAILS = Criterion[JointFacts](
    id="repeat-block-fails-to-confirm",
    title="A repeat diagnostic block gives little or no relief (look for other pain sources)",
    # "little to no relief" has no number in the articles: sijpath's reading (below 30%), cited as such.
    stage="confirmation",
    cites=(ARTICLE_INJECTIONS_DONT_WORK,),
    check=repeat_block_fails,
    required_for=tuple(Gate(step, "not-met") for step in PROCEDURES_AFTER_DIAGNOSIS),
    remedy="none: a repeat block did not confirm the SI joint; other pain sources come first",
    reads=BLOCK_READS,
    optional_reads=BLOCK_OPTIONAL_READS,
)
BLOCK_TECHNIQUE_FLAG = Flag[JointFacts](
    id="block-technique",
    title="Diagnostic block technique does not allow confirmation",
    code="block-technique-invalid",
    stage="confirmation",
    cites=(ARTICLE_INJECTIONS_DONT_WORK,),
    check=block_technique,
    reads=BLOCK_READS,
)
