"""The patient's current state for fusion candidacy: recent imaging of the joint, function and pain severity."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.findings import ImagingStudy
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.policy import joint_cross_sectional, newest
from sijpath.pathway.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = ["FUNCTIONAL_IMPAIRMENT", "PAIN_SEVERITY", "STRUCTURAL_IMAGING"]


def structural_imaging(j: JointFacts, o: Outcomes) -> Outcome:
    """The latest CT or MRI of this SI joint, recent enough, shows structural change (widening, bone change,
    disruption); findings of a study that does not say which side never count for one joint."""
    structural = j.t[th.STRUCTURAL_IMAGING_FINDINGS]
    max_age = j.t[th.MAX_IMAGING_AGE_MONTHS]
    studies = joint_cross_sectional(j)
    if not studies:
        return unknown(
            "no CT or MRI of this SI joint",
            ["CT or MRI of the SI joint"],
            lambda: _evidence(j, list(j.record.imaging)),
        )
    study = newest(studies)

    def evidence() -> list[Evidence]:
        return _evidence(j, [study])

    if add_months(study.date, max_age) < j.as_of:
        return unknown(
            lambda: f"the latest CT/MRI of the SI joint ({study.date}) is more than {max_age} months old",
            [f"CT or MRI of the SI joint within {max_age} months"],
            evidence,
        )
    shown = any(finding in structural for finding in study.findings)
    if shown and study.side is None:
        return unknown(
            lambda: f"CT/MRI of {study.date} shows structural change but does not say which joint",
            [f"which SI joint the findings of the {study.modality.upper()} of {study.date} concern (imaging side)"],
            evidence,
        )
    if shown:
        return met(lambda: f"CT/MRI of {study.date} shows structural change of the {j.joint} SI joint", evidence)
    return not_met(lambda: f"CT/MRI of {study.date} shows none of: {', '.join(sorted(structural))}", evidence)


def _evidence(j: JointFacts, studies: list[ImagingStudy]) -> list[Evidence]:
    return [
        Evidence(
            s.date,
            f"{s.modality.upper()} {s.region}{f' ({s.side})' if s.side else ''} {s.date}: {', '.join(s.findings)}",
            j.where(s, "imaging"),
        )
        for s in studies
    ]


ALL_DOCUMENTATION = ("odi", "daily-activities", "work")
DOCUMENTATION_WORDS = {
    "odi": "an ODI score",
    "daily-activities": "whether the pain limits daily activities",
    "work": "the pain's impact on work",
}


def functional_impairment(j: JointFacts, o: Outcomes) -> Outcome:
    """The most recent documentation of function the rule set accepts, during the current period of care, shows
    impairment (a source that names daily activities is not met by a work restriction alone)."""
    min_odi = j.t[th.MIN_IMPAIRMENT_ODI_PERCENT]
    kinds = set(j.t.get(th.IMPAIRMENT_DOCUMENTATION_KINDS, ALL_DOCUMENTATION))
    work, adl = "work" in kinds, "daily-activities" in kinds
    statuses = [
        s for s in j.episode.functional_status if (work and s.work is not None) or (adl and s.adl_limited is not None)
    ]
    scores = j.episode.odi_scores if "odi" in kinds else ()
    wanted = " or ".join(DOCUMENTATION_WORDS[k] for k in ALL_DOCUMENTATION if k in kinds)
    if not statuses and not scores:
        documented = j.episode.odi_scores or any(
            s.work is not None or s.adl_limited is not None for s in j.episode.functional_status
        )
        if documented and kinds != set(ALL_DOCUMENTATION):
            return unknown(
                f"function is documented, but not as this rule set asks: {wanted}",
                [f"{wanted}, during the current care"],
            )
        return unknown("function not documented", [wanted])
    latest_day = max([s.date for s in statuses] + [s.date for s in scores])
    latest_statuses = [s for s in statuses if s.date == latest_day]
    latest_scores = [s for s in scores if s.date == latest_day]

    def evidence() -> list[Evidence]:
        found = []
        for status in latest_statuses:
            parts = [f"work: {status.work}"] if work and status.work else []
            if adl and status.adl_limited is not None:
                parts.append(f"daily activities {'limited' if status.adl_limited else 'not limited'}")
            found.append(Evidence(status.date, "; ".join(parts), j.where(status, "functional_status")))
        found += [Evidence(s.date, f"ODI {s.percent:g}%", j.where(s, "odi_scores")) for s in latest_scores]
        return found

    stale = _before_current_care(j, latest_day)
    if stale:
        return unknown(
            lambda: f"function last documented {latest_day}, {stale}",
            [f"{wanted}, during the current care"],
            evidence,
        )
    impaired = [(work and s.work in ("restricted", "unable")) or (adl and bool(s.adl_limited)) for s in latest_statuses]
    impaired += [s.percent >= min_odi for s in latest_scores]
    if any(impaired):

        def summary() -> str:
            shown = [e.fact for e, bad in zip(evidence(), impaired, strict=True) if bad]
            return "function impaired: " + "; ".join(shown)

        return met(summary, evidence)

    def unimpaired() -> str:
        # Name only what the latest documentation shows: an ODI from another day is not "under" anything now.
        shown = [f"ODI {s.percent:g}%, under {min_odi:g}%" for s in latest_scores]
        if latest_statuses:
            shown.append(" and ".join(w for w, k in (("work", work), ("daily activities", adl)) if k) + " not limited")
        earlier = [s for s in scores if s.date < latest_day]
        if earlier and not latest_scores:
            last = max(earlier, key=lambda s: s.date)
            shown.append(f"no ODI that day (the last, {last.percent:g}% on {last.date}, is older)")
        return f"no impairment at the latest documentation ({latest_day}): " + "; ".join(shown)

    return not_met(unimpaired, evidence)


def pain_severity(j: JointFacts, o: Outcomes) -> Outcome:
    """The most recent pain score, during the current period of care, is severe enough for surgery."""
    minimum = j.t[th.MIN_FUSION_PAIN_NRS_POINTS]
    scores = j.episode.pain_scores
    if not scores:
        return unknown("no pain score recorded", ["a current pain score (NRS 0–10)"])
    _, latest = max(enumerate(scores), key=lambda pair: (pair[1].date, pair[0]))  # the one tie rule

    def evidence() -> list[Evidence]:
        return [Evidence(latest.date, f"pain NRS {latest.nrs:g} ({latest.context})", j.where(latest, "pain_scores"))]

    stale = _before_current_care(j, latest.date)
    if stale:
        return unknown(
            lambda: f"pain last scored {latest.date}, {stale}", ["a current pain score (NRS 0–10)"], evidence
        )
    if latest.nrs >= minimum:
        return met(lambda: f"pain NRS {latest.nrs:g} on {latest.date}, at least {minimum:g}", evidence)
    return not_met(lambda: f"pain NRS {latest.nrs:g} on {latest.date}, under {minimum:g}", evidence)


def _before_current_care(j: JointFacts, day: dt.date) -> str | None:
    """Why a documentation date is too old to describe the patient now, if it is."""
    months = j.t[th.MAX_SCORE_AGE_MONTHS]
    if add_months(day, months) < j.as_of:
        return f"more than {months} months ago"
    start = j.care.start
    if start is not None and day < start:
        return f"before the current period of care began ({start})"
    return None


STRUCTURAL_IMAGING = Criterion[JointFacts](
    id="imaging-structural-change",
    title="Recent CT or MRI shows structural change of this SI joint",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    check=structural_imaging,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a recent CT or MRI report of this joint describing joint space widening, subchondral change or joint "
    "disruption",
    reads=(th.STRUCTURAL_IMAGING_FINDINGS, th.MAX_IMAGING_AGE_MONTHS),
)
FUNCTIONAL_IMPAIRMENT = Criterion[JointFacts](
    id="functional-impairment",
    title="Pain impairs function (work, daily activities, ODI)",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    check=functional_impairment,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a current ODI score, or documentation of limits on work and daily activities",
    reads=(th.MIN_IMPAIRMENT_ODI_PERCENT, th.MAX_SCORE_AGE_MONTHS),
    optional_reads=(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS, th.IMPAIRMENT_DOCUMENTATION_KINDS),
)
PAIN_SEVERITY = Criterion[JointFacts](
    id="pain-severity",
    title="Pain severe enough to consider surgery",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_DONT_WORK,),
    check=pain_severity,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a current pain score at or above the required level",
    reads=(th.MIN_FUSION_PAIN_NRS_POINTS, th.MAX_SCORE_AGE_MONTHS),
    optional_reads=(th.MAX_CONSERVATIVE_CARE_GAP_MONTHS,),
)
