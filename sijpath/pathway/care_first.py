"""What an SI-joint injection needs first: weeks of therapy and medication, and moderate-to-severe pain now."""

from __future__ import annotations

from sijpath.domain.conservative_care import ConservativeCare, JointCare, conservative_care
from sijpath.domain.timeline import add_months, latest
from sijpath.engine.conditions import All, Fact, Is
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.nonsurgical import INJECTION_FIRST_LINE

__all__ = ["CARE_BEFORE_INJECTION", "CARE_FIRST_UNRECORDED", "INJECTION_PAIN_SEVERITY"]


def care_before_injection(j: JointFacts, o: Outcomes) -> Outcome:
    """Conservative care (therapy or medication) went on for the required weeks: before the joint's first injection,
    or in the current period of care before the one now considered. Acute irritation never skips it."""
    weeks = j.t[th.MIN_CONSERVATIVE_CARE_WEEKS]
    gap = j.t.get(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS)
    episode = j.episode
    # The injections themselves are not the care the rule asks to come first: therapy and medication only.
    therapy = JointCare(episode.physical_therapy, episode.medications, (), (), j.record.fusions)
    now = _span(conservative_care(therapy, j.as_of, gap), weeks, "")
    if now.status == "met" or not j.injections:
        return now
    first = j.injections[0].injection.date
    before = _span(conservative_care(therapy, first, gap), weeks, f" before the first injection ({first})")
    if before.status == "met":
        return before
    return now if now.status == "unknown" or before.status != "unknown" else before


def _span(care: ConservativeCare, weeks: int, before: str) -> Outcome:
    if care.start is None or care.latest is None:
        return unknown(
            f"no conservative care recorded{before}", [f"dates of physical therapy or medication courses{before}"]
        )
    span = (care.latest - care.start).days / 7
    evidence = [Evidence(care.start, f"conservative care since {care.start}", None)]
    if span >= weeks:
        return met(f"{span:.0f} weeks of conservative care{before}, at least {weeks}", evidence)
    if care.unconfirmed:
        return unknown(
            f"{span:.0f} weeks of conservative care{before}; open-ended course(s) never confirmed as ongoing count "
            "for their start day only",
            care.unconfirmed_questions(),
            evidence,
        )
    return not_met(f"{span:.0f} weeks of conservative care{before}, under {weeks}", evidence)


CARE_BEFORE_INJECTION = Criterion[JointFacts](
    id="conservative-care-before-injection",
    title="Conservative care before an injection",
    stage="non-surgical-care",
    cites=("cms-sij-injection-lcd-2023", "aspn-2024"),
    check=care_before_injection,
    required_for=(Gate(v.THERAPEUTIC_INJECTION),),
    remedy="documented conservative care for the required number of weeks",
    reads=(th.MIN_CONSERVATIVE_CARE_WEEKS,),
    optional_reads=(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS,),
)


def injection_pain_severity(j: JointFacts, o: Outcomes) -> Outcome:
    """The latest pain score is current and at least moderate to severe, as the rule set reads it."""
    minimum, months = j.t[th.MIN_INJECTION_PAIN_NRS_POINTS], j.t[th.MAX_SCORE_AGE_MONTHS]
    found = latest(j.episode.pain_scores)
    if found is None:
        return unknown("no pain score recorded", ["a current pain score (NRS 0–10)"])
    _, score = found
    evidence = [Evidence(score.date, f"pain NRS {score.nrs:g} ({score.context})", j.where(score, "pain_scores"))]
    if add_months(score.date, months) < j.as_of:
        return unknown(
            f"pain last scored {score.date}, more than {months} months ago",
            [f"a current pain score (NRS 0–10, within {months} months)"],
            evidence,
        )
    if score.nrs >= minimum:
        return met(
            f"pain NRS {score.nrs:g} on {score.date}: at least {minimum:g}, the rule set's reading of moderate to "
            "severe",
            evidence,
        )
    return not_met(
        f"pain NRS {score.nrs:g} on {score.date}: under {minimum:g}, the rule set's reading of moderate to severe",
        evidence,
    )


INJECTION_PAIN_SEVERITY = Criterion[JointFacts](
    id="injection-pain-severity",
    title="Moderate to severe pain before an SI-joint injection",
    stage="diagnosis",
    cites=("cms-sij-injection-lcd-2023",),
    check=injection_pain_severity,
    required_for=(Gate(v.DIAGNOSTIC_BLOCK), Gate(v.CONFIRMATORY_BLOCK), Gate(v.THERAPEUTIC_INJECTION)),
    remedy="a current pain score at or above the required level",
    reads=(th.MIN_INJECTION_PAIN_NRS_POINTS, th.MAX_SCORE_AGE_MONTHS),
)

NO_CARE_RECORDED = Fact[JointFacts](
    "no physical therapy, medication, injection or ablation is recorded",
    lambda j: not (j.episode.physical_therapy or j.episode.medications or j.injections or j.ablations),
)
CARE_FIRST_UNRECORDED = All(
    (Is(INJECTION_FIRST_LINE, ("met",)), NO_CARE_RECORDED, Is(CARE_BEFORE_INJECTION, ("unknown",)))
)
"""An injection would be the first step (acute irritation, inflammatory sacroiliitis), but no care of any kind is
recorded: what was tried, if anything, is what to record first."""
