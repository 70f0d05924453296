"""Fusion candidacy: conservative care, contraindications, and the injection pattern of the joint behind it."""

from __future__ import annotations

from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse, SupportiveCareCourse
from sijpath.domain.conservative_care import CareFact, describe_care
from sijpath.domain.injections import relief_trend
from sijpath.domain.procedures import TherapeuticInjection
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.injection_guidance import accepted_guidance
from sijpath.pathway.lateral_branch_steps import rfa_ruled_out
from sijpath.pathway.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH

__all__ = [
    "CARE_COMPONENTS",
    "CARE_DURATION",
    "FREQUENT_INJECTIONS",
    "NO_CONTRAINDICATION",
    "RELIEF_SHORTENING",
    "care_evidence",
]

CARE_HISTORY = "dates of physical therapy, medication courses, injections and ablations"
PT_SETTING = "whether physical therapy was supervised or a home program"
RFA = "radiofrequency-ablation"


def care_evidence(j: JointFacts, fact: CareFact) -> Evidence:
    course = PhysicalTherapyCourse | MedicationCourse | SupportiveCareCourse
    start = fact.start_date if isinstance(fact, course) else fact.date
    return Evidence(start, describe_care(fact), j.where(fact))


def care_duration(j: JointFacts, o: Outcomes) -> Outcome:
    """Non-surgical care of this joint has gone on for at least the minimum number of months."""
    months = j.t[th.MIN_CONSERVATIVE_CARE_MONTHS]
    care = j.care
    if care.start is None:
        return unknown("no conservative care recorded", [CARE_HISTORY])

    def evidence() -> list[Evidence]:
        # The span rests on two facts: where care began, and its latest activity.
        assert care.first is not None
        assert care.last is not None
        found = [care_evidence(j, care.first)]
        if care.last is not care.first:
            found.append(care_evidence(j, care.last))
        return found

    def span() -> str:
        return f"{care.months:.1f} months of conservative care ({care.start} → {care.latest})"

    if care.lasted(months):
        return met(span, evidence)
    # An open-ended course never confirmed since its start counts for that day only: whether it went on is unknown,
    # so the shortfall may be the record's, not the patient's.
    if care.unconfirmed:
        return unknown(
            lambda: f"{span()}; open-ended course(s) never confirmed as ongoing count for their start day only",
            care.unconfirmed_questions(),
            evidence,
        )
    return not_met(lambda: f"{span()}; reaches {months} months on {care.reaches(months)}", evidence)


