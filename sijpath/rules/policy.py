"""Criteria that payer and society rule sets add: pain duration, examination, imaging triad, limits, nicotine."""

from __future__ import annotations

from collections.abc import Callable

from sijpath.domain.timeline import RollingWindow, add_months, latest
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import CriterionRule, FlagRule, Stage
from sijpath.rules.facts import Facts
from sijpath.rules.thresholds import required

__all__ = [
    "CARE_BEFORE_INJECTION",
    "DIAGNOSTIC_BLOCK_LIMIT",
    "EVIDENCE_CAUTION_FLAG",
    "IMAGING_RECENCY",
    "IMAGING_TRIAD",
    "INJECTION_COUNT_LIMIT",
    "INJECTION_LIMITS_FLAG",
    "NICOTINE_FREE",
    "PAIN_DURATION",
    "criterion",
]


def pain_duration(f: Facts) -> Outcome:
    """The pain has lasted at least the required number of months."""
    months = required(f.t.min_pain_duration_months, "min_pain_duration_months")
    onset = f.episode.pain.onset_date
    if onset is None:
        return unknown("pain onset date not recorded", ["date the pain began (pain.onset_date)"])
    reached = add_months(onset, months)
    evidence = [Evidence(onset, f"pain began {onset}", "pain.onset_date")]
    if reached <= f.as_of:
        return met(f"pain since {onset}, at least {months} months", evidence)
    return not_met(f"pain since {onset}: {months} months are reached on {reached}", evidence)


def imaging_triad(f: Facts) -> Outcome:
    """Imaging excludes other causes: SI-joint CT or MRI, an AP pelvis radiograph, and lumbar CT or MRI."""
    studies = list(enumerate(f.episode.imaging))
    parts = {
        "CT or MRI of the SI joint": [(i, s) for i, s in studies if s.sij_cross_sectional],
        "AP pelvis radiograph": [(i, s) for i, s in studies if s.region == "pelvis" and s.modality == "xray"],
        "CT or MRI of the lumbar spine": [(i, s) for i, s in studies if s.region == "lumbar" and s.modality != "xray"],
    }
    evidence, other_causes = [], []
    for found in parts.values():
        if found:
            i, study = max(found, key=lambda pair: (pair[1].date, pair[0]))
            text = f"{study.modality.upper()} {study.region}: {', '.join(study.findings)}"
            evidence.append(Evidence(study.date, text, f.ref(study, f"imaging[{i}]")))
            other_causes += [
                finding
                for finding in study.findings
                if finding in ("lumbar-stenosis-or-disc-herniation", "hip-osteoarthritis", "destructive-lesion")
            ]
    if other_causes:
        return not_met(f"imaging shows another possible cause: {', '.join(sorted(set(other_causes)))}", evidence)
    missing = [name for name, found in parts.items() if not found]
    if missing:
        return unknown(f"imaging triad incomplete: {len(parts) - len(missing)} of 3", missing, evidence)
    return met("SI-joint CT/MRI, AP pelvis and lumbar CT/MRI on record, none showing another cause", evidence)


def diagnostic_block_limit(f: Facts) -> Outcome:
    """No more diagnostic block sessions than the rule set allows."""
    limit = required(f.t.max_diagnostic_blocks_count, "max_diagnostic_blocks_count")
    sessions = sorted({b.block.date for b in f.blocks})
    evidence = [f.block_evidence(b) for b in f.blocks]
    if len(sessions) <= limit:
        return met(f"{len(sessions)} diagnostic block session(s), at most {limit}", evidence)
    return not_met(f"{len(sessions)} diagnostic block sessions, more than {limit}", evidence)


