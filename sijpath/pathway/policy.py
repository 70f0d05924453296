"""Criteria that payer and society rule sets add: pain duration, imaging triad and recency, limits, nicotine."""

from __future__ import annotations

from sijpath.domain.findings import ImagingStudy
from sijpath.domain.timeline import add_months, latest
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Flag, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts

__all__ = [
    "DIAGNOSTIC_BLOCK_LIMIT",
    "EVIDENCE_CAUTION_FLAG",
    "IMAGING_RECENCY",
    "IMAGING_TRIAD",
    "INJECTION_COUNT_LIMIT",
    "INJECTION_LIMITS_FLAG",
    "NICOTINE_FREE",
    "PAIN_DURATION",
    "joint_cross_sectional",
    "newest",
]

OTHER_CAUSES = ("lumbar-stenosis-or-disc-herniation", "hip-osteoarthritis", "destructive-lesion")


def joint_cross_sectional(j: JointFacts) -> list[ImagingStudy]:
    """CT or MRI showing this SI joint: studies of its side, and those without a side (a pelvis CT shows both)."""
    return [s for s in (*j.record.imaging, *j.record.unsided_imaging) if s.modality != "xray"]


def newest(studies: list[ImagingStudy]) -> ImagingStudy:
    """The latest study; on the same date, the one listed later (the one tie rule of `latest`)."""
    found = latest(studies)
    assert found is not None
    return found[1]


def pain_duration(j: JointFacts, o: Outcomes) -> Outcome:
    """The pain has lasted at least the required number of months."""
    months = j.t[th.MIN_PAIN_DURATION_MONTHS]
    onset = j.episode.pain.onset_date
    if onset is None:
        return unknown("pain onset date not recorded", ["date the pain began (pain.onset_date)"])
    reached = add_months(onset, months)
    evidence = [Evidence(onset, f"pain began {onset}", "pain.onset_date")]
    if reached <= j.as_of:
        return met(f"pain since {onset}, at least {months} months", evidence)
    return not_met(f"pain since {onset}: {months} months are reached on {reached}", evidence)


def imaging_triad(j: JointFacts, o: Outcomes) -> Outcome:
    """Imaging excludes other causes: CT or MRI of the SI joint, an AP pelvis radiograph, and lumbar CT or MRI."""
    imaging = j.episode.imaging
    parts: dict[str, list[ImagingStudy]] = {
        "CT or MRI of the SI joint": joint_cross_sectional(j),
        "AP pelvis radiograph": [s for s in imaging if s.region == "pelvis" and s.modality == "xray"],
        "CT or MRI of the lumbar spine": [s for s in imaging if s.region == "lumbar" and s.modality != "xray"],
    }
    months = j.t[th.MAX_IMAGING_AGE_MONTHS]
    evidence, other_causes, stale = [], [], []
    for name, found in parts.items():
        if found:
            study = newest(found)
            text = f"{study.modality.upper()} {study.region}: {', '.join(study.findings)}"
            evidence.append(Evidence(study.date, text, j.where(study, "imaging")))
            other_causes += [finding for finding in study.findings if finding in OTHER_CAUSES]
            if add_months(study.date, months) < j.as_of:
                stale.append(f"a repeat {name} (the latest, {study.date}, is more than {months} months old)")
    if other_causes:
        return not_met(f"imaging shows another possible cause: {', '.join(sorted(set(other_causes)))}", evidence)
    missing = [name for name, found in parts.items() if not found]
    if missing or stale:
        current = len(parts) - len(missing) - len(stale)
        return unknown(f"imaging triad incomplete: {current} of 3 on record and current", missing + stale, evidence)
    return met(
        f"SI-joint CT/MRI, AP pelvis and lumbar CT/MRI within {months} months, none showing another cause", evidence
    )


def diagnostic_block_limit(j: JointFacts, o: Outcomes) -> Outcome:
    """Another diagnostic block session of this joint stays within the sessions the rule set allows."""
    limit = j.t[th.MAX_DIAGNOSTIC_BLOCKS_COUNT]
    sessions = sorted({b.block.date for b in j.blocks})
    evidence = [j.block_evidence(b) for b in j.blocks]
    done = f"{len(sessions)} diagnostic block session(s) of this joint"
    if len(sessions) < limit:
        return met(f"{done}: another stays within {limit}", evidence)
    return not_met(f"{done}: the limit of {limit} is reached", evidence)


