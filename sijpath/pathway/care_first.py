"""Conservative care before an SI-joint injection: how long therapy and medication went on before it."""

from __future__ import annotations

from sijpath.domain.conservative_care import ConservativeCare, JointCare, conservative_care
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts

__all__ = ["CARE_BEFORE_INJECTION"]


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
