"""Fusion candidacy: conservative care, imaging, function, contraindications, and the injection pattern behind it."""

from __future__ import annotations

from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse
from sijpath.domain.conservative_care import CareFact, describe_care
from sijpath.domain.injections import relief_trend
from sijpath.domain.timeline import add_months
from sijpath.engine.results import Evidence, FlagResult, Outcome, met, not_met, unknown
from sijpath.engine.rule import CriterionRule, FlagRule
from sijpath.rules.facts import Facts
from sijpath.rules.sources import ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH
from sijpath.rules.thresholds import required

__all__ = [
    "CARE_COMPONENTS",
    "CARE_DURATION",
    "CONTRAINDICATION_FLAG",
    "FREQUENT_INJECTIONS",
    "NO_CONTRAINDICATION",
    "RELIEF_SHORTENING",
]

CARE_HISTORY = "dates of physical therapy, medication courses, injections and ablations"
PT_SETTING = "whether physical therapy was supervised or a home program"


def care_evidence(f: Facts, fact: CareFact) -> Evidence:
    start = fact.start_date if isinstance(fact, PhysicalTherapyCourse | MedicationCourse) else fact.date
    return Evidence(start, describe_care(fact), f.locate(fact))


def care_duration(f: Facts) -> Outcome:
    """Non-surgical care has gone on for at least the minimum number of months."""
    months = required(f.t.min_conservative_care_months, "min_conservative_care_months")
    care = f.care
    if care.start is None:
        return unknown("no conservative care recorded", [CARE_HISTORY])
    assert care.first is not None
    assert care.last is not None
    # The span rests on two facts: where care began, and its latest activity.
    evidence = [care_evidence(f, care.first)]
    if care.last is not care.first:
        evidence.append(care_evidence(f, care.last))
    span = f"{care.months:.1f} months of conservative care ({care.start} → {care.latest})"
    if care.lasted(months):
        return met(span, evidence)
    return not_met(f"{span}; reaches {months} months on {care.reaches(months)}", evidence)


def care_components(f: Facts) -> Outcome:
    """Conservative care included every component the rule set requires."""
    needed = required(f.t.required_conservative_care_components, "required_conservative_care_components")
    care = f.care
    if care.start is None:
        return unknown("no conservative care recorded", [CARE_HISTORY])
    absent = [c.replace("-", " ") for c in needed if c not in care.components]
    therapy = care.components.get("physical-therapy", [])
    settings = {getattr(c, "setting", None) for c in therapy}
    setting_unknown = False
    if f.t.supervised_physical_therapy_required_flag and therapy and "supervised" not in settings:
        if None in settings:
            setting_unknown = True  # a course of unrecorded setting may have been supervised: not met nor met
        else:
            absent.append("supervised physical therapy (only a home program is recorded)")
    series = required(f.t.min_injections_before_fusion_count, "min_injections_before_fusion_count")
    injections = len(care.components.get("therapeutic-injection", []))
    if "therapeutic-injection" in needed and 0 < injections < series:
        absent.append(f"a series of therapeutic injections ({injections} of at least {series})")
    # One fact shows each component was tried: the first of its kind.
    evidence = [care_evidence(f, care.components[c][0]) for c in needed if c in care.components]
    if absent:
        return not_met(f"not yet tried: {', '.join(absent)}", evidence)
    if setting_unknown:
        return unknown("physical therapy recorded, but not whether it was supervised", [PT_SETTING], evidence=evidence)
    return met(f"tried: {', '.join(c.replace('-', ' ') for c in needed)}", evidence)


def no_contraindication(f: Facts) -> Outcome:
    """No active condition argues against fusion, after a documented review."""
    found = f.contraindications
    if found:
        return not_met("argues against fusion: " + "; ".join(e.fact for e in found), found)
    reviewed = f.episode.contraindications_reviewed_on
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


