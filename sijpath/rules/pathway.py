"""The pathway decision: from criterion outcomes to where the patient stands and the next step, with reasons."""

from __future__ import annotations

from collections.abc import Mapping

from sijpath.engine.results import Outcome
from sijpath.engine.rule import STAGES, Stage
from sijpath.engine.steps import Action, Decision
from sijpath.rules import actions, surgery
from sijpath.rules.facts import Facts
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.surgery import FUSION_GATES

__all__ = ["FUSION_GATES", "decide", "stages"]


def stages(f: Facts) -> frozenset[Stage]:
    """After fusion only post-fusion rules apply; before it, every stage but post-fusion."""
    if f.fusion is not None:
        return frozenset({"post-fusion"})
    return frozenset(STAGES) - {"post-fusion"}


def decide(
    f: Facts, outcomes: Mapping[str, Outcome], indications: Mapping[str, tuple[str, ...]] | None = None
) -> Decision:
    """The pathway decision, held back where the rule set's indications for the next step are not met.

    `indications` maps a step (`diagnostic-block`, `therapeutic-injection`, …) to the criteria a rule set requires
    before it, as declared in the rule-set file (`block_indications`, `injection_indications`).
    """
    decision = _walk(f, outcomes)
    required_first = (indications or {}).get(decision.next_step.code, ())
    gates = {g: outcomes[g] for g in required_first if g in outcomes}
    if not gates:
        return decision
    failing = [o.summary for o in gates.values() if o.status == "not-met"]
    if failing:
        return Decision(
            decision.stage,
            Action(
                "conservative-care",
                f"{decision.next_step.title} would be next, but this rule set's indications are not "
                f"met: {'; '.join(failing)}.",
                decision.next_step.cites,
            ),
            decision.other_actions,
        )
    missing = [item for o in gates.values() if o.status == "unknown" for item in o.missing]
    if missing:
        return Decision(
            decision.stage,
            Action(
                "gather-information",
                f"{decision.next_step.title} may be next; this rule set's indications need: {'; '.join(missing)}.",
                decision.next_step.cites,
            ),
            decision.other_actions,
        )
    return decision