def nicotine_free(f: Facts) -> Outcome:
    """Never-smoker, or nicotine-free with cotinine at or under the limit."""
    limit = required(f.t.max_cotinine_ng_per_ml, "max_cotinine_ng_per_ml")
    if not f.episode.tobacco:
        return unknown("smoking status not recorded", ["smoking status, and a cotinine level if not a never-smoker"])
    index, latest_use = latest(f.episode.tobacco) or (0, f.episode.tobacco[0])
    cotinine = latest_use.cotinine_ng_per_ml
    text = f"{latest_use.status} smoker" + (f", cotinine {cotinine:g} ng/mL" if cotinine is not None else "")
    evidence = [Evidence(latest_use.date, text, f.ref(latest_use, f"tobacco[{index}]"))]
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


def evidence_caution(f: Facts) -> FlagResult | None:
    """Chronic axial pain: a 2025 guideline recommends against joint-targeted injections and joint RFA."""
    weeks = required(f.t.max_acute_pain_weeks, "max_acute_pain_weeks")
    onset = f.episode.pain.onset_date
    if onset is None or (f.as_of - onset).days < weeks * 7:
        return None
    return FlagResult(
        "info",
        "For chronic axial spine pain, the 2025 BMJ guideline makes strong recommendations "
        "against joint-targeted injections of anesthetic and/or steroid and against joint RFA; "
        "interventional pain societies contest it. Weigh this when choosing the next step.",
        (Evidence(onset, f"pain since {onset}", "pain.onset_date"),),
    )


def criterion(
    id: str,
    title: str,
    stage: Stage,
    cites: tuple[str, ...],
    thresholds: tuple[str, ...],
    check: Callable[[Facts], Outcome],
) -> CriterionRule[Facts]:
    return CriterionRule(id=id, title=title, stage=stage, cites=cites, thresholds=thresholds, check=check)


PAIN_DURATION = criterion(
    "pain-duration",
    "Pain has lasted long enough",
    "diagnosis",
    ("cms-sij-injection-lcd-2023",),
    ("min_pain_duration_months",),
    pain_duration,
)
IMAGING_TRIAD = criterion(
    "imaging-triad",
    "Imaging excludes other causes (SI joint, pelvis, lumbar spine)",
    "surgical-candidacy",
    ("cms-mis-fusion-lcd", "bcbs-al-mp-555"),
    (),
    imaging_triad,
)
DIAGNOSTIC_BLOCK_LIMIT = criterion(
    "diagnostic-block-limit",
    "Diagnostic block sessions within the limit",
    "confirmation",
    ("cms-sij-injection-lcd-2023",),
    ("max_diagnostic_blocks_count",),
    diagnostic_block_limit,
)
NICOTINE_FREE = criterion(
    "nicotine-free",
    "Nicotine-free (never-smoker or cotinine under the limit)",
    "surgical-candidacy",
    ("evicore-cmm-611",),
    ("max_cotinine_ng_per_ml",),
    nicotine_free,
)
EVIDENCE_CAUTION_FLAG: FlagRule[Facts] = FlagRule(
    id="evidence-caution",
    title="Guideline caution on joint-targeted procedures",
    code="evidence-caution",
    stage="diagnosis",
    cites=("bmj-2025-busse",),
    thresholds=("max_acute_pain_weeks",),
    check=evidence_caution,
)


def care_before_injection(f: Facts) -> Outcome:
    """Conservative care has gone on for the required weeks before an injection is considered."""
    weeks = required(f.t.min_conservative_care_weeks, "min_conservative_care_weeks")
    care = f.care
    if care.start is None or care.latest is None:
        return unknown("no conservative care recorded", ["dates of physical therapy or medication courses"])
    span = (care.latest - care.start).days / 7
    evidence = [Evidence(care.start, f"conservative care since {care.start}", None)]
    if span >= weeks:
        return met(f"{span:.0f} weeks of conservative care, at least {weeks}", evidence)
    return not_met(f"{span:.0f} weeks of conservative care, under {weeks}", evidence)


