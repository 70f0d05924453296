"""What follows a lateral branch block in the decision: ablation skipped or repeated, and the fusion after it."""

from __future__ import annotations

from sijpath.engine.conditions import All, Fact, Is
from sijpath.engine.decision import Action, Branch
from sijpath.engine.rule import Outcomes
from sijpath.pathway import actions
from sijpath.pathway import reasons as why
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.conditions import ABLATION_LASTED, NO_ABLATION
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.lateral_branch import (
    LATERAL_BRANCH_BLOCKS,
    NEGATIVE_READING,
    REPEAT_READING,
    latest_result,
)
from sijpath.pathway.sources import ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = [
    "LATERAL_BRANCH_NEGATIVE",
    "LATERAL_BRANCH_NEGATIVE_AFTER_ABLATION",
    "LATERAL_BRANCH_PARTIAL",
    "fusion_reasons",
    "rfa_ruled_out",
]

NON_SURGICAL = "non-surgical-care"


def _skip_rfa(j: JointFacts, o: Outcomes) -> str:
    return (
        f"radiofrequency ablation is not suggested ({o[LATERAL_BRANCH_BLOCKS].summary}); fusion evaluation instead, "
        "if every gate is met (a clinician who doubts the block may repeat it before referral). "
        + why.fusion_reasons(j, o)
    )


def fusion_reasons(j: JointFacts, o: Outcomes) -> str:
    """The fusion reasons, saying first that ablation was skipped, and why, where a lateral branch block ruled it
    out: a referral without ablation tried never reads as if ablation had been forgotten."""
    skipped = o.get(LATERAL_BRANCH_BLOCKS)
    if skipped is None or skipped.status != "not-met" or j.ablations:
        return why.fusion_reasons(j, o)
    return _skip_rfa(j, o)


def rfa_ruled_out(j: JointFacts, o: Outcomes) -> str | None:
    """Where the rule set requires ablation tried before fusion: a valid negative latest lateral branch block of this
    joint settles it as judged unlikely to help (sijpath's reading), in words; None where no block ruled it out."""
    outcome = o.get(LATERAL_BRANCH_BLOCKS)
    if outcome is None or outcome.status != "not-met" or j.ablations:
        return None
    return f"radiofrequency ablation judged unlikely to help ({outcome.summary})"


_LATEST_PARTIAL = Fact[JointFacts](
    "this joint's latest valid lateral branch block gave a partial response",
    lambda j: latest_result(j) == "partial",
)
# A partial lateral branch block asks for a repeat (as an intra-articular block's does) before fusion is
# considered instead, even where the rule set does not require ablation first: RFA held until it is repeated.
LATERAL_BRANCH_PARTIAL = Branch[JointFacts](
    All((NO_ABLATION, Is(LATERAL_BRANCH_BLOCKS, ("unknown",)), _LATEST_PARTIAL)),
    v.RADIOFREQUENCY_ABLATION,
    NON_SURGICAL,
    lambda j, o: f"{o[LATERAL_BRANCH_BLOCKS].summary}: repeat the lateral branch block before ablation is decided.",
    "The latest lateral branch block gave a partial response: repeat it (ablation waits for it).",
    (NEGATIVE_READING, "patel-2012-lateral-branch"),
    actions.alongside,
)


def _skip_repeat(j: JointFacts, o: Outcomes) -> str:
    return "a repeat " + _skip_rfa(j, o)


# After an ablation that lasted and wore off, a negative lateral branch block rules out the repeat the same way:
# ablation was tried, so fusion evaluation follows if every gate is met (never a hold no record can lift).
LATERAL_BRANCH_NEGATIVE_AFTER_ABLATION = Branch[JointFacts](
    All((ABLATION_LASTED, Is(LATERAL_BRANCH_BLOCKS, ("not-met",)))),
    v.FUSION_EVALUATION,
    "surgical-candidacy",
    _skip_repeat,
    "An ablation that lasted, then a lateral branch block with little to no relief: a repeat is unlikely to help, "
    "so fusion evaluation follows, if every gate is met.",
    (NEGATIVE_READING, REPEAT_READING, ARTICLE_INJECTIONS_NOT_ENOUGH),
    actions.with_fusion_risks,
    held_stage=NON_SURGICAL,
    held_alongside=actions.alongside,
)


def _held_alongside(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """Where fusion is held back by its other gates, say why ablation was skipped and what settles the rest."""
    required = "radiofrequency-ablation" in j.t.get(th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS, ())
    settled = " (the block settles this rule set's 'ablation tried before fusion': it was judged unlikely to help)"
    skipped = Action(
        v.ABLATION_UNLIKELY,
        f"Radiofrequency ablation is not suggested: {o[LATERAL_BRANCH_BLOCKS].summary}{settled if required else ''}. "
        "Fusion evaluation follows once its other gates are met (the missing data says what to record); a clinician "
        "who doubts the block may repeat it, or offer ablation anyway, instead.",
        (NEGATIVE_READING, "patel-2012-lateral-branch"),
    )
    return (skipped, *actions.alongside(j, o))


# A negative lateral branch block is not a dead end: ablation is skipped, and the fusion gates decide (where the
# rule set requires RFA tried before fusion, the block settles that component: `rfa_ruled_out`).
LATERAL_BRANCH_NEGATIVE = Branch[JointFacts](
    All((NO_ABLATION, Is(LATERAL_BRANCH_BLOCKS, ("not-met",)))),
    v.FUSION_EVALUATION,
    "surgical-candidacy",
    _skip_rfa,
    "The latest lateral branch block gave little to no relief: ablation is unlikely to help, so it is skipped and "
    "fusion evaluation follows, if every gate is met.",
    (NEGATIVE_READING, "patel-2012-lateral-branch", ARTICLE_INJECTIONS_NOT_ENOUGH),
    actions.with_fusion_risks,
    held_stage=NON_SURGICAL,
    held_alongside=_held_alongside,
)
