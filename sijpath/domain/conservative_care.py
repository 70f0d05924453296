"""Conservative (non-surgical) care: how long it has gone on and which components it included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Literal

from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse, SupportiveCareCourse
from sijpath.domain.procedures import Fusion, RadiofrequencyAblation, TherapeuticInjection
from sijpath.domain.timeline import add_months, months_between

__all__ = ["CareComponent", "CareFact", "ConservativeCare", "JointCare", "conservative_care", "describe_care"]

CareComponent = Literal[
    "physical-therapy",
    "medication",
    "therapeutic-injection",
    "radiofrequency-ablation",
    "bracing",
    "activity-modification",
]
Course = PhysicalTherapyCourse | MedicationCourse | SupportiveCareCourse
CareFact = Course | TherapeuticInjection | RadiofrequencyAblation


@dataclass(frozen=True, slots=True)
class JointCare:
    """The care one joint has had: the patient's therapy and medications, and the procedures on that joint."""

    physical_therapy: tuple[PhysicalTherapyCourse, ...]
    medications: tuple[MedicationCourse, ...]
    injections: tuple[TherapeuticInjection, ...]
    ablations: tuple[RadiofrequencyAblation, ...]
    fusions: tuple[Fusion, ...]
    supportive: tuple[SupportiveCareCourse, ...] = ()
    """Bracing and activity modification, given only where the rule set counts them (its sources list them)."""


@dataclass(frozen=True, slots=True)
class ConservativeCare:
    """Non-surgical care from its first start to its latest activity, with the facts of each component.

    `first` and `last` are the facts that begin the span and carry its latest activity.
    """

    start: dt.date | None
    latest: dt.date | None
    components: dict[CareComponent, list[CareFact]] = field(default_factory=dict)
    first: CareFact | None = None
    last: CareFact | None = None

    @property
    def months(self) -> float:
        if self.start is None or self.latest is None:
            return 0.0
        return months_between(self.start, self.latest)

    def reaches(self, months: int) -> dt.date | None:
        """The date on which care reaches `months` calendar months (None when no care is recorded)."""
        return add_months(self.start, months) if self.start is not None else None

    def lasted(self, months: int) -> bool:
        reached = self.reaches(months)
        return reached is not None and self.latest is not None and self.latest >= reached

    @property
    def unconfirmed(self) -> list[Course]:
        """Open-ended courses never confirmed since their start: they count for that day only, so a shortfall in
        the span may be the record's, not the patient's."""
        return [
            fact
            for facts in self.components.values()
            for fact in facts
            if isinstance(fact, PhysicalTherapyCourse | MedicationCourse | SupportiveCareCourse)
            if fact.end_date is None and fact.last_confirmed is None
        ]

    def unconfirmed_questions(self) -> list[str]:
        """What settles each unconfirmed course: whether it went on, and until when."""
        return [
            f"whether {describe_care(f).split(' → ')[0]} went on, and until when (end date or last confirmed)"
            for f in self.unconfirmed
        ]


def conservative_care(care: JointCare, as_of: dt.date, max_gap_months: int | None = None) -> ConservativeCare:
    """Summarize the current period of one joint's conservative care up to `as_of` (a course without an end counts
    up to its last confirmation).

    Care before the joint's first fusion only counts: after surgery it is recovery, not conservative care. With
    `max_gap_months`, a pause longer than that ends a period, and only the latest period is summarized: care
    from years ago followed by a fresh start is not one long course.
    """
    until = min(as_of, min((f.date for f in care.fusions), default=as_of))
    # (start, end, component, fact), built without per-fact helper calls: this runs for every joint assessed.
    spans: list[tuple[dt.date, dt.date, CareComponent, CareFact]] = []
    for course in care.physical_therapy:
        # A course recorded with no sessions attended shows therapy was not done, whatever its dates.
        if course.start_date <= until and course.sessions != 0:
            ends = course.counted_until
            spans.append((course.start_date, ends if ends < until else until, "physical-therapy", course))
    for medication in care.medications:
        if medication.start_date <= until:
            ends = medication.counted_until
            spans.append((medication.start_date, ends if ends < until else until, "medication", medication))
    for supportive in care.supportive:
        if supportive.start_date <= until:
            ends = supportive.counted_until
            spans.append((supportive.start_date, ends if ends < until else until, supportive.kind, supportive))
    for injection in care.injections:
        if injection.date <= until:
            spans.append((injection.date, injection.date, "therapeutic-injection", injection))
    for ablation in care.ablations:
        if ablation.date <= until:
            spans.append((ablation.date, ablation.date, "radiofrequency-ablation", ablation))
    if not spans:
        return ConservativeCare(None, None, {}, None, None)
    spans.sort(key=itemgetter(0))
    if max_gap_months is not None:
        spans = _latest_period(spans, max_gap_months)
    components: dict[CareComponent, list[CareFact]] = {}
    start, _, _, first = spans[0]  # sorted by start: the first span begins the period
    latest, last = spans[0][1], first
    for _, ends, component, fact in spans:
        found = components.get(component)
        if found is None:
            components[component] = [fact]
        else:
            found.append(fact)
        if ends > latest:
            latest, last = ends, fact
    return ConservativeCare(start, latest, components, first, last)


def _latest_period(
    spans: list[tuple[dt.date, dt.date, CareComponent, CareFact]], max_gap_months: int
) -> list[tuple[dt.date, dt.date, CareComponent, CareFact]]:
    """The spans of the latest period: a span starting more than `max_gap_months` after all care so far ended
    starts a new period."""
    period_start = 0
    covered_until: dt.date | None = None
    for index, (begins, ends, _, _) in enumerate(spans):
        if covered_until is not None and begins > covered_until and begins > add_months(covered_until, max_gap_months):
            period_start = index
            covered_until = None
        covered_until = ends if covered_until is None else max(covered_until, ends)
    return spans[period_start:]


def describe_care(fact: CareFact) -> str:
    """One line for a course or procedure of conservative care."""
    if isinstance(fact, PhysicalTherapyCourse):
        sessions = f", {fact.sessions} sessions" if fact.sessions is not None else ""
        setting = fact.setting or "setting not recorded"
        return f"PT {fact.start_date} → {_until(fact)} ({setting}{sessions})"
    if isinstance(fact, MedicationCourse):
        mme = f", {fact.daily_mme:g} MME/day" if fact.daily_mme is not None else ""
        return f"{fact.drug or fact.drug_class} ({fact.drug_class}) {fact.start_date} → {_until(fact)}{mme}"
    if isinstance(fact, SupportiveCareCourse):
        return f"{fact.kind.replace('-', ' ')} {fact.start_date} → {_until(fact)}"
    if isinstance(fact, TherapeuticInjection):
        return f"therapeutic injection {fact.date} ({fact.side or 'side not recorded'})"
    return f"radiofrequency ablation {fact.date} ({fact.side or 'side not recorded'})"


def _until(course: Course) -> str:
    if course.end_date is not None:
        return str(course.end_date)
    if course.last_confirmed is not None:
        return f"ongoing (last confirmed {course.last_confirmed})"
    return "ongoing (never re-confirmed: counts its start day only)"
