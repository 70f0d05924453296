"""The end of the non-surgical road: what follows radiofrequency ablation, and whether fusion evaluation is next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sijpath.domain.timeline import add_months, latest
from sijpath.engine.results import Outcome
from sijpath.engine.steps import Action, Decision, StepCode
from sijpath.rules import actions
from sijpath.rules.facts import Facts
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.thresholds import required

__all__ = ["FUSION_GATES", "after_ablation", "fusion_candidacy"]


# Criteria that must all be met before fusion evaluation; a rule set that does not enable one does not require it.
FUSION_GATES = (
    "sij-pain-presentation",
    "pain-duration",
    "provocation-cluster",
    "fortin-point",
    "comparative-blocks",
    "imaging-triad",
    "imaging-recency",
    "nicotine-free",
    "conservative-care-duration",
    "conservative-care-components",
    "imaging-structural-change",
    "functional-impairment",
    "pain-severity",
    "no-fusion-contraindication",
)


def after_ablation(f: Facts, outcomes: Mapping[str, Outcome], failed: str, alongside: tuple[Action, ...]) -> Decision:
    """After RFA: wait while it helps, repeat one that helped for months, else consider fusion."""
    _, ablation = latest(f.episode.radiofrequency_ablations) or (0, f.episode.radiofrequency_ablations[0])
    minimum = required(f.t.min_lasting_injection_relief_percent, "min_lasting_injection_relief_percent")
    lasting_months = required(f.t.min_lasting_rfa_relief_months, "min_lasting_rfa_relief_months")

    def next_step(code: StepCode, rationale: str, cites: tuple[str, ...] = (ARTICLE_INJECTIONS_DONT_WORK,)) -> Decision:
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
                (ARTICLE_INJECTIONS_DONT_WORK, "cohen-2008-rfa"),
            )
        if ended >= add_months(ablation.date, lasting_months):
            return next_step(
                "radiofrequency-ablation",
                f"radiofrequency ablation on {ablation.date} gave "
                f"{ablation.relief_percent:g}% relief for {weeks:.0f} weeks before the nerves regenerated: "
                "repeat it before considering fusion.",
                (ARTICLE_INJECTIONS_DONT_WORK, "cohen-2008-rfa"),
            )
    return fusion_candidacy(f, outcomes, failed, alongside)


def fusion_candidacy(f: Facts, outcomes: Mapping[str, Outcome], failed: str, alongside: tuple[Action, ...]) -> Decision:
    if "no-fusion-contraindication" not in outcomes:
        return Decision(
            "non-surgical-care",
            Action(
                "conservative-care",
                f"SI joint confirmed and {failed}, but this rule set does not address fusion: "
                "continue non-surgical care.",
                (ARTICLE_INJECTIONS_DONT_WORK,),
            ),
            alongside,
        )
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
        ablation = ", radiofrequency ablation tried" if f.episode.radiofrequency_ablations else ""
        extra = f" Supporting: {'; '.join(support)}." if support else ""
        return Decision(
            "surgical-candidacy",
            Action(
                "fusion-evaluation",
                f"SI joint confirmed, {failed}{ablation}; {reasons}.{extra}",
                (ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
            ),
            (actions.fusion_risks(), *alongside),
        )
    if not_met:
        reasons = "; ".join(gates[g].summary for g in not_met)
        return Decision(
            "non-surgical-care",
            Action(
                "conservative-care",
                f"fusion criteria not met: {reasons}.",
                (ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
            ),
            alongside,
        )
    missing = "; ".join(item for g in unknown for item in gates[g].missing)
    return Decision(
        "surgical-candidacy",
        Action(
            "gather-information",
            f"fusion evaluation may be next, but the record does not show: {missing}.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH,),
        ),
        alongside,
    )
