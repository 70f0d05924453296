"""The SI-joint pathway's decision for one joint, as an ordered table that `docs/rules.md` prints row by row."""

from __future__ import annotations

from sijpath.engine.conditions import All, Is
from sijpath.engine.decision import Branch, DecisionTable
from sijpath.pathway import actions
from sijpath.pathway import lateral_branch_steps as lbb
from sijpath.pathway import reasons as why
from sijpath.pathway import red_flags as rf
from sijpath.pathway import vocabulary as v
from sijpath.pathway.care_first import CARE_FIRST_UNRECORDED
from sijpath.pathway.conditions import (
    ABLATION_LASTED,
    ABLATION_RESULT_UNKNOWN,
    ABLATION_STILL_HELPS,
    ABLATION_TECHNIQUE_UNKNOWN,
    ALWAYS,
    FOLLOW_UPS_WITHOUT_FUSION,
    FUSED,
    FUSION_FAILING,
    INJECTED,
    NO_ABLATION,
    NO_GUIDED_INJECTION,
    NO_VALID_BLOCK,
    NOT_CONFIRMED,
    NOT_INJECTED,
    PAIN_SIDE_UNKNOWN,
    RFA_NOT_REQUIRED,
    UNSIDED_PROCEDURE,
    UNVERIFIABLE_BLOCK,
)
from sijpath.pathway.diagnosis import BLOCK_CONFIRMS, BLOCK_SUPPORTS_INJECTION, PAIN_PRESENTATION, REPEAT_BLOCK_FAILS
from sijpath.pathway.exam import COMPARATIVE_BLOCKS
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.fusion import NO_CONTRAINDICATION
from sijpath.pathway.nonsurgical import INJECTION_FIRST_LINE, INJECTION_RELIEF_LASTING
from sijpath.pathway.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH, BOTH_ARTICLES

__all__ = ["DECISION"]