def nicotine_free(j: JointFacts, o: Outcomes) -> Outcome:
    """Never-smoker, or nicotine-free with cotinine at or under the limit."""
    limit = j.t[th.MAX_COTININE_NG_PER_ML]
    tobacco = j.episode.tobacco
    found = latest(tobacco)
    if found is None:
        return unknown("smoking status not recorded", ["smoking status, and a cotinine level if not a never-smoker"])
    _, latest_use = found
    cotinine = latest_use.cotinine_ng_per_ml
    text = f"{latest_use.status} smoker" + (f", cotinine {cotinine:g} ng/mL" if cotinine is not None else "")
    evidence = [Evidence(latest_use.date, text, j.where(latest_use, "tobacco"))]
    months = j.t[th.MAX_SMOKING_STATUS_AGE_MONTHS]
    if add_months(latest_use.date, months) < j.as_of:
        return unknown(
            f"smoking status last recorded {latest_use.date}, more than {months} months ago",
            [f"a current smoking status (within {months} months), and a cotinine level if not a never-smoker"],
            evidence,
        )
    if cotinine is not None and cotinine > limit:
        return not_met(f"cotinine {cotinine:g} ng/mL on {latest_use.date}, above {limit:g}", evidence)
    if latest_use.status == "current":
        return not_met(f"current smoker on {latest_use.date}", evidence)
    if latest_use.status == "never" or cotinine is not None:
        return met(f"{text} on {latest_use.date}", evidence)
    return unknown(
        f"former smoker on {latest_use.date} without a cotinine level",
        [f"cotinine level (at most {limit:g} ng/mL)"],
        evidence,
    )


def evidence_caution(j: JointFacts, o: Outcomes) -> FlagResult | None:
    """Chronic axial pain: a 2025 guideline recommends against joint-targeted injections and joint RFA."""
    weeks = j.t[th.MAX_ACUTE_PAIN_WEEKS]
    onset = j.episode.pain.onset_date
    if onset is None or (j.as_of - onset).days < weeks * 7:
        return None
    return FlagResult(
        "info",
        "For chronic axial spine pain, the 2025 BMJ guideline makes strong recommendations "
        "against joint-targeted injections of anesthetic and/or steroid and against joint RFA; "
        "interventional pain societies contest it. Weigh this when choosing the next step.",
        (Evidence(onset, f"pain since {onset}", "pain.onset_date"),),
    )


def injection_limits(j: JointFacts, o: Outcomes) -> FlagResult | None:
    """Injections of this joint over the count per rolling 12 months, or closer together than allowed."""
    most = j.t[th.MAX_THERAPEUTIC_INJECTIONS_PER_12_MONTHS_COUNT]
    gap = j.t.get(th.MIN_INJECTION_INTERVAL_MONTHS)
    recent = j.injections_last_year
    year = j.patient.window(12)
    close = [
        i
        for i in j.injection_intervals
        if gap is not None and i.later.date in year and add_months(i.earlier.date, gap) > i.later.date
    ]
    problems = []
    if len(recent) > most:
        problems.append(f"{len(recent)} therapeutic injections of this joint in the last 12 months (at most {most})")
    if close:
        problems.append(f"{len(close)} interval(s) under {gap} months")
    if not problems:
        return None
    evidence = tuple(j.injection_evidence(r) for r in recent)
    return FlagResult("warning", "; ".join(problems) + ": further injections exceed this rule set's limits.", evidence)


def imaging_recency(j: JointFacts, o: Outcomes) -> Outcome:
    """A CT or MRI of this SI joint within the required number of months."""
    months = j.t[th.MAX_IMAGING_AGE_MONTHS]
    studies = joint_cross_sectional(j)
    if not studies:
        return unknown("no CT or MRI of this SI joint", [f"CT or MRI of the SI joint within {months} months"])
    study = newest(studies)
    evidence = [Evidence(study.date, f"{study.modality.upper()} {study.region}", j.where(study, "imaging"))]
    if add_months(study.date, months) >= j.as_of:
        return met(f"latest CT/MRI {study.date}, within {months} months", evidence)
    # Stale imaging is not evidence against surgery: it is evidence to repeat (unknown, with that remedy).
    return unknown(
        f"latest CT/MRI {study.date}, more than {months} months ago",
        [f"a repeat CT or MRI of the SI joint (within {months} months)"],
        evidence,
    )


def injection_count_limit(j: JointFacts, o: Outcomes) -> Outcome:
    """One more therapeutic injection of this joint now stays within the count per rolling 12 months (and, where
    the rule set sets one, the minimum interval since the last)."""
    most = j.t[th.MAX_THERAPEUTIC_INJECTIONS_PER_12_MONTHS_COUNT]
    recent = j.injections_last_year
    evidence = [j.injection_evidence(r) for r in recent]
    gap = j.t.get(th.MIN_INJECTION_INTERVAL_MONTHS)
    if gap is not None and j.injections:
        last = j.injections[-1].injection.date
        if add_months(last, gap) > j.as_of:
            return not_met(
                f"the last injection of this joint was on {last}: another now would be under {gap} months after it "
                f"(it may follow from {add_months(last, gap)})",
                evidence,
            )
    if j.t.get(th.INJECTION_LIMIT_COUNTS_SESSIONS_FLAG):
        # The Medicare LCD limits sessions, whichever joint: a bilateral day is one session, two days are two.
        year = j.patient.window(12)
        days = sorted({i.date for i in j.episode.therapeutic_injections if i.date in year})
        done = f"{len(days)} therapeutic injection session(s) of either joint in the last 12 months"
        if len(days) < most:
            return met(f"{done}; another stays within {most}", evidence)
        return not_met(f"{done}: another would exceed {most}", evidence)
    if len(recent) < most:
        return met(
            f"{len(recent)} therapeutic injection(s) of this joint in the last 12 months; another stays within {most}",
            evidence,
        )
    return not_met(
        f"{len(recent)} therapeutic injections of this joint in the last 12 months: another would exceed {most}",
        evidence,
    )