def care_components(j: JointFacts, o: Outcomes) -> Outcome:
    """Conservative care of this joint included every component the rule set requires."""
    needed = j.t[th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS]
    care = j.care
    if care.start is None:
        return unknown("no conservative care recorded", [CARE_HISTORY])
    components = care.components
    ruled_out = rfa_ruled_out(j, o) if "radiofrequency-ablation" in needed else None
    absent = [c.replace("-", " ") for c in needed if c not in components and not (ruled_out and c == RFA)]
    therapy = components.get("physical-therapy", [])
    setting_unknown = False
    supervised_required = j.t.get(th.SUPERVISED_PHYSICAL_THERAPY_REQUIRED_FLAG)
    if therapy and supervised_required:
        settings = {getattr(c, "setting", None) for c in therapy}
        if "supervised" not in settings:
            if None in settings:
                setting_unknown = True  # a course of unrecorded setting may have been supervised: not met nor met
            else:
                absent.append("supervised physical therapy (only a home program is recorded)")
    series = j.t[th.MIN_INJECTIONS_BEFORE_FUSION_COUNT]
    # The injection trial the policies ask for is an image-guided injection with the guidance the rule set accepts
    # (the Medicare injections LCD: fluoroscopy or CT): one given without it is not the trial, and one whose
    # guidance is not recorded is not known to be.
    given = components.get("therapeutic-injection", [])
    injected = [i for i in given if isinstance(i, TherapeuticInjection)]
    accepted = set(j.t[th.ACCEPTED_BLOCK_GUIDANCE_MODALITIES])
    guided = [i for i in injected if i.guidance is not None and accepted_guidance(i.guidance, accepted)]
    unrecorded = [i for i in injected if i.guidance is None]
    injections = len(guided)
    guidance_unknown = False
    if "therapeutic-injection" in needed and injected and injections < series and unrecorded:
        guidance_unknown = True  # the unrecorded ones may make up the series: neither met nor not met
    elif "therapeutic-injection" in needed and injected and injections == 0:
        needs = " or ".join(sorted(accepted))
        absent.append(f"an image-guided therapeutic injection ({needs}; none of those recorded was)")
    elif "therapeutic-injection" in needed and 0 < injections < series:
        absent.append(f"a series of image-guided therapeutic injections ({injections} of at least {series})")

    def evidence() -> list[Evidence]:
        # One fact shows each component was tried: the first of its kind.
        return [care_evidence(j, components[c][0]) for c in needed if c in components]

    if absent:
        # Care before the current period (ended by a long pause) does not count, but it was tried: say so.
        earlier = care.start is not None and any(
            c.start_date < care.start
            for c in (*j.episode.physical_therapy, *j.episode.medications, *j.episode.supportive_care)
        )
        where = f"not tried in the current period of care (since {care.start})" if earlier else "not yet tried"
        return not_met(lambda: f"{where}: {', '.join(absent)}", evidence)
    if setting_unknown:
        return unknown("physical therapy recorded, but not whether it was supervised", [PT_SETTING], evidence)
    if guidance_unknown:
        return unknown(
            lambda: (
                f"{injections} image-guided therapeutic injection(s) of at least {series}; the guidance of "
                f"{len(unrecorded)} other(s) is not recorded"
            ),
            [f"whether the therapeutic injection of {i.date} was image-guided (fluoroscopy or CT)" for i in unrecorded],
            evidence,
        )

    tried = ", ".join(c.replace("-", " ") for c in needed if c != RFA or c in components)
    return met(lambda: f"tried: {tried}" + (f"; {ruled_out}" if ruled_out and RFA not in components else ""), evidence)


def no_contraindication(j: JointFacts, o: Outcomes) -> Outcome:
    """No active condition argues against fusion, after a documented review. An active one is an exclusion to work
    up, not data to record: the outcome names it and its work-up."""
    hits = j.patient.standing_in_the_way("fusion")
    if hits:
        work_ups = [f"{h.describe()} ({h.value_set.work_up[:1].lower()}{h.value_set.work_up[1:]})" for h in hits]
        return not_met("an active exclusion of fusion: " + "; ".join(work_ups), j.patient.contraindications)
    reviewed = j.episode.contraindications_reviewed_on
    months = j.t[th.MAX_CONTRAINDICATION_REVIEW_AGE_MONTHS]
    if reviewed is not None and add_months(reviewed, months) < j.as_of:
        return unknown(
            f"the review for contraindications ({reviewed}) is more than {months} months old",
            [f"a repeat review for conditions that argue against fusion (within {months} months)"],
            [Evidence(reviewed, "contraindication review: none found", "contraindications_reviewed_on")],
        )
    if reviewed is not None:
        return met(
            f"record reviewed for contraindications on {reviewed}: none found",
            [Evidence(reviewed, "contraindication review: none found", "contraindications_reviewed_on")],
        )
    return unknown(
        "no documented review for conditions that argue against fusion",
        [
            "a documented review for generalized pain disorder (e.g. fibromyalgia), infection, tumor and "
            "inflammatory arthropathy (contraindications_reviewed_on)"
        ],
    )