def _walk(f: Facts, outcomes: Mapping[str, Outcome]) -> Decision:
    """Walk the source articles' pathway: confirm the joint, treat without surgery, then consider fusion."""
    if f.fusion is not None:
        return actions.after_fusion(f)

    def status(rule_id: str) -> str | None:
        outcome = outcomes.get(rule_id)
        return outcome.status if outcome else None

    def summary(rule_id: str) -> str:
        return outcomes[rule_id].summary

    if status("repeat-block-fails-to-confirm") == "met":
        return Decision(
            "other-pain-source",
            Action(
                "evaluate-other-pain-sources",
                summary("repeat-block-fails-to-confirm")
                + ". Consider lumbar radiculopathy or a compressed nerve root, and hip disease.",
                (ARTICLE_INJECTIONS_DONT_WORK,),
            ),
            (actions.review_imaging(f),),
        )
    if f.episode.post_operative_follow_ups and not f.whole_episode.fusions:
        return Decision(
            "post-fusion",
            Action(
                "gather-information",
                "post-operative follow-ups are recorded but no fusion is: record the fusion (date, "
                "side, CPT) before anything else is concluded.",
                (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            ),
        )
    alongside = actions.alongside(f)
    if f.injections and status("injection-relief-lasting") == "met":
        return Decision(
            "non-surgical-care",
            Action(
                "therapeutic-injection",
                f"{summary('injection-relief-lasting')}: repeat the injection when the pain returns.",
                (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            ),
            actions.with_steroid_review(f, alongside),
        )
    first_line = status("therapeutic-injection-first-line") == "met"
    if first_line and not f.injections:
        return Decision(
            "non-surgical-care",
            Action(
                "therapeutic-injection",
                f"{summary('therapeutic-injection-first-line')}; no therapeutic injection yet.",
                (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            ),
            actions.with_steroid_review(f, alongside),
        )
    if status("diagnostic-block-confirms-sij") != "met":
        return _confirm_source(f, outcomes)
    if status("comparative-blocks") in ("not-met", "unknown"):
        return Decision(
            "confirmation",
            Action(
                "confirmatory-block",
                f"{summary('diagnostic-block-confirms-sij')}; this rule set requires controlled "
                "comparative blocks: repeat with an anesthetic of different duration.",
                (ARTICLE_INJECTIONS_DONT_WORK, "bcbs-fl-mp-558"),
            ),
        )

    if not f.injections:
        return Decision(
            "non-surgical-care",
            Action(
                "therapeutic-injection",
                f"SI joint confirmed ({summary('diagnostic-block-confirms-sij')}); no therapeutic injection yet.",
                (ARTICLE_INJECTIONS_NOT_ENOUGH,),
            ),
            actions.with_steroid_review(f, alongside),
        )
    if status("injection-relief-lasting") == "unknown":
        return Decision(
            "non-surgical-care",
            Action(
                "gather-information",
                f"{summary('injection-relief-lasting')}: record how much and how long it helped "
                "before choosing the next step.",
                (ARTICLE_INJECTIONS_DONT_WORK,),
            ),
            alongside,
        )

    failed = f"injections did not give lasting relief ({summary('injection-relief-lasting')})"
    rfa_required = "radiofrequency-ablation" in (f.t.required_conservative_care_components or ())
    if not f.episode.radiofrequency_ablations and not rfa_required:
        return surgery.fusion_candidacy(f, outcomes, failed, alongside)
    if not f.episode.radiofrequency_ablations and status("rfa-candidate") != "not-met":
        return Decision(
            "non-surgical-care",
            Action(
                "radiofrequency-ablation",
                f"SI joint confirmed and {failed}; patients with a temporary response to the "
                "diagnostic block are the best candidates.",
                (ARTICLE_INJECTIONS_DONT_WORK,),
            ),
            alongside,
        )
    return surgery.after_ablation(f, outcomes, failed, alongside)


def _confirm_source(f: Facts, outcomes: Mapping[str, Outcome]) -> Decision:
    presentation = outcomes.get("sij-pain-presentation")
    confirms = outcomes["diagnostic-block-confirms-sij"]
    valid = f.valid_blocks
    if not valid:
        unverifiable = [b for b in f.blocks if b.validity == "unverifiable"]
        if unverifiable:
            missing = "; ".join(confirms.missing[1:]) or confirms.missing[0]
            return Decision(
                "confirmation",
                Action(
                    "gather-information",
                    f"the recorded block cannot be read as diagnostic yet: {missing}.",
                    (ARTICLE_INJECTIONS_DONT_WORK,),
                ),
            )
        if not f.blocks and presentation is not None and presentation.status == "not-met":
            return Decision(
                "diagnosis",
                Action(
                    "evaluate-other-pain-sources",
                    f"{presentation.summary}: the SI joint is not the likely source.",
                    (ARTICLE_INJECTIONS_DONT_WORK,),
                ),
                (actions.review_imaging(f),),
            )
        if not f.blocks and presentation is not None and presentation.status == "unknown":
            return Decision(
                "diagnosis",
                Action(
                    "gather-information",
                    f"{presentation.summary}: {'; '.join(presentation.missing)}.",
                    (ARTICLE_INJECTIONS_DONT_WORK,),
                ),
            )
        reason = "no diagnostic block that meets the technique requirements"
        lasting = outcomes.get("injection-relief-lasting")
        if lasting is not None and lasting.status == "not-met":
            reason = f"therapeutic injections have not given lasting relief and {reason}: reconfirm the pain source"
        return Decision("diagnosis", Action("diagnostic-block", reason + ".", (ARTICLE_INJECTIONS_DONT_WORK,)))
    latest = valid[-1]
    assert latest.relief_percent is not None
    if f.block_positive(latest):
        why = f"{confirms.summary}; a second positive block is required"
    else:
        why = (
            f"the block of {latest.block.date} gave {latest.relief_percent:.0f}% relief: a second block decides "
            "(if it too gives little relief, look for other pain sources)"
        )
    return Decision("confirmation", Action("confirmatory-block", why + ".", (ARTICLE_INJECTIONS_DONT_WORK,)))