def injection_limits(f: Facts) -> FlagResult | None:
    """Therapeutic injections over the rule set's count per rolling 12 months, or closer together than allowed."""
    most = required(
        f.t.max_therapeutic_injections_per_12_months_count, "max_therapeutic_injections_per_12_months_count"
    )
    gap = f.t.min_injection_interval_months
    recent = f.injections_last_year
    close = [
        i
        for i in f.injection_intervals
        if gap is not None
        and i.later.date in RollingWindow(f.as_of, 12)
        and add_months(i.earlier.date, gap) > i.later.date
    ]
    problems = []
    if len(recent) > most:
        problems.append(f"{len(recent)} therapeutic injections in the last 12 months (at most {most})")
    if close:
        problems.append(f"{len(close)} interval(s) under {gap} months")
    if not problems:
        return None
    evidence = tuple(f.injection_evidence(r) for r in recent)
    return FlagResult("warning", "; ".join(problems) + ": further injections exceed this rule set's limits.", evidence)


def imaging_recency(f: Facts) -> Outcome:
    """A CT or MRI of the SI joint within the required number of months."""
    months = required(f.t.max_imaging_age_months, "max_imaging_age_months")
    studies = [
        (i, s) for i, s in enumerate(f.episode.imaging) if s.region in ("sij", "pelvis") and s.modality != "xray"
    ]
    if not studies:
        return unknown("no CT or MRI of the SI joint", [f"CT or MRI of the SI joint within {months} months"])
    i, newest = max(studies, key=lambda pair: (pair[1].date, pair[0]))
    evidence = [Evidence(newest.date, f"{newest.modality.upper()} {newest.region}", f.ref(newest, f"imaging[{i}]"))]
    if add_months(newest.date, months) >= f.as_of:
        return met(f"latest CT/MRI {newest.date}, within {months} months", evidence)
    return not_met(
        f"latest CT/MRI {newest.date}, more than {months} months ago",
        evidence,
        [f"CT or MRI of the SI joint within {months} months"],
    )


def injection_count_limit(f: Facts) -> Outcome:
    """One more therapeutic injection now would stay within the rule set's count per rolling 12 months."""
    most = required(
        f.t.max_therapeutic_injections_per_12_months_count, "max_therapeutic_injections_per_12_months_count"
    )
    recent = f.injections_last_year
    evidence = [f.injection_evidence(r) for r in recent]
    if len(recent) < most:
        return met(
            f"{len(recent)} therapeutic injection(s) in the last 12 months; another stays within {most}", evidence
        )
    return not_met(f"{len(recent)} therapeutic injections in the last 12 months: another would exceed {most}", evidence)


INJECTION_COUNT_LIMIT = criterion(
    "injection-count-limit",
    "Another injection stays within the yearly limit",
    "non-surgical-care",
    ("cms-sij-injection-lcd-2023", "evicore-cmm-203"),
    ("max_therapeutic_injections_per_12_months_count",),
    injection_count_limit,
)
IMAGING_RECENCY = criterion(
    "imaging-recency",
    "Recent CT or MRI of the SI joint",
    "surgical-candidacy",
    ("evicore-cmm-611", "aspn-2024"),
    ("max_imaging_age_months",),
    imaging_recency,
)
CARE_BEFORE_INJECTION = criterion(
    "conservative-care-before-injection",
    "Conservative care before an injection",
    "non-surgical-care",
    ("cms-sij-injection-lcd-2023", "aspn-2024"),
    ("min_conservative_care_weeks", "max_conservative_care_gap_months"),
    care_before_injection,
)
INJECTION_LIMITS_FLAG: FlagRule[Facts] = FlagRule(
    id="injection-limits",
    title="Therapeutic injections over the rule set's limits",
    code="injection-frequency-exceeded",
    stage="non-surgical-care",
    cites=("cms-sij-injection-lcd-2023", "evicore-cmm-203"),
    thresholds=("max_therapeutic_injections_per_12_months_count",),
    check=injection_limits,
    optional_thresholds=("min_injection_interval_months",),
)
