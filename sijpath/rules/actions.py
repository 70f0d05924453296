"""What goes alongside a next step: PT and medications, steroid review, imaging review, fusion risks, recovery."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.timeline import add_months
from sijpath.engine.steps import Action, Decision
from sijpath.rules import nonsurgical
from sijpath.rules.facts import Facts
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.thresholds import required

__all__ = ["after_fusion", "alongside", "fusion_risks", "review_imaging", "with_steroid_review"]


def after_fusion(f: Facts) -> Decision:
    assert f.fusion is not None
    fusion, _ = f.fusion
    months = required(f.t.expected_bony_fusion_months, "expected_bony_fusion_months")
    cane_weeks = required(f.t.expected_cane_walking_weeks, "expected_cane_walking_weeks")
    since = (f.as_of - fusion.date).days
    approach = f", {fusion.approach} approach" if fusion.approach else ""
    rationale = f"SI-joint fusion on {fusion.date} ({fusion.side}, CPT {fusion.cpt}{approach}), {since // 7} weeks ago."
    milestones = (
        Action(
            "recovery-milestone",
            f"Discharge the same day or the next; weight bearing with assistive devices "
            f"from the start; a cane by about {cane_weeks} weeks ({fusion.date + dt.timedelta(weeks=cane_weeks)}).",
            (ARTICLE_INJECTIONS_NOT_ENOUGH, "heiney-2015"),
        ),
        Action(
            "recovery-milestone",
            f"Bony fusion develops over {months // 2}–{months} months: CT for bony "
            f"bridging by {add_months(fusion.date, months)}.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH, "lois-whang-2019"),
        ),
        Action(
            "outcome-measures",
            "Track pain, ODI and opioid use against the pre-operative baseline.",
            ("insite-polly-2016", "lois-whang-2019"),
        ),
        Action(
            "discuss-fusion-risks",
            "Watch for the risks the articles name: infection, nerve irritation, "
            "implant malposition, and incomplete relief.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH, "imia-sturesson-2017"),
        ),
    )
    return Decision(
        "post-fusion", Action("post-fusion-follow-up", rationale, (ARTICLE_INJECTIONS_NOT_ENOUGH,)), milestones
    )


def alongside(f: Facts) -> tuple[Action, ...]:
    actions = []
    has_pt = bool(f.episode.physical_therapy)
    actions.append(
        Action(
            "physical-therapy",
            ("Continue" if has_pt else "Start")
            + " a targeted program: core strengthening and pelvic stabilization, with manual "
            "techniques to improve joint mechanics.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        )
    )
    has_meds = bool(f.episode.medications)
    actions.append(
        Action(
            "medications",
            ("Adjust" if has_meds else "Consider") + " NSAIDs, muscle relaxants and nerve-pain medications alongside.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        )
    )
    return tuple(actions)


def with_steroid_review(f: Facts, alongside: tuple[Action, ...]) -> tuple[Action, ...]:
    """Before another steroid injection, surface exposure the record already shows (when the rule set tracks it)."""
    concerns = []
    cites: list[str] = []
    if f.t.max_steroid_mpde_mg_per_12_months and f.t.max_steroid_mpde_mg_per_36_months:
        exposure = nonsurgical.cumulative_steroid(f)
        if exposure is not None:
            concerns.append(exposure.message)
            cites += ["brown-beresford-2022", *exposure.cites]
    if f.t.steroid_concern_injection_interval_weeks:
        frequency = nonsurgical.injection_frequency(f)
        if frequency is not None:
            concerns.append(frequency.message)
            cites.append(ARTICLE_INJECTIONS_NOT_ENOUGH)
    if not concerns:
        return alongside
    review = Action("steroid-review", " ".join(concerns), tuple(dict.fromkeys(cites)))
    return (review, *alongside)


def review_imaging(f: Facts) -> Action:
    other = [
        s for s in f.episode.imaging if set(s.findings) & {"lumbar-stenosis-or-disc-herniation", "hip-osteoarthritis"}
    ]
    found = "; ".join(f"{s.modality.upper()} {s.region} {s.date}: {', '.join(s.findings)}" for s in other)
    text = f"Imaging already shows: {found}." if found else "Review X-ray, MRI and CT of the lumbar spine and hip."
    return Action("review-imaging", text, (ARTICLE_INJECTIONS_DONT_WORK,))


def fusion_risks() -> Action:
    return Action(
        "discuss-fusion-risks",
        "Risks include infection, nerve irritation, implant malposition, and the "
        "possibility that fusion does not fully relieve pain.",
        (ARTICLE_INJECTIONS_NOT_ENOUGH, "imia-sturesson-2017"),
    )