PAIN_DURATION = Criterion[JointFacts](
    id="pain-duration",
    title="Pain has lasted long enough",
    stage="diagnosis",
    cites=("cms-sij-injection-lcd-2023",),
    check=pain_duration,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a documented pain onset at least the required number of months before the request",
    reads=(th.MIN_PAIN_DURATION_MONTHS,),
    shared=True,
)
IMAGING_TRIAD = Criterion[JointFacts](
    id="imaging-triad",
    title="Imaging excludes other causes (SI joint, pelvis, lumbar spine)",
    stage="surgical-candidacy",
    cites=("cms-mis-fusion-lcd", "bcbs-al-mp-555"),
    check=imaging_triad,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="current reports of SI-joint CT or MRI, an AP pelvis radiograph and lumbar CT or MRI that exclude other "
    "causes",
    reads=(th.MAX_IMAGING_AGE_MONTHS,),
)
DIAGNOSTIC_BLOCK_LIMIT = Criterion[JointFacts](
    id="diagnostic-block-limit",
    title="Another diagnostic block session stays within the limit",
    stage="confirmation",
    cites=("cms-sij-injection-lcd-2023",),
    check=diagnostic_block_limit,
    required_for=(Gate(v.DIAGNOSTIC_BLOCK), Gate(v.CONFIRMATORY_BLOCK)),
    remedy="none: the limit of diagnostic sessions is reached",
    reads=(th.MAX_DIAGNOSTIC_BLOCKS_COUNT,),
)
NICOTINE_FREE = Criterion[JointFacts](
    id="nicotine-free",
    title="Nicotine-free (never-smoker or cotinine under the limit)",
    stage="surgical-candidacy",
    cites=("evicore-cmm-611",),
    check=nicotine_free,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a current never-smoker status, or a current cotinine level at or under the limit",
    reads=(th.MAX_COTININE_NG_PER_ML, th.MAX_SMOKING_STATUS_AGE_MONTHS),
    shared=True,
)
EVIDENCE_CAUTION_FLAG = Flag[JointFacts](
    id="evidence-caution",
    title="Guideline caution on joint-targeted procedures",
    code="evidence-caution",
    stage="diagnosis",
    cites=("bmj-2025-busse",),
    check=evidence_caution,
    reads=(th.MAX_ACUTE_PAIN_WEEKS,),
    shared=True,
)
INJECTION_COUNT_LIMIT = Criterion[JointFacts](
    id="injection-count-limit",
    title="Another injection stays within the yearly limit",
    stage="non-surgical-care",
    cites=("cms-sij-injection-lcd-2023", "evicore-cmm-203"),
    check=injection_count_limit,
    required_for=(Gate(v.THERAPEUTIC_INJECTION),),
    remedy="none now: the yearly number of injections is reached; wait until an injection falls out of the rolling "
    "12 months",
    reads=(th.MAX_THERAPEUTIC_INJECTIONS_PER_12_MONTHS_COUNT,),
    optional_reads=(th.MIN_INJECTION_INTERVAL_MONTHS, th.INJECTION_LIMIT_COUNTS_SESSIONS_FLAG),
)
IMAGING_RECENCY = Criterion[JointFacts](
    id="imaging-recency",
    title="Recent CT or MRI of the SI joint",
    stage="surgical-candidacy",
    cites=("evicore-cmm-611", "aspn-2024"),
    check=imaging_recency,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a CT or MRI of the SI joint within the required number of months",
    reads=(th.MAX_IMAGING_AGE_MONTHS,),
)
INJECTION_LIMITS_FLAG = Flag[JointFacts](
    id="injection-limits",
    title="Therapeutic injections over the rule set's limits",
    code="injection-frequency-exceeded",
    stage="non-surgical-care",
    cites=("cms-sij-injection-lcd-2023", "evicore-cmm-203"),
    check=injection_limits,
    reads=(th.MAX_THERAPEUTIC_INJECTIONS_PER_12_MONTHS_COUNT,),
    optional_reads=(th.MIN_INJECTION_INTERVAL_MONTHS,),
)
