"""The patient's current state for fusion candidacy: recent imaging, function and pain severity."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.findings import ImagingStudy
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import CriterionRule
from sijpath.rules.facts import Facts
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.thresholds import required

__all__ = ["FUNCTIONAL_IMPAIRMENT", "PAIN_SEVERITY", "STRUCTURAL_IMAGING"]


def structural_imaging(f: Facts) -> Outcome:
    """The latest CT or MRI of the SI joint, recent enough, shows structural change (widening, bone change,
    disruption)."""
    structural = set(required(f.t.structural_imaging_findings, "structural_imaging_findings"))
    max_age = required(f.t.max_imaging_age_months, "max_imaging_age_months")
    studies = [(i, s) for i, s in enumerate(f.episode.imaging) if s.region in ("sij", "pelvis")]
    cross_sectional = sorted(((i, s) for i, s in studies if s.sij_cross_sectional), key=lambda p: (p[1].date, p[0]))
    if not cross_sectional:
        return unknown("no CT or MRI of the SI joint", ["CT or MRI of the SI joint"], _evidence(f, studies))
    index, latest = cross_sectional[-1]
    evidence = _evidence(f, [(index, latest)])
    if add_months(latest.date, max_age) < f.as_of:
        return unknown(
            f"the latest CT/MRI of the SI joint ({latest.date}) is more than {max_age} months old",
            [f"CT or MRI of the SI joint within {max_age} months"],
            evidence,
        )
    if structural & set(latest.findings):
        return met(f"CT/MRI of {latest.date} shows structural change of the SI joint", evidence)
    return not_met(f"CT/MRI of {latest.date} shows none of: {', '.join(sorted(structural))}", evidence)


def _evidence(f: Facts, pairs: list[tuple[int, ImagingStudy]]) -> list[Evidence]:
    return [
        Evidence(
            s.date, f"{s.modality.upper()} {s.region} {s.date}: {', '.join(s.findings)}", f.ref(s, f"imaging[{i}]")
        )
        for i, s in pairs
    ]


def functional_impairment(f: Facts) -> Outcome:
    """The most recent documentation of function, during the current period of care, shows impairment."""
    min_odi = required(f.t.min_impairment_odi_percent, "min_impairment_odi_percent")
    records: list[tuple[dt.date, Evidence, bool]] = []
    for i, status in enumerate(f.episode.functional_status):
        if status.work is None and status.adl_limited is None:
            continue
        parts = [f"work: {status.work}"] if status.work else []
        if status.adl_limited is not None:
            parts.append(f"daily activities {'limited' if status.adl_limited else 'not limited'}")
        impaired = status.work in ("restricted", "unable") or bool(status.adl_limited)
        records.append(
            (status.date, Evidence(status.date, "; ".join(parts), f.ref(status, f"functional_status[{i}]")), impaired)
        )
    for i, odi in enumerate(f.episode.odi_scores):
        records.append(
            (
                odi.date,
                Evidence(odi.date, f"ODI {odi.percent:g}%", f.ref(odi, f"odi_scores[{i}]")),
                odi.percent >= min_odi,
            )
        )
    if not records:
        return unknown("function not documented", ["ODI score, or the pain's impact on work and daily activities"])
    latest_day = max(day for day, _, _ in records)
    latest = [(evidence, impaired) for day, evidence, impaired in records if day == latest_day]
    evidence = [e for e, _ in latest]
    stale = _before_current_care(f, latest_day)
    if stale:
        return unknown(
            f"function last documented {latest_day}, {stale}",
            ["ODI score, or the pain's impact on work and daily activities, during the current care"],
            evidence,
        )
    if any(impaired for _, impaired in latest):
        return met("function impaired: " + "; ".join(e.fact for e, impaired in latest if impaired), evidence)
    return not_met(
        f"no impairment at the latest documentation ({latest_day}): ODI under {min_odi:g}%, work and "
        "daily activities not limited",
        evidence,
    )


def pain_severity(f: Facts) -> Outcome:
    """The most recent pain score, during the current period of care, is severe enough for surgery."""
    minimum = required(f.t.min_fusion_pain_nrs_points, "min_fusion_pain_nrs_points")
    if not f.episode.pain_scores:
        return unknown("no pain score recorded", ["a current pain score (NRS 0–10)"])
    index, latest = max(enumerate(f.episode.pain_scores), key=lambda pair: (pair[1].date, pair[0]))  # same tie rule
    evidence = [
        Evidence(latest.date, f"pain NRS {latest.nrs:g} ({latest.context})", f.ref(latest, f"pain_scores[{index}]"))
    ]
    stale = _before_current_care(f, latest.date)
    if stale:
        return unknown(f"pain last scored {latest.date}, {stale}", ["a current pain score (NRS 0–10)"], evidence)
    if latest.nrs >= minimum:
        return met(f"pain NRS {latest.nrs:g} on {latest.date}, at least {minimum:g}", evidence)
    return not_met(f"pain NRS {latest.nrs:g} on {latest.date}, under {minimum:g}", evidence)


def _before_current_care(f: Facts, day: dt.date) -> str | None:
    """Why a documentation date is too old to describe the patient now, if it is."""
    start = f.care.start
    if start is not None and day < start:
        return f"before the current period of care began ({start})"
    return None


STRUCTURAL_IMAGING: CriterionRule[Facts] = CriterionRule(
    id="imaging-structural-change",
    title="Recent CT or MRI shows structural change of the SI joint",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    thresholds=("structural_imaging_findings", "max_imaging_age_months"),
    check=structural_imaging,
)
FUNCTIONAL_IMPAIRMENT: CriterionRule[Facts] = CriterionRule(
    id="functional-impairment",
    title="Pain impairs function (work, daily activities, ODI)",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    thresholds=("min_impairment_odi_percent",),
    check=functional_impairment,
)
PAIN_SEVERITY: CriterionRule[Facts] = CriterionRule(
    id="pain-severity",
    title="Pain severe enough to consider surgery",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_DONT_WORK,),
    thresholds=("min_fusion_pain_nrs_points",),
    check=pain_severity,
)