DECISION = DecisionTable[JointFacts](
    held_not_met=v.CONSERVATIVE_CARE,
    held_unknown=v.GATHER_INFORMATION,
    minimum_gates={v.FUSION_EVALUATION: (NO_CONTRAINDICATION,)},
    rows=(
        Branch(
            rf.RED_FLAG,
            v.RED_FLAG_WORK_UP,
            "red-flags",
            lambda j, o: rf.red_flag_reason(j),
            "A red flag (infection, tumour, fracture, pregnancy): no SI-joint procedure until it is worked up.",
            ("sijpath-red-flag-screen",),
        ),
        Branch(
            rf.RED_FLAG_TO_CONFIRM,
            v.GATHER_INFORMATION,
            "red-flags",
            lambda j, o: rf.red_flag_to_confirm_reason(j),
            "A red-flag diagnosis recorded long ago and still marked active: confirm whether it is current first.",
            ("sijpath-red-flag-screen",),
        ),
        Branch(
            rf.BORN_AFTER_AS_OF,
            v.GATHER_INFORMATION,
            "diagnosis",
            why.born_after_as_of,
            "A birth date after the as-of date: correct the record first.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Branch(
            All((FUSED, FUSION_FAILING)),
            v.FUSION_FAILURE_WORK_UP,
            "post-fusion",
            why.failing_fusion,
            "Past the time bony fusion is expected, no bridging on CT or no important improvement in pain or "
            "disability: work up the painful fusion.",
            ("sijpath-failed-fusion", "lois-whang-2019", "spain-holt-2017"),
            actions.after_failing_fusion,
        ),
        Branch(
            FUSED,
            v.POST_FUSION_FOLLOW_UP,
            "post-fusion",
            why.fused,
            "Follow recovery: milestones, CT for bony bridging, pain, ODI and opioid use.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            actions.after_fusion,
        ),
        Branch(
            PAIN_SIDE_UNKNOWN,
            v.RECORD_SIDE,
            "diagnosis",
            why.record_sides,
            "Record which side hurts before anything is suggested for either joint.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Branch(
            UNSIDED_PROCEDURE,
            v.RECORD_SIDE,
            "diagnosis",
            why.record_sides,
            "Record the side of every SI-joint procedure: an unsided one could belong to either joint.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Branch(
            FOLLOW_UPS_WITHOUT_FUSION,
            v.GATHER_INFORMATION,
            "post-fusion",
            why.follow_ups_without_fusion,
            "Record the fusion the follow-ups belong to.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH,),
        ),
        Branch(
            Is(REPEAT_BLOCK_FAILS, ("met",)),
            v.OTHER_PAIN_SOURCES,
            "other-pain-source",
            why.repeat_block_failed,
            "A repeat block with little relief: look for other pain generators.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
            actions.review_imaging,
        ),
        Branch(
            All((INJECTED, Is(INJECTION_RELIEF_LASTING, ("met",)))),
            v.THERAPEUTIC_INJECTION,
            v.NON_SURGICAL,
            lambda j, o: f"{o[INJECTION_RELIEF_LASTING].summary}: repeat the injection when the pain returns.",
            "Injections still give lasting relief: repeat one when the pain returns.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            actions.with_steroid_review,
        ),
        Branch(
            CARE_FIRST_UNRECORDED,
            v.GATHER_INFORMATION,
            v.NON_SURGICAL,
            why.record_care_first,
            "An injection would come first, but no care is recorded: record what was tried (or start care) first.",
            ("aspn-2024", "cms-sij-injection-lcd-2023"),
            actions.alongside,
        ),
        Branch(
            All((Is(INJECTION_FIRST_LINE, ("met",)), NOT_INJECTED)),
            v.THERAPEUTIC_INJECTION,
            v.NON_SURGICAL,
            lambda j, o: f"{o[INJECTION_FIRST_LINE].summary}; no therapeutic injection yet.",
            "Inflammatory sacroiliitis or acute irritation: a therapeutic injection first.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            actions.with_steroid_review,
        ),
        Branch(
            All((NOT_CONFIRMED, UNVERIFIABLE_BLOCK)),
            v.GATHER_INFORMATION,
            "confirmation",
            why.unreadable_block,
            "A recorded block cannot be read yet: record what makes it readable.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Branch(
            All((NOT_CONFIRMED, Is(PAIN_PRESENTATION, ("not-met",)))),
            v.OTHER_PAIN_SOURCES,
            "diagnosis",
            lambda j, o: f"{o[PAIN_PRESENTATION].summary}: the SI joint is not the likely source.",
            "The SI joint is not confirmed and the pain pattern points elsewhere (above L5, or radiculopathy).",
            (ARTICLE_INJECTIONS_DONT_WORK,),
            actions.review_imaging,
        ),
        Branch(
            All((NOT_CONFIRMED, NO_VALID_BLOCK)),
            v.DIAGNOSTIC_BLOCK,
            "diagnosis",
            why.first_block,
            "No valid block of this joint: confirm the pain source with an anesthetic-only block.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Branch(
            All((INJECTED, Is(INJECTION_RELIEF_LASTING, ("unknown",)), Is(BLOCK_SUPPORTS_INJECTION, ("met",)))),
            v.GATHER_INFORMATION,
            v.NON_SURGICAL,
            why.injection_relief_unknown,
            "Where one block allows injections, how the latest injection helped decides what follows.",
            ("evicore-cmm-203",),
            actions.alongside,
        ),
        Branch(
            All((NOT_CONFIRMED, NOT_INJECTED, NO_ABLATION, Is(BLOCK_SUPPORTS_INJECTION, ("met",)))),
            v.THERAPEUTIC_INJECTION,
            v.NON_SURGICAL,
            lambda j, o: (
                f"{o[BLOCK_SUPPORTS_INJECTION].summary}: enough for a therapeutic injection under this rule set "
                f"({o[BLOCK_CONFIRMS].summary} to confirm the joint for fusion)."
            ),
            "One positive block is enough for a therapeutic injection where the rule set says so.",
            ("evicore-cmm-203",),
            actions.with_steroid_review,
        ),
        Branch(
            NOT_CONFIRMED,
            v.CONFIRMATORY_BLOCK,
            "confirmation",
            why.second_block,
            "A valid block that does not yet confirm: a second block decides.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Branch(
            Is(COMPARATIVE_BLOCKS, ("not-met", "unknown")),
            v.CONFIRMATORY_BLOCK,
            "confirmation",
            lambda j, o: (
                f"{o[BLOCK_CONFIRMS].summary}; this rule set requires controlled comparative blocks: repeat "
                "with an anesthetic of different duration."
            ),
            "The rule set requires comparative blocks with two anesthetics.",
            (ARTICLE_INJECTIONS_DONT_WORK, "bcbs-fl-mp-558"),
        ),
        Branch(
            All((NOT_INJECTED, NO_ABLATION)),
            v.THERAPEUTIC_INJECTION,
            v.NON_SURGICAL,
            lambda j, o: f"SI joint confirmed ({o[BLOCK_CONFIRMS].summary}); no therapeutic injection yet.",
            "A confirmed joint without a therapeutic injection yet.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            actions.with_steroid_review,
        ),
        Branch(
            All((NO_GUIDED_INJECTION, NO_ABLATION)),
            v.THERAPEUTIC_INJECTION,
            v.NON_SURGICAL,
            why.image_guided_injection,
            "Every injection given without the image guidance the rule set accepts: an image-guided one first.",
            ("cms-sij-injection-lcd-2023", ARTICLE_INJECTIONS_DONT_WORK),
            actions.with_steroid_review,
        ),
        Branch(
            Is(INJECTION_RELIEF_LASTING, ("unknown",)),
            v.GATHER_INFORMATION,
            v.NON_SURGICAL,
            why.injection_relief_unknown,
            "How much and how long the latest injection helped decides what follows.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
            actions.alongside,
        ),
        lbb.LATERAL_BRANCH_PARTIAL,
        Branch(
            All((NO_ABLATION, RFA_NOT_REQUIRED)),
            v.FUSION_EVALUATION,
            "surgical-candidacy",
            lbb.fusion_reasons,
            "Injections failed and the rule set does not require RFA first: fusion evaluation, if every gate is met.",
            BOTH_ARTICLES,
            actions.with_fusion_risks,
            held_stage=v.NON_SURGICAL,
            held_alongside=actions.held_fusion,
        ),
        lbb.LATERAL_BRANCH_NEGATIVE,
        Branch(
            NO_ABLATION,
            v.RADIOFREQUENCY_ABLATION,
            v.NON_SURGICAL,
            lambda j, o: (
                f"SI joint confirmed and {why.failed_injections(o)}; patients with a temporary response to the "
                "diagnostic block are the best candidates."
            ),
            "A confirmed joint whose injections failed: radiofrequency ablation.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
            actions.alongside,
        ),
        Branch(
            ABLATION_TECHNIQUE_UNKNOWN,
            v.GATHER_INFORMATION,
            v.NON_SURGICAL,
            why.ablation_technique,
            "Record the ablation's technique: pulsed radiofrequency does not count as an ablation.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
            actions.alongside,
        ),
        Branch(
            ABLATION_RESULT_UNKNOWN,
            v.GATHER_INFORMATION,
            v.NON_SURGICAL,
            lambda j, o: (
                f"radiofrequency ablation on {why.ablation_date(j)}: record how much it helped and for how long "
                "(or whether it still helps) before considering fusion."
            ),
            "Record how much and how long the ablation helped.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
            actions.alongside,
        ),
        Branch(
            ABLATION_STILL_HELPS,
            v.CONSERVATIVE_CARE,
            v.NON_SURGICAL,
            why.ablation_still_helps,
            "The ablation still helps: continue conservative care.",
            (ARTICLE_INJECTIONS_DONT_WORK, "cohen-2008-rfa"),
            actions.alongside,
        ),
        lbb.LATERAL_BRANCH_NEGATIVE_AFTER_ABLATION,
        Branch(
            ABLATION_LASTED,
            v.RADIOFREQUENCY_ABLATION,
            v.NON_SURGICAL,
            why.ablation_wore_off,
            "An ablation that helped for months and wore off: repeat it before fusion.",
            (ARTICLE_INJECTIONS_DONT_WORK, "cohen-2008-rfa"),
            actions.alongside,
        ),
        Branch(
            ALWAYS,
            v.FUSION_EVALUATION,
            "surgical-candidacy",
            why.fusion_reasons,
            "Injections and ablation failed: fusion evaluation, if every gate is met.",
            BOTH_ARTICLES,
            actions.with_fusion_risks,
            held_stage=v.NON_SURGICAL,
            held_alongside=actions.held_fusion,
        ),
    ),
)
