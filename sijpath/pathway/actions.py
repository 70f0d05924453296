"""What goes alongside a next step: PT and medications, steroid review, imaging review, fusion risks, recovery."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.timeline import add_months
from sijpath.engine.decision import Action
from sijpath.engine.results import FlagResult
from sijpath.engine.rule import Outcomes
from sijpath.pathway import fusion, nonsurgical  # fusion as a module: fusion.py imports this module's users
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.policy import NICOTINE_FREE
from sijpath.pathway.post_fusion import BONY_BRIDGING
from sijpath.pathway.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = [
    "after_fusion",
    "alongside",
    "dual_pathology",
    "fusion_risks",
    "held_fusion",
    "review_imaging",
    "with_fusion_risks",
    "with_steroid_review",
]


def after_fusion(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """Recovery milestones still ahead (a passed one is never shown as upcoming) and outcome tracking."""
    assert j.fusion is not None
    fusion, _ = j.fusion
    months = j.t[th.EXPECTED_BONY_FUSION_MONTHS]
    cane_weeks = j.t[th.EXPECTED_CANE_WALKING_WEEKS]
    cane_by, bridged_by = fusion.date + dt.timedelta(weeks=cane_weeks), add_months(fusion.date, months)
    milestones = []
    if cane_by >= j.as_of:
        milestones.append(
            Action(
                v.RECOVERY_MILESTONE,
                f"Discharge the same day or the next; weight bearing with assistive devices from the start; a cane "
                f"by about {cane_weeks} weeks ({cane_by}).",
                (ARTICLE_INJECTIONS_NOT_ENOUGH, "heiney-2015"),
            )
        )
    bridging = o.get(BONY_BRIDGING)
    if bridged_by >= j.as_of:
        milestones.append(
            Action(
                v.RECOVERY_MILESTONE,
                f"Bony fusion develops over {months // 2}–{months} months: CT for bony bridging by {bridged_by}.",
                (ARTICLE_INJECTIONS_NOT_ENOUGH, "lois-whang-2019"),
            )
        )
    elif bridging is not None and bridging.status == "unknown":
        milestones.append(
            Action(
                v.OUTCOME_MEASURES,
                f"A CT for bony bridging was due by {bridged_by} and none is recorded since: overdue.",
                (ARTICLE_INJECTIONS_NOT_ENOUGH, "lois-whang-2019"),
            )
        )
    return (
        *milestones,
        Action(
            v.OUTCOME_MEASURES,
            "Track pain, ODI and opioid use against the pre-operative baseline.",
            ("insite-polly-2016", "lois-whang-2019"),
        ),
        Action(
            v.DISCUSS_FUSION_RISKS,
            "Watch for the risks the articles name: infection, nerve irritation, "
            "implant malposition, and incomplete relief.",
            (ARTICLE_INJECTIONS_NOT_ENOUGH, "imia-sturesson-2017"),
        ),
    )


def alongside(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """Physical therapy and medications beside every non-surgical step."""
    has_pt = bool(j.episode.physical_therapy)
    has_meds = bool(j.episode.medications)
    nicotine = o.get(NICOTINE_FREE)
    cessation = (
        (
            Action(
                v.SMOKING_CESSATION,
                f"{nicotine.summary}: consider smoking cessation support, then a repeat cotinine level before fusion "
                "is considered.",
                ("evicore-cmm-611",),
            ),
        )
        if nicotine is not None and nicotine.status == "not-met"
        else ()
    )
    return (
        *dual_pathology(j, o),
        *cessation,
        Action(
            v.PHYSICAL_THERAPY,
            ("Continue" if has_pt else "Start")
            + " a targeted program: core strengthening and pelvic stabilization, with manual "
            "techniques to improve joint mechanics.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
        Action(
            v.MEDICATIONS,
            ("Adjust" if has_meds else "Consider") + " NSAIDs, muscle relaxants and nerve-pain medications alongside.",
            (ARTICLE_INJECTIONS_DONT_WORK,),
        ),
    )


def held_fusion(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """Beside a held fusion: the work-up of each active exclusion that holds it, first, then the usual care."""
    held = o.get(fusion.NO_CONTRAINDICATION)
    hits = j.patient.standing_in_the_way("fusion") if held is not None and held.status == "not-met" else ()
    work_ups = tuple(
        Action(v.EXCLUSION_WORK_UP, f"{hit.describe()}. {hit.value_set.work_up}.", hit.value_set.cites) for hit in hits
    )
    return (*work_ups, *alongside(j, o))


def dual_pathology(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """A joint the blocks point to and an established lumbar radiculopathy: both may hurt, so neither is dropped.

    The articles pivot away from the SI joint only on little relief from a block; with a positive block and a
    coded radiculopathy that lumbar imaging supports they say nothing, so sijpath's reading is to consider both.
    """
    radicular = j.patient.radicular
    valid = j.valid_blocks
    if not (radicular.established and valid and j.block_positive(valid[-1])):
        return ()
    block = valid[-1]
    found = "; ".join(e.fact for e in (*radicular.coded, *radicular.imaging))
    return (
        Action(
            v.RADICULOPATHY_ALONGSIDE,
            lambda: (
                f"Both may contribute: the latest valid block of this joint ({block.block.date}) was positive, and "
                f"a lumbar radiculopathy is established ({found}). Consider evaluating and treating the "
                "radiculopathy alongside this joint's care, and reassess which source drives the pain before any "
                "further SI-joint procedure."
            ),
            ("sijpath-dual-pathology", "cms-sij-injection-lcd-2023", ARTICLE_INJECTIONS_DONT_WORK),
        ),
    )


def with_steroid_review(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """Before another steroid injection, surface exposure the record already shows (when the rule set tracks it)."""
    concerns: list[FlagResult] = []
    cites: list[str] = []
    t = j.t
    if th.MAX_STEROID_MPDE_MG_PER_12_MONTHS in t and th.MAX_STEROID_MPDE_MG_PER_36_MONTHS in t:
        exposure = nonsurgical.cumulative_steroid(j)
        if exposure is not None:
            concerns.append(exposure)
            cites += ["brown-beresford-2022", *exposure.cites]
    if th.STEROID_CONCERN_INJECTION_INTERVAL_WEEKS in t:
        frequency = nonsurgical.injection_frequency(j)
        if frequency is not None:
            concerns.append(frequency)
            cites.append(ARTICLE_INJECTIONS_NOT_ENOUGH)
    if not concerns:
        return alongside(j, o)
    review = Action(v.STEROID_REVIEW, lambda: " ".join(c.message for c in concerns), tuple(dict.fromkeys(cites)))
    return (review, *alongside(j, o))


def with_fusion_risks(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    return (fusion_risks(), *alongside(j, o))


def review_imaging(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    other = [
        s for s in j.episode.imaging if set(s.findings) & {"lumbar-stenosis-or-disc-herniation", "hip-osteoarthritis"}
    ]
    found = "; ".join(f"{s.modality.upper()} {s.region} {s.date}: {', '.join(s.findings)}" for s in other)
    text = f"Imaging already shows: {found}." if found else "Review X-ray, MRI and CT of the lumbar spine and hip."
    return (Action(v.REVIEW_IMAGING, text, (ARTICLE_INJECTIONS_DONT_WORK,)),)


def fusion_risks() -> Action:
    return Action(
        v.DISCUSS_FUSION_RISKS,
        "Risks include infection, nerve irritation, implant malposition, and the "
        "possibility that fusion does not fully relieve pain.",
        (ARTICLE_INJECTIONS_NOT_ENOUGH, "imia-sturesson-2017"),
    )


def after_failing_fusion(j: JointFacts, o: Outcomes) -> tuple[Action, ...]:
    """The work-up of a painful or failed fusion, then the outcome tracking that goes on meanwhile."""
    return (
        Action(
            v.REVIEW_IMAGING,
            "CT of the fused joint for lucency around the implants, malposition or nonunion; review the lumbar spine "
            "and hip as other pain sources, and consider reconfirming the pain source with a diagnostic block.",
            ("sijpath-failed-fusion", "lois-whang-2019"),
        ),
        Action(
            v.DISCUSS_FUSION_RISKS,
            "Consider referral for revision evaluation if the work-up finds a mechanical cause (revision rates: "
            "5.7% at four years for triangular titanium implants).",
            ("spain-holt-2017",),
        ),
        Action(
            v.OUTCOME_MEASURES,
            "Track pain, ODI and opioid use against the pre-operative baseline.",
            ("insite-polly-2016", "lois-whang-2019"),
        ),
    )
