"""After a joint's fusion: bony bridging on CT, pain and disability against the pre-operative baseline, opioid use."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.procedures import PostOperativeFollowUp
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.sources import ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = ["BONY_BRIDGING", "ODI_IMPROVED", "OFF_OPIOIDS", "PAIN_IMPROVED"]


def _follow_ups(j: JointFacts, fused: dt.date) -> list[tuple[str, PostOperativeFollowUp]]:
    visits = [
        (j.where(v, "post_operative_follow_ups"), v)
        for v in j.record.follow_ups
        if v.date > fused  # a score on the day of surgery is not an outcome
    ]
    return sorted(visits, key=lambda pair: pair[1].date)


def bony_bridging(j: JointFacts, o: Outcomes) -> Outcome | None:
    """CT shows bone bridging the joint; fusion develops over 6–12 months."""
    if j.fusion is None:
        return None
    fusion, _ = j.fusion
    months = j.t[th.EXPECTED_BONY_FUSION_MONTHS]
    expected_by = add_months(fusion.date, months)
    scans = [(ref, v) for ref, v in _follow_ups(j, fusion.date) if v.ct_bony_bridging is not None]
    evidence = [
        Evidence(v.date, f"CT {'shows' if v.ct_bony_bridging else 'does not show'} bony bridging", ref)
        for ref, v in scans
    ]
    if any(v.ct_bony_bridging for _, v in scans):
        return met("bony bridging on CT", evidence)
    if scans and scans[-1][1].date >= expected_by:
        return not_met(f"no bony bridging on CT {scans[-1][1].date}, {months} or more months after fusion", evidence)
    if j.as_of < expected_by:
        return unknown(
            f"too early to judge: bony fusion develops over the first {months} months (by {expected_by})",
            [f"CT for bony bridging at or after {expected_by}"],
            evidence,
        )
    return unknown(
        f"no CT at or after {expected_by} to show bony bridging",
        [f"CT for bony bridging at or after {expected_by}"],
        evidence,
    )


def pain_improved(j: JointFacts, o: Outcomes) -> Outcome | None:
    """Pain fell by at least the minimal clinically important difference from the pre-operative baseline."""
    if j.fusion is None:
        return None
    fusion, _ = j.fusion
    points = j.t[th.MIN_POST_FUSION_NRS_IMPROVEMENT_POINTS]
    before = [
        (s.date, s.nrs, j.where(s, "pain_scores"))
        for s in j.episode.pain_scores
        if s.date <= fusion.date and _baseline_current(j, s.date, fusion.date)
    ]
    after = [(v.date, v.nrs, ref) for ref, v in _follow_ups(j, fusion.date) if v.nrs is not None]
    return _improvement("pain", "NRS", points, before, after, "pre-operative pain score", "NRS")


def odi_improved(j: JointFacts, o: Outcomes) -> Outcome | None:
    """Disability (ODI) fell by at least the minimal clinically important difference."""
    if j.fusion is None:
        return None
    fusion, _ = j.fusion
    points = j.t[th.MIN_POST_FUSION_ODI_IMPROVEMENT_POINTS]
    before = [
        (s.date, s.percent, j.where(s, "odi_scores"))
        for s in j.episode.odi_scores
        if s.date <= fusion.date and _baseline_current(j, s.date, fusion.date)
    ]
    after = [(v.date, v.odi_percent, ref) for ref, v in _follow_ups(j, fusion.date) if v.odi_percent is not None]
    return _improvement("disability", "ODI", points, before, after, "pre-operative ODI score", "ODI")


def _baseline_current(j: JointFacts, scored: dt.date, fused: dt.date) -> bool:
    """A pre-operative score describes the patient operated on only within the score window before surgery."""
    months = j.t.get(th.MAX_SCORE_AGE_MONTHS)
    return months is None or add_months(scored, months) >= fused


def _improvement(
    what: str,
    scale: str,
    points: float,
    before: list[tuple[dt.date, float, str]],
    after: list[tuple[dt.date, float, str]],
    baseline_name: str,
    unit: str,
) -> Outcome:
    # The latest score on each side of surgery; on a tie of dates the later-recorded entry wins.
    baseline = max(reversed(before), key=lambda item: item[0], default=None)
    latest = max(reversed(after), key=lambda item: item[0], default=None)
    evidence = [
        Evidence(d, f"{label} {unit} {v:g}", ref)
        for label, item in (("before fusion:", baseline), ("after fusion:", latest))
        if item
        for d, v, ref in [item]
    ]
    missing = ([f"{baseline_name} (within the score window before the fusion)"] if baseline is None else []) + (
        [f"post-operative {scale} score"] if latest is None else []
    )
    if baseline is None or latest is None:
        return unknown(f"{what} before and after fusion not both recorded", missing, evidence)
    change = baseline[1] - latest[1]
    text = f"{scale} {baseline[1]:g} → {latest[1]:g} ({change:+g} points improvement)"
    if change >= points:
        return met(f"{text}, at least {points:g}", evidence)
    return not_met(f"{text}, under {points:g}", evidence)


def off_opioids(j: JointFacts, o: Outcomes) -> Outcome | None:
    """At the latest follow-up the patient no longer takes opioids."""
    if j.fusion is None:
        return None
    fusion, _ = j.fusion
    visits = [(ref, v) for ref, v in _follow_ups(j, fusion.date) if v.taking_opioids is not None]
    pre_op = [m for m in j.episode.medications if m.drug_class == "opioid" and m.start_date <= fusion.date]
    evidence = [
        Evidence(
            m.start_date,
            f"opioid before fusion: {m.drug or 'opioid'}"
            + (f", {m.daily_mme:g} MME/day" if m.daily_mme is not None else ""),
            j.where(m, "medications"),
        )
        for m in pre_op
    ]
    if not visits:
        return unknown("opioid use after fusion not recorded", ["opioid use at a post-operative visit"], evidence)
    ref, latest = visits[-1]
    evidence.append(Evidence(latest.date, f"taking opioids: {'yes' if latest.taking_opioids else 'no'}", ref))
    if latest.taking_opioids:
        return not_met(f"still taking opioids on {latest.date}", evidence)
    return met(f"not taking opioids on {latest.date}", evidence)


BONY_BRIDGING = Criterion[JointFacts](
    id="post-fusion-bony-bridging",
    title="CT shows bony bridging across the fused joint",
    stage="post-fusion",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "lois-whang-2019"),
    check=bony_bridging,
    required_for=(),
    remedy="a CT of the fused joint at or after the expected time of bony fusion",
    reads=(th.EXPECTED_BONY_FUSION_MONTHS,),
    role="outcome",
)
PAIN_IMPROVED = Criterion[JointFacts](
    id="post-fusion-pain-improved",
    title="Pain improved by a clinically important amount",
    stage="post-fusion",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "insite-polly-2016"),
    check=pain_improved,
    required_for=(),
    remedy="a pre-operative and a post-operative pain score",
    reads=(th.MIN_POST_FUSION_NRS_IMPROVEMENT_POINTS,),
    optional_reads=(th.MAX_SCORE_AGE_MONTHS,),
    role="outcome",
)
ODI_IMPROVED = Criterion[JointFacts](
    id="post-fusion-odi-improved",
    title="Disability (ODI) improved by a clinically important amount",
    stage="post-fusion",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "insite-polly-2016"),
    check=odi_improved,
    required_for=(),
    remedy="a pre-operative and a post-operative ODI score",
    reads=(th.MIN_POST_FUSION_ODI_IMPROVEMENT_POINTS,),
    optional_reads=(th.MAX_SCORE_AGE_MONTHS,),
    role="outcome",
)
OFF_OPIOIDS = Criterion[JointFacts](
    id="post-fusion-off-opioids",
    title="Off opioids after fusion",
    stage="post-fusion",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "lois-whang-2019"),
    check=off_opioids,
    required_for=(),
    remedy="opioid use recorded at a post-operative visit",
    role="outcome",
)
