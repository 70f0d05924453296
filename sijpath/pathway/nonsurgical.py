"""Non-surgical care: injections first for inflammation, whether injection relief lasts, RFA, and injection flags."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.blocks import percent_text
from sijpath.domain.injections import InjectionReading, relief_trend
from sijpath.domain.steroids import MPDE_SOURCES
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence, FlagResult, Outcome, Status, all_of, met, not_met, unknown
from sijpath.engine.rule import Criterion, Flag, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.conditions import ABLATION_LASTED, latest_ablation
from sijpath.pathway.diagnosis import BLOCK_CONFIRMS, PAIN_PRESENTATION
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.injection_function import function_lasting, function_required
from sijpath.pathway.injection_guidance import guided_injections
from sijpath.pathway.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = [
    "CUMULATIVE_STEROID_FLAG",
    "DIMINISHING_RELIEF_FLAG",
    "INJECTION_FIRST_LINE",
    "INJECTION_FREQUENCY_FLAG",
    "INJECTION_RELIEF_LASTING",
    "RFA_CANDIDATE",
    "cumulative_steroid",
    "injection_frequency",
]

INVERSE: dict[Status, Status] = {"met": "not-met", "not-met": "met", "unknown": "unknown"}


def injection_first_line(j: JointFacts, o: Outcomes) -> Outcome:
    """Inflammatory sacroiliitis or acute irritation: a therapeutic injection is the first step."""
    acute_weeks = j.t[th.MAX_ACUTE_PAIN_WEEKS]
    pattern = o[PAIN_PRESENTATION]
    if pattern.status == "not-met":
        return not_met(lambda: f"{pattern.summary}: an SI-joint injection is not the first step", pattern.evidence)
    valid = j.valid_blocks
    if valid and j.block_result(valid[-1]) == "negative":
        # Never a corticosteroid into a joint whose anesthetic block just showed it is not the pain source.
        latest = valid[-1]
        return not_met(
            lambda: f"the latest valid block ({latest.block.date}) {j.block_shortfall(latest)}",
            lambda: [j.block_evidence(latest)],
        )
    inflamed = j.inflammatory_sacroiliitis
    if inflamed:
        return met("inflammatory sacroiliitis: injections work best here", inflamed)
    onset = j.episode.pain.onset_date
    if onset is None:
        return unknown("pain onset date not recorded", ["date the pain began (pain.onset_date)"])
    weeks = (j.as_of - onset).days / 7

    def evidence() -> list[Evidence]:
        return [Evidence(onset, f"pain began {onset}, {weeks:.0f} weeks before the as-of date", "pain.onset_date")]

    if weeks < acute_weeks:
        if pattern.status == "unknown":
            return unknown(
                lambda: f"pain began {weeks:.0f} weeks ago, but its location is not documented",
                pattern.missing,
                evidence,
            )
        return met(
            lambda: (
                f"acute SI-joint irritation: pain below L5 that began {weeks:.0f} weeks ago (under {acute_weeks} weeks)"
            ),
            lambda: evidence() + list(pattern.evidence),
        )
    return not_met(lambda: f"chronic pain for {weeks:.0f} weeks, no inflammatory sacroiliitis recorded", evidence)


def injection_relief_lasting(j: JointFacts, o: Outcomes, latest: InjectionReading | None = None) -> Outcome | None:
    """The latest therapeutic injection of this joint gave meaningful relief that lasted (and, where the rule set
    asks, improved function). `latest` reads another one: RFA candidacy reads the latest image-guided one."""
    if not j.injections:
        return None
    min_percent = j.t[th.MIN_LASTING_INJECTION_RELIEF_PERCENT]
    weeks_needed = j.t.get(th.MIN_LASTING_INJECTION_RELIEF_WEEKS)
    min_months = j.t[th.MIN_LASTING_INJECTION_RELIEF_MONTHS]
    latest = latest if latest is not None else j.injections[-1]
    injected = latest.injection.date
    relief = latest.relief_percent
    if weeks_needed is not None:
        lasting_needed, span = injected + dt.timedelta(weeks=weeks_needed), f"{weeks_needed} weeks"
    else:
        lasting_needed, span = add_months(injected, min_months), f"{min_months} months"

    def evidence() -> list[Evidence]:
        return [j.injection_evidence(latest)]  # the criterion reads the latest injection only

    # Medicare: "pain or functional improvement": function improved for the span meets it, for an unknown span holds.
    open_function = function_lasting(j, latest, lasting_needed, span, evidence)
    if open_function is not None and open_function.status == "met":
        return open_function
    if relief is not None and relief < min_percent:
        return open_function or not_met(
            lambda: f"latest injection ({injected}) gave {percent_text(relief)}% relief, under {min_percent:g}%",
            evidence,
        )
    days = latest.relief_days
    lasted = days is not None and injected + dt.timedelta(days) >= lasting_needed
    # Relief recorded up to the as-of date is still going on: its duration so far is a lower bound.
    ongoing = days is not None and injected + dt.timedelta(days) >= j.as_of
    if days is not None and not latest.relief_days_at_least and not ongoing and not lasted:
        return open_function or not_met(
            # Days, not rounded weeks: 90 days would read "13 weeks", which sounds like 3 months.
            lambda: f"relief after the latest injection ({injected}) lasted {days} days, under {span}",
            evidence,
        )
    if relief is None or days is None:
        return unknown(
            lambda: f"relief after the injection of {injected} not fully recorded",
            [
                f"relief percent and duration after the injection of {injected} (or follow-up pain scores)",
                *(open_function.missing if open_function else ()),
            ],
            evidence,
        )
    if not lasted:
        return unknown(
            lambda: (
                f"relief was still ≥{min_percent:g}% at the last follow-up, {days / 7:.0f} weeks after "
                f"the injection of {injected}"
            ),
            [f"a pain score on or after {lasting_needed} ({span} after the injection)"],
            evidence,
        )
    text = (
        f"latest injection ({injected}) gave {percent_text(relief)}% relief for "
        f"{'at least ' if latest.relief_days_at_least else ''}{days / 7:.0f} weeks"
    )
    if j.t.get(th.INJECTION_FUNCTION_IMPROVEMENT_REQUIRED_FLAG):
        return function_required(j, latest, text, evidence)
    return met(text, evidence)


def rfa_candidate(j: JointFacts, o: Outcomes) -> Outcome:
    """Confirmed joint and image-guided therapeutic injections that did not give lasting relief, or a previous
    ablation of this joint that helped for the lasting-RFA months and wore off (its history is read on its own)."""
    confirmed = o[BLOCK_CONFIRMS]
    if confirmed.status == "met" and ABLATION_LASTED.check(j):
        ablation = latest_ablation(j)
        assert ablation is not None
        assert ablation.relief_duration_days is not None
        assert ablation.relief_percent is not None
        weeks, relief = ablation.relief_duration_days / 7, ablation.relief_percent
        return met(
            lambda: (
                f"SI joint confirmed; the ablation of {ablation.date} gave {percent_text(relief)}% "
                f"relief for {weeks:.0f} weeks, then wore off"
            ),
            lambda: (*confirmed.evidence, Evidence(ablation.date, "radiofrequency ablation", j.where(ablation))),
        )
    lasting, guided = o.get(INJECTION_RELIEF_LASTING), guided_injections(j)
    if lasting is not None and guided.latest is not j.injections[-1]:
        lasting = injection_relief_lasting(j, o, guided.latest) if guided.latest is not None else None
    injections_failed = INVERSE[lasting.status] if lasting else ("unknown" if guided.unrecorded else "not-met")
    combined = all_of((confirmed.status, injections_failed))

    def summary() -> str:
        failed = f"injections failed to give lasting relief: {injections_failed}{guided.note()}"
        return f"SI joint confirmed: {confirmed.status}; {failed}"

    def evidence() -> tuple[Evidence, ...]:
        return confirmed.evidence + (lasting.evidence if lasting else ())

    if combined == "not-met":
        return not_met(summary, evidence)
    if combined == "unknown":
        missing = confirmed.missing + (lasting.missing if lasting else ()) + guided.missing()
        return unknown(summary, missing or ("therapeutic injection history",), evidence)
    return met(
        lambda: summary() + " (a temporary response to the diagnostic block marks the best candidates)", evidence
    )


def diminishing_relief(j: JointFacts, o: Outcomes) -> FlagResult | None:
    """Relief after each injection of this joint shorter than after the one before."""
    count = j.t[th.MIN_INJECTIONS_FOR_SHORTENING_TREND_COUNT]  # fewer injections (most joints): no trend to read
    trend, used = relief_trend(j.injections, count) if len(j.injections) >= count else ("insufficient-data", [])
    if trend != "shortening":
        return None
    weeks = " → ".join(f"{r.relief_days / 7:.0f}" for r in used if r.relief_days is not None)
    return FlagResult(
        "warning",
        f"relief after successive injections keeps shortening ({weeks} weeks): "
        "repeated injections are reaching their limit",
        lambda: [j.injection_evidence(r) for r in used],
    )


def injection_frequency(j: JointFacts, o: Outcomes | None = None) -> FlagResult | None:
    """Injections of this joint in the last 12 months repeated at or under the interval that raises steroid concern."""
    weeks = j.t[th.STEROID_CONCERN_INJECTION_INTERVAL_WEEKS]
    year = j.patient.window(12)
    close = [i for i in j.injection_intervals if i.later.date in year and i.days <= weeks * 7]
    if not close:
        return None
    return FlagResult(
        "warning",
        f"{len(close)} injection interval(s) of {weeks} weeks or less in the last 12 months; "
        "injections needed this often raise concern about cumulative steroid exposure",
        lambda: [Evidence(i.later.date, i.describe(), j.where(i.later, "therapeutic_injections")) for i in close],
    )


def cumulative_steroid(j: JointFacts, o: Outcomes | None = None) -> FlagResult | None:
    """Corticosteroid exposure above the 12- or 36-month limits in methylprednisolone-dose-equivalents."""
    limits = ((12, j.t[th.MAX_STEROID_MPDE_MG_PER_12_MONTHS]), (36, j.t[th.MAX_STEROID_MPDE_MG_PER_36_MONTHS]))
    exceeded = []
    for months, limit in limits:
        exposure = j.patient.exposure(months)
        if exposure.total_mg > limit:
            exceeded.append((exposure, limit))
    if not exceeded:
        return None
    given = exceeded[-1][0].given

    def message() -> str:
        text = "; ".join(f"{e.total_mg:.0f} mg MPDE in {e.months} months (limit {limit:g} mg)" for e, limit in exceeded)
        return (
            f"cumulative corticosteroid exposure: {text}. The limits were stated for postmenopausal women; review "
            "before further steroid injections."
        )

    return FlagResult(
        "warning",
        message,
        lambda: [
            Evidence(day, f"{dose.drug} {dose.dose_mg:g} mg", j.where(fact))
            for day, fact, dose in exceeded[-1][0].doses
        ],
        tuple(sorted({MPDE_SOURCES[dose.drug] for _, _, dose in given})),
    )


INJECTION_FIRST_LINE = Criterion[JointFacts](
    id="therapeutic-injection-first-line",
    title="Inflammatory sacroiliitis or acute irritation (therapeutic injection first)",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "icd10cm-exclusion-codes"),
    check=injection_first_line,
    required_for=(),
    remedy="a diagnosis of inflammatory sacroiliitis, or pain of recent onset below L5",
    reads=(th.MAX_ACUTE_PAIN_WEEKS,),
    uses=(PAIN_PRESENTATION,),
    role="supporting",
)
INJECTION_RELIEF_LASTING = Criterion[JointFacts](
    id="injection-relief-lasting",
    title="Latest therapeutic injection gave lasting relief",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    check=injection_relief_lasting,
    required_for=(Gate(v.RADIOFREQUENCY_ABLATION, "not-met"), Gate(v.FUSION_EVALUATION, "not-met")),
    remedy="documentation that therapeutic injections of this joint no longer give lasting relief",
    reads=(th.MIN_LASTING_INJECTION_RELIEF_PERCENT, th.MIN_LASTING_INJECTION_RELIEF_MONTHS),
    optional_reads=(
        th.MIN_LASTING_INJECTION_RELIEF_WEEKS,
        th.INJECTION_FUNCTION_IMPROVEMENT_REQUIRED_FLAG,
        th.INJECTION_FUNCTION_IMPROVEMENT_COUNTS_FLAG,
    ),
)
RFA_CANDIDATE = Criterion[JointFacts](
    id="rfa-candidate",
    title="Radiofrequency ablation candidate (confirmed joint, injections failed)",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, "cohen-2008-rfa"),
    check=rfa_candidate,
    required_for=(Gate(v.RADIOFREQUENCY_ABLATION),),
    remedy="a confirmed SI joint and therapeutic injections that failed to give lasting relief",
    reads=(
        th.MIN_BLOCK_RELIEF_PERCENT,
        th.MIN_LASTING_INJECTION_RELIEF_PERCENT,
        th.MIN_LASTING_INJECTION_RELIEF_MONTHS,
    ),
    uses=(BLOCK_CONFIRMS, INJECTION_RELIEF_LASTING),
)
DIMINISHING_RELIEF_FLAG = Flag[JointFacts](
    id="diminishing-relief",
    title="Injection relief keeps shortening",
    code="diminishing-injection-relief",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    check=diminishing_relief,
    reads=(th.MIN_INJECTIONS_FOR_SHORTENING_TREND_COUNT,),
)
INJECTION_FREQUENCY_FLAG = Flag[JointFacts](
    id="injection-frequency",
    title="Injections needed too often",
    code="injection-frequency-exceeded",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    check=injection_frequency,
    reads=(th.STEROID_CONCERN_INJECTION_INTERVAL_WEEKS,),
)
CUMULATIVE_STEROID_FLAG = Flag[JointFacts](
    id="cumulative-steroid",
    title="Cumulative corticosteroid exposure",
    code="cumulative-steroid-exposure",
    stage="non-surgical-care",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH, "brown-beresford-2022"),
    check=cumulative_steroid,
    reads=(th.MAX_STEROID_MPDE_MG_PER_12_MONTHS, th.MAX_STEROID_MPDE_MG_PER_36_MONTHS),
    shared=True,
)
