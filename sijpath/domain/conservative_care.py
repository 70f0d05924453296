"""Conservative (non-surgical) care: how long it has gone on and which components it included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from sijpath.domain.episode import Episode
from sijpath.domain.timeline import add_months, months_between

__all__ = ["CareComponent", "ConservativeCare", "conservative_care"]

CareComponent = Literal["physical-therapy", "medication", "therapeutic-injection", "radiofrequency-ablation"]


@dataclass(frozen=True, slots=True)
class ConservativeCare:
    """Non-surgical care from its first start to its latest activity, by component, with dated evidence."""

    start: dt.date | None
    latest: dt.date | None
    components: dict[CareComponent, list[tuple[dt.date, str]]] = field(default_factory=dict)

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


def conservative_care(episode: Episode, as_of: dt.date) -> ConservativeCare:
    """Summarize conservative care up to `as_of` (a course without an end date is ongoing on `as_of`).

    Care before the first fusion only counts: after surgery it is recovery, not conservative care.
    """
    until = min((f.date for f in episode.fusions), default=as_of)
    components: dict[CareComponent, list[tuple[dt.date, str]]] = {}
    starts: list[dt.date] = []
    latest: list[dt.date] = []

    def add(component: CareComponent, start: dt.date, end: dt.date, text: str) -> None:
        if start > until:
            return
        starts.append(start)
        latest.append(min(end, until))
        components.setdefault(component, []).append((start, text))

    for course in episode.physical_therapy:
        end = course.end_date or as_of
        sessions = f", {course.sessions} sessions" if course.sessions is not None else ""
        add(
            "physical-therapy",
            course.start_date,
            end,
            f"PT {course.start_date} → {_end(course.end_date)} ({course.setting}{sessions})",
        )
    for med in episode.medications:
        end = med.end_date or as_of
        mme = f", {med.daily_mme:g} MME/day" if med.daily_mme is not None else ""
        name = med.drug or med.drug_class
        add(
            "medication", med.start_date, end, f"{name} ({med.drug_class}) {med.start_date} → {_end(med.end_date)}{mme}"
        )
    for injection in episode.therapeutic_injections:
        add("therapeutic-injection", injection.date, injection.date, f"therapeutic injection {injection.date}")
    for ablation in episode.radiofrequency_ablations:
        add("radiofrequency-ablation", ablation.date, ablation.date, f"radiofrequency ablation {ablation.date}")
    if not starts:
        return ConservativeCare(None, None, {})
    return ConservativeCare(min(starts), max(latest), components)


def _end(end: dt.date | None) -> str:
    return str(end) if end is not None else "ongoing"