def relief_shortening(f: Facts) -> Outcome:
    """Relief after successive injections keeps getting shorter (supports fusion)."""
    count = required(f.t.min_injections_for_shortening_trend_count, "min_injections_for_shortening_trend_count")
    trend, used = relief_trend(f.latest_joint_injections, count)
    evidence = [f.injection_evidence(r) for r in used]
    if trend == "shortening":
        return met(
            "relief keeps shortening: "
            + " → ".join(f"{r.relief_days / 7:.0f}" for r in used if r.relief_days is not None)
            + " weeks",
            evidence,
        )
    if trend == "not-shortening":
        return not_met(f"relief over the last {count} injections is not consistently shortening", evidence)
    return unknown(
        f"relief duration known for {len(used)} of the {count} injections needed to see a trend",
        [f"relief duration after at least {count} therapeutic injections"],
        evidence,
    )


def frequent_injections(f: Facts) -> Outcome:
    """Injections are needed every few months to keep basic function (supports fusion)."""
    months = required(f.t.fusion_support_injection_interval_months, "fusion_support_injection_interval_months")
    intervals = f.injection_intervals
    if not intervals:
        return unknown("fewer than two injections of the same joint", ["dates of repeated therapeutic injections"])
    latest = intervals[-1]
    # The pattern is about how often injections are needed now: show the most recent gaps.
    evidence = [Evidence(i.later.date, i.describe(), f.locate(i.later)) for i in intervals[-3:]]
    if add_months(latest.earlier.date, months) >= latest.later.date:
        return met(f"latest injections {latest.days / 7:.0f} weeks apart (every {months} months or less)", evidence)
    return not_met(f"latest injections {latest.days / 7:.0f} weeks apart (more than {months} months)", evidence)


def contraindication_flag(f: Facts) -> FlagResult | None:
    if not f.contraindications:
        return None
    return FlagResult(
        "critical",
        "conditions that argue against SI-joint fusion: " + "; ".join(e.fact for e in f.contraindications),
        tuple(f.contraindications),
    )


CARE_DURATION: CriterionRule[Facts] = CriterionRule(
    id="conservative-care-duration",
    title="Enough months of non-surgical care",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    thresholds=("min_conservative_care_months", "max_conservative_care_gap_months"),
    check=care_duration,
)
CARE_COMPONENTS: CriterionRule[Facts] = CriterionRule(
    id="conservative-care-components",
    title="Non-surgical care included each required component",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_DONT_WORK, ARTICLE_INJECTIONS_NOT_ENOUGH),
    thresholds=(
        "required_conservative_care_components",
        "min_injections_before_fusion_count",
        "max_conservative_care_gap_months",
    ),
    check=care_components,
    optional_thresholds=("supervised_physical_therapy_required_flag",),
)
NO_CONTRAINDICATION: CriterionRule[Facts] = CriterionRule(
    id="no-fusion-contraindication",
    title="No condition that argues against fusion",
    stage="surgical-candidacy",
    cites=("bcbs-al-mp-555", "evicore-cmm-611", "icd10cm-exclusion-codes"),
    thresholds=(),
    check=no_contraindication,
)
RELIEF_SHORTENING: CriterionRule[Facts] = CriterionRule(
    id="injection-relief-shortening",
    title="Injection relief keeps shortening",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    thresholds=("min_injections_for_shortening_trend_count",),
    check=relief_shortening,
    role="supporting",
)
FREQUENT_INJECTIONS: CriterionRule[Facts] = CriterionRule(
    id="injections-needed-every-few-months",
    title="Injections needed every few months to keep basic function",
    stage="surgical-candidacy",
    cites=(ARTICLE_INJECTIONS_NOT_ENOUGH,),
    thresholds=("fusion_support_injection_interval_months",),
    check=frequent_injections,
    role="supporting",
)
CONTRAINDICATION_FLAG: FlagRule[Facts] = FlagRule(
    id="fusion-contraindication",
    title="Condition that argues against fusion",
    code="fusion-contraindication",
    stage="surgical-candidacy",
    cites=("bcbs-al-mp-555", "evicore-cmm-611", "icd10cm-exclusion-codes"),
    thresholds=(),
    check=contraindication_flag,
)
