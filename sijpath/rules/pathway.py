"""The pathway decision: from criterion outcomes to where the patient stands and the next step, with reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sijpath.domain.timeline import add_months
from sijpath.engine.results import Outcome
from sijpath.engine.rule import STAGES, Stage
from sijpath.engine.steps import Action, Decision, StepCode
from sijpath.rules import actions
from sijpath.rules.facts import Facts
from sijpath.rules.thresholds import required

__all__ = ["FUSION_GATES", "decide", "stages"]

SEED_1 = "seed-injections-dont-work"
SEED_2 = "seed-injections-not-enough"

# Criteria that must all be met before fusion evaluation; a rule set that does not enable one does not require it.
FUSION_GATES = (
    "conservative-care-duration",
    "conservative-care-components",
    "imaging-structural-change",
    "functional-impairment",
    "pain-severity",
    "no-fusion-contraindication",
)


def stages(f: Facts) -> frozenset[Stage]:
    """After fusion only post-fusion rules apply; before it, every stage but post-fusion."""
    if f.fusion is not None:
        return frozenset({"post-fusion"})
    return frozenset(STAGES) - {"post-fusion"}


def decide(f: Facts, outcomes: Mapping[str, Outcome]) -> Decision:
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
                (SEED_1,),
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
                (SEED_2,),
            ),
        )
    alongside = actions.alongside(f)
    if f.injections and status("injection-relief-lasting") == "met":
        return Decision(
            "non-surgical-care",
            Action(
                "therapeutic-injection",
                f"{summary('injection-relief-lasting')}: repeat the injection when the pain returns.",
                (SEED_2,),
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
                (SEED_2,),
            ),
            actions.with_steroid_review(f, alongside),
        )
    if status("diagnostic-block-confirms-sij") != "met":
        return _confirm_source(f, outcomes)

    if not f.injections:
        return Decision(
            "non-surgical-care",
            Action(
                "therapeutic-injection",
                f"SI joint confirmed ({summary('diagnostic-block-confirms-sij')}); no therapeutic injection yet.",
                (SEED_2,),
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
                (SEED_1,),
            ),
            alongside,
        )

    failed = f"injections did not give lasting relief ({summary('injection-relief-lasting')})"
    if not f.episode.radiofrequency_ablations and status("rfa-candidate") != "not-met":
        return Decision(
            "non-surgical-care",
            Action(
                "radiofrequency-ablation",
                f"SI joint confirmed and {failed}; patients with a temporary response to the "
                "diagnostic block are the best candidates.",
                (SEED_1,),
            ),
            alongside,
        )
    return _after_ablation(f, outcomes, failed, alongside)


def _after_ablation(f: Facts, outcomes: Mapping[str, Outcome], failed: str, alongside: tuple[Action, ...]) -> Decision:
    """After RFA: wait while it helps, repeat one that helped for months, else consider fusion."""
    ablation = max(f.episode.radiofrequency_ablations, key=lambda a: a.date)
    minimum = required(f.t.min_lasting_injection_relief_percent, "min_lasting_injection_relief_percent")
    lasting_months = required(f.t.min_lasting_rfa_relief_months, "min_lasting_rfa_relief_months")

    def next_step(code: StepCode, rationale: str, cites: tuple[str, ...] = (SEED_1,)) -> Decision:
        return Decision("non-surgical-care", Action(code, rationale, cites), alongside)

    helped = ablation.relief_percent is not None and ablation.relief_percent >= minimum
    if ablation.relief_percent is None or (helped and ablation.relief_duration_days is None):
        return next_step(
            "gather-information",
            f"radiofrequency ablation on {ablation.date}: record how much it "
            "helped and for how long (or whether it still helps) before considering fusion.",
        )
    if helped and ablation.relief_duration_days is not None:
        ended = ablation.date + dt.timedelta(days=ablation.relief_duration_days)
        weeks = ablation.relief_duration_days / 7
        if ended >= f.as_of:
            return next_step(
                "conservative-care",
                f"radiofrequency ablation on {ablation.date} still gives "
                f"{ablation.relief_percent:g}% relief ({weeks:.0f} weeks so far); its benefit lasts while "
                "the nerves regenerate.",
                (SEED_1, "cohen-2008-rfa"),
            )
        if ended >= add_months(ablation.date, lasting_months):
            return next_step(
                "radiofrequency-ablation",
                f"radiofrequency ablation on {ablation.date} gave "
                f"{ablation.relief_percent:g}% relief for {weeks:.0f} weeks before the nerves regenerated: "
                "repeat it before considering fusion.",
                (SEED_1, "cohen-2008-rfa"),
            )
    return _fusion_candidacy(f, outcomes, failed, alongside)


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
                    "gather-information", f"the recorded block cannot be read as diagnostic yet: {missing}.", (SEED_1,)
                ),
            )
        if not f.blocks and presentation is not None and presentation.status == "not-met":
            return Decision(
                "diagnosis",
                Action(
                    "evaluate-other-pain-sources",
                    f"{presentation.summary}: the SI joint is not the likely source.",
                    (SEED_1,),
                ),
                (actions.review_imaging(f),),
            )
        if not f.blocks and presentation is not None and presentation.status == "unknown":
            return Decision(
                "diagnosis",
                Action("gather-information", f"{presentation.summary}: {'; '.join(presentation.missing)}.", (SEED_1,)),
            )
        reason = "no diagnostic block that meets the technique requirements"
        lasting = outcomes.get("injection-relief-lasting")
        if lasting is not None and lasting.status == "not-met":
            reason = f"therapeutic injections have not given lasting relief and {reason}: reconfirm the pain source"
        return Decision("diagnosis", Action("diagnostic-block", reason + ".", (SEED_1,)))
    latest = valid[-1]
    assert latest.relief_percent is not None
    if f.block_positive(latest):
        why = f"{confirms.summary}; a second positive block is required"
    else:
        why = (
            f"the block of {latest.block.date} gave {latest.relief_percent:.0f}% relief: a second block decides "
            "(if it too gives little relief, look for other pain sources)"
        )
    return Decision("confirmation", Action("confirmatory-block", why + ".", (SEED_1,)))


def _fusion_candidacy(
    f: Facts, outcomes: Mapping[str, Outcome], failed: str, alongside: tuple[Action, ...]
) -> Decision:
    gates = {g: outcomes[g] for g in FUSION_GATES if g in outcomes}
    not_met = [g for g, o in gates.items() if o.status == "not-met"]
    unknown = [g for g, o in gates.items() if o.status == "unknown"]
    if not not_met and not unknown:
        support = [
            outcomes[s].summary
            for s in ("injection-relief-shortening", "injections-needed-every-few-months")
            if s in outcomes and outcomes[s].status == "met"
        ]
        reasons = "; ".join(o.summary for o in gates.values())
        extra = f" Supporting: {'; '.join(support)}." if support else ""
        return Decision(
            "surgical-candidacy",
            Action(
                "fusion-evaluation",
                f"SI joint confirmed, {failed}, radiofrequency ablation tried; {reasons}.{extra}",
                (SEED_1, SEED_2),
            ),
            (actions.fusion_risks(), *alongside),
        )
    if not_met:
        reasons = "; ".join(gates[g].summary for g in not_met)
        return Decision(
            "non-surgical-care",
            Action("conservative-care", f"fusion criteria not met: {reasons}.", (SEED_1, SEED_2)),
            alongside,
        )
    missing = "; ".join(item for g in unknown for item in gates[g].missing)
    return Decision(
        "surgical-candidacy",
        Action(
            "gather-information", f"fusion evaluation may be next, but the record does not show: {missing}.", (SEED_2,)
        ),
        alongside,
    )
