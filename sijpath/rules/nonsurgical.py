"""Non-surgical care: injections first for inflammation, whether injection relief lasts, RFA, and injection flags."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.injections import relief_trend
from sijpath.domain.steroids import MPDE_SOURCES
from sijpath.domain.timeline import RollingWindow, add_months
from sijpath.engine.results import Evidence, FlagResult, Outcome, Status, all_of, met, not_met, unknown
from sijpath.engine.rule import CriterionRule, FlagRule
from sijpath.rules.diagnosis import block_confirms, pain_presentation
from sijpath.rules.facts import Facts
from sijpath.rules.memo import memoized
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.thresholds import required

__all__ = [
    "CUMULATIVE_STEROID_FLAG",
    "DIMINISHING_RELIEF_FLAG",
    "INJECTION_FIRST_LINE",
    "INJECTION_FREQUENCY_FLAG",
    "INJECTION_RELIEF_LASTING",
    "RFA_CANDIDATE",
]

INVERSE: dict[Status, Status] = {"met": "not-met", "not-met": "met", "unknown": "unknown"}


def injection_first_line(f: Facts) -> Outcome:
    """Inflammatory sacroiliitis or acute irritation: a therapeutic injection is the first step."""
    acute_weeks = required(f.t.max_acute_pain_weeks, "max_acute_pain_weeks")
    pattern = pain_presentation(f)
    if pattern.status == "not-met":
        return not_met(f"{pattern.summary}: an SI-joint injection is not the first step", pattern.evidence)
    if f.inflammatory_sacroiliitis:
        return met("inflammatory sacroiliitis: injections work best here", f.inflammatory_sacroiliitis)
    onset = f.episode.pain.onset_date
    if onset is None:
        return unknown("pain onset date not recorded", ["date the pain began (pain.onset_date)"])
    weeks = (f.as_of - onset).days / 7
    evidence = [Evidence(onset, f"pain began {onset}, {weeks:.0f} weeks before the as-of date", "pain.onset_date")]
    if weeks < acute_weeks:
        if pattern.status == "unknown":
            return unknown(
                f"pain began {weeks:.0f} weeks ago, but its location is not documented", pattern.missing, evidence
            )
        return met(
            f"acute SI-joint irritation: pain below L5 that began {weeks:.0f} weeks ago (under {acute_weeks} weeks)",
            evidence + list(pattern.evidence),
        )
    return not_met(f"chronic pain for {weeks:.0f} weeks, no inflammatory sacroiliitis recorded", evidence)


@memoized
def injection_relief_lasting(f: Facts) -> Outcome | None:
    """The latest therapeutic injection gave meaningful relief that lasted."""
    if not f.injections:
        return None
    min_percent = required(f.t.min_lasting_injection_relief_percent, "min_lasting_injection_relief_percent")
    min_months = required(f.t.min_lasting_injection_relief_months, "min_lasting_injection_relief_months")
    latest = f.injections[-1]
    injected = latest.injection.date
    evidence = [f.injection_evidence(latest)]  # the criterion reads the latest injection only
    lasting_needed = add_months(injected, min_months)
    if latest.relief_percent is not None and latest.relief_percent < min_percent:
        return not_met(
            f"latest injection ({injected}) gave {latest.relief_percent:.0f}% relief, under {min_percent:g}%", evidence
        )
    days = latest.relief_days
    if days is not None and not latest.relief_days_at_least and injected + dt.timedelta(days) < lasting_needed:
        return not_met(
            f"relief after the latest injection ({injected}) lasted {days / 7:.0f} weeks, under {min_months} months",
            evidence,
        )
    if latest.relief_percent is None or days is None:
        return unknown(
            f"relief after the injection of {injected} not fully recorded",
            [f"relief percent and duration after the injection of {injected} (or follow-up pain scores)"],
            evidence,
        )
    if injected + dt.timedelta(days) >= lasting_needed:
        return met(
            f"latest injection ({injected}) gave {latest.relief_percent:.0f}% relief for "
            f"{'at least ' if latest.relief_days_at_least else ''}{days / 7:.0f} weeks",
            evidence,
        )
    return unknown(
        f"relief was still ≥{min_percent:g}% at the last follow-up, {days / 7:.0f} weeks after "
        f"the injection of {injected}",
        [f"a pain score on or after {lasting_needed} ({min_months} months after the injection)"],
        evidence,
    )


def rfa_candidate(f: Facts) -> Outcome:
    """Confirmed SI joint and therapeutic injections that did not give lasting relief."""
    confirmed = block_confirms(f)
    lasting = injection_relief_lasting(f)
    injections_failed = INVERSE[lasting.status] if lasting is not None else "not-met"
    parts: list[tuple[str, Status]] = [
        ("SI joint confirmed", confirmed.status),
        ("injections failed to give lasting relief", injections_failed),
    ]
    summary = "; ".join(f"{name}: {status}" for name, status in parts)
    evidence = confirmed.evidence + (lasting.evidence if lasting else ())
    combined = all_of(status for _, status in parts)
    if combined == "not-met":
        return not_met(summary, evidence)
    if combined == "unknown":
        missing = confirmed.missing + (lasting.missing if lasting else ())
        return unknown(summary, missing or ("therapeutic injection history",), evidence)
    return met(summary + " (a temporary response to the diagnostic block marks the best candidates)", evidence)


def diminishing_relief(f: Facts) -> FlagResult | None:
    """Relief after each injection shorter than after the one before."""
    count = required(f.t.min_injections_for_shortening_trend_count, "min_injections_for_shortening_trend_count")
    trend, used = relief_trend(f.latest_joint_injections, count)
    if trend != "shortening":
        return None
    weeks = " → ".join(f"{r.relief_days / 7:.0f}" for r in used if r.relief_days is not None)
    return FlagResult(
        "warning",
        f"relief after successive injections keeps shortening ({weeks} weeks): "
        "repeated injections are reaching their limit",
        tuple(f.injection_evidence(r) for r in used),
    )


def injection_frequency(f: Facts) -> FlagResult | None:
    """Injections in the last 12 months repeated at or under the interval that raises steroid concern."""
    weeks = required(f.t.steroid_concern_injection_interval_weeks, "steroid_concern_injection_interval_weeks")
    year = RollingWindow(f.as_of, 12)
    close = [i for i in f.injection_intervals if i.later.date in year and i.days <= weeks * 7]
    if not close:
        return None
    evidence = tuple(Evidence(i.later.date, i.describe(), f.locate(i.later)) for i in close)
    return FlagResult(
        "warning",
        f"{len(close)} injection interval(s) of {weeks} weeks or less in the last 12 months; "
        "injections needed this often raise concern about cumulative steroid exposure",
        evidence,
    )


def cumulative_steroid(f: Facts) -> FlagResult | None:
    """Corticosteroid exposure above the 12- or 36-month limits in methylprednisolone-dose-equivalents."""
    limits = (
        (12, required(f.t.max_steroid_mpde_mg_per_12_months, "max_steroid_mpde_mg_per_12_months")),
        (36, required(f.t.max_steroid_mpde_mg_per_36_months, "max_steroid_mpde_mg_per_36_months")),
    )
    exceeded = []
    for months, limit in limits:
        exposure = f.exposure(months)
        if exposure.total_mg > limit:
            exceeded.append((exposure, limit))
    if not exceeded:
        return None
    text = "; ".join(f"{e.total_mg:.0f} mg MPDE in {e.months} months (limit {limit:g} mg)" for e, limit in exceeded)
    doses = exceeded[-1][0].doses
    evidence = tuple(Evidence(day, f"{dose.drug} {dose.dose_mg:g} mg", where) for day, where, dose in doses)
    equivalence = tuple(sorted({MPDE_SOURCES[dose.drug] for _, _, dose in doses}))
    return FlagResult(
        "warning",
        f"cumulative corticosteroid exposure: {text}. The limits were stated for "
        "postmenopausal women; review before further steroid injections.",
        evidence,
        equivalence,
    )


INJECTION_FIRST_LINE: CriterionRule[Facts] = CriterionRule(
    id="therapeutic-injection-first-line",
    title="Inflammatory sacroiliitis or acute irritation (therapeutic injection first)",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "icd10cm-exclusion-codes"),
    thresholds=("max_acute_pain_weeks",),
    check=injection_first_line,
    role="supporting",
)
INJECTION_RELIEF_LASTING: CriterionRule[Facts] = CriterionRule(
    id="injection-relief-lasting",
    title="Latest therapeutic injection gave lasting relief",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    thresholds=("min_lasting_injection_relief_percent", "min_lasting_injection_relief_months"),
    check=injection_relief_lasting,
)
RFA_CANDIDATE: CriterionRule[Facts] = CriterionRule(
    id="rfa-candidate",
    title="Radiofrequency ablation candidate (confirmed joint, injections failed)",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, "cohen-2008-rfa"),
    thresholds=(
        "min_block_relief_percent",
        "min_lasting_injection_relief_percent",
        "min_lasting_injection_relief_months",
    ),
    check=rfa_candidate,
)
DIMINISHING_RELIEF_FLAG: FlagRule[Facts] = FlagRule(
    id="diminishing-relief",
    title="Injection relief keeps shortening",
    code="diminishing-injection-relief",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    thresholds=("min_injections_for_shortening_trend_count",),
    check=diminishing_relief,
)
INJECTION_FREQUENCY_FLAG: FlagRule[Facts] = FlagRule(
    id="injection-frequency",
    title="Injections needed too often",
    code="injection-frequency-exceeded",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    thresholds=("steroid_concern_injection_interval_weeks",),
    check=injection_frequency,
)
CUMULATIVE_STEROID_FLAG: FlagRule[Facts] = FlagRule(
    id="cumulative-steroid",
    title="Cumulative corticosteroid exposure",
    code="cumulative-steroid-exposure",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "brown-beresford-2022"),
    thresholds=("max_steroid_mpde_mg_per_12_months", "max_steroid_mpde_mg_per_36_months"),
    check=cumulative_steroid,
)