def relief_shortening(j: JointFacts, o: Outcomes) -> Outcome:
    """Relief after successive injections of this joint keeps getting shorter (supports fusion)."""
    count = j.t[th.MIN_INJECTIONS_FOR_SHORTENING_TREND_COUNT]
    trend, used = relief_trend(j.injections, count)

    def evidence() -> list[Evidence]:
        return [j.injection_evidence(r) for r in used]

    if trend == "shortening":
        return met(
            lambda: (
                "relief keeps shortening: "
                + " → ".join(f"{r.relief_days / 7:.0f}" for r in used if r.relief_days is not None)
                + " weeks"
            ),
            evidence,
        )
    if trend == "not-shortening":
        return not_met(f"relief over the last {count} injections is not consistently shortening", evidence)
    return unknown(
        lambda: f"relief duration known for {len(used)} of the {count} injections needed to see a trend",
        [f"relief duration after at least {count} therapeutic injections of this joint"],
        evidence,
    )


def frequent_injections(j: JointFacts, o: Outcomes) -> Outcome:
    """Injections of this joint are needed every few months to keep basic function (supports fusion)."""
    months = j.t[th.FUSION_SUPPORT_INJECTION_INTERVAL_MONTHS]
    intervals = j.injection_intervals
    if not intervals:
        return unknown("fewer than two injections of this joint", ["dates of repeated therapeutic injections"])
    latest = intervals[-1]

    def evidence() -> list[Evidence]:
        # The pattern is about how often injections are needed now: show the most recent gaps.
        return [
            Evidence(i.later.date, i.describe(), j.where(i.later, "therapeutic_injections")) for i in intervals[-3:]
        ]

    if add_months(latest.earlier.date, months) >= latest.later.date:
        return met(
            lambda: f"latest injections {latest.days / 7:.0f} weeks apart (every {months} months or less)", evidence
        )
    return not_met(lambda: f"latest injections {latest.days / 7:.0f} weeks apart (more than {months} months)", evidence)


CARE_DURATION = Criterion[JointFacts](
    id="conservative-care-duration",
    title="Enough months of non-surgical care",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    check=care_duration,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="documentation of continuous non-surgical care for the required months",
    reads=(th.MIN_CONSERVATIVE_CARE_MONTHS, th.MAX_CONSERVATIVE_CARE_GAP_MONTHS),
)


CARE_COMPONENTS = Criterion[JointFacts](
    id="conservative-care-components",
    title="Non-surgical care included each required component",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    check=care_components,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="records of each required component of non-surgical care",
    reads=(
        th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS,
        th.MIN_INJECTIONS_BEFORE_FUSION_COUNT,
        th.MAX_CONSERVATIVE_CARE_GAP_MONTHS,
        th.ACCEPTED_BLOCK_GUIDANCE_MODALITIES,
    ),
    optional_reads=(th.SUPERVISED_PHYSICAL_THERAPY_REQUIRED_FLAG,),
)
NO_CONTRAINDICATION = Criterion[JointFacts](
    id="no-fusion-contraindication",
    title="No condition that argues against fusion",
    stage="surgical-candidacy",
    cites=("bcbs-al-mp-555", "evicore-cmm-611", "icd10cm-exclusion-codes"),
    check=no_contraindication,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="none to record: an active exclusion is worked up (its work-up is named), and fusion reconsidered once "
    "it is resolved",
    reads=(th.MAX_CONTRAINDICATION_REVIEW_AGE_MONTHS,),
    optional_reads=(th.FUSION_EXCLUDING_CONDITIONS,),
    shared=True,
    exclusion=True,
)
RELIEF_SHORTENING = Criterion[JointFacts](
    id="injection-relief-shortening",
    title="Injection relief keeps shortening",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    check=relief_shortening,
    required_for=(),
    remedy="relief durations after successive injections that keep getting shorter",
    reads=(th.MIN_INJECTIONS_FOR_SHORTENING_TREND_COUNT,),
    role="supporting",
)
FREQUENT_INJECTIONS = Criterion[JointFacts](
    id="injections-needed-every-few-months",
    title="Injections needed every few months to keep basic function",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    check=frequent_injections,
    required_for=(),
    remedy="dates of injections repeated every few months",
    reads=(th.FUSION_SUPPORT_INJECTION_INTERVAL_MONTHS,),
    role="supporting",
)
