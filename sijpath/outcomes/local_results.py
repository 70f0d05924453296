"""This clinic's own results where a procedure is chosen: RFA responders and their durability, fusion improvement and
bridging, RFA followed by fusion, each with N and a Wilson interval, hidden below a minimum N (sijpath's reading).

The figures are computed here from the registry and handed as values to the decision aid (through wiring) and the
web app; they sit beside the cited evidence and never replace it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from sijpath.outcomes.intervals import Estimate, wilson_interval
from sijpath.outcomes.published import PublishedResult
from sijpath.outcomes.report import FollowedProcedure, gather_follow_ups
from sijpath.outcomes.responders import THRESHOLDS, classify
from sijpath.store.outcomes import COHORT_COLUMNS, cohort_rows, procedure_index

__all__ = [
    "MINIMUM_N",
    "MINIMUM_N_SOURCE",
    "PUBLISHED_BESIDE",
    "STEP_OPTIONS",
    "LocalFigure",
    "LocalResults",
    "at_decision",
    "compute_local_results",
    "local_results",
]

MINIMUM_N = 20  # sijpath's own reading: no source states a minimum
MINIMUM_N_SOURCE = "sijpath-local-results-minimum"
CONVERSION_DAYS = 365  # RFA followed by fusion of the same joint within a year (the RFA schedule's last time point)

_THRESHOLD = {t.id: t for t in THRESHOLDS}
_NRS = _THRESHOLD["nrs-back-ostelo-mic"]
_ODI = _THRESHOLD["odi-insite-clinical"]
_COLUMN = {name: i for i, name in enumerate(COHORT_COLUMNS)}


@dataclass(frozen=True, slots=True)
class LocalFigure:
    """One of this clinic's results: a share with its N and 95% Wilson interval."""

    key: str
    option: str  # the decision-aid option it sits beside: rfa or fusion
    label: str  # for staff
    topic: str  # for the patient, what the figure is about (said when it is hidden)
    plain: str  # for the patient, a sentence with {n}: how many out of 100
    estimate: Estimate
    sources: tuple[str, ...]  # the threshold's source, where the figure applies one

    @property
    def shown(self) -> bool:
        return self.estimate.n >= MINIMUM_N and self.estimate.value is not None


@dataclass(frozen=True, slots=True)
class LocalResults:
    as_of: dt.date
    synthetic: bool  # the registry holds generated patients: every display says so
    figures: tuple[LocalFigure, ...]
    minimum_n: int = MINIMUM_N
    minimum_source: str = MINIMUM_N_SOURCE

    def for_option(self, option: str) -> tuple[LocalFigure, ...]:
        return tuple(f for f in self.figures if f.option == option)


def _improved(followed: Iterable[FollowedProcedure], code: str, column: str, threshold: Any) -> dict[int, bool]:
    """Per procedure (by position) measured at `code` with a baseline: did it improve past the threshold?"""
    index = _COLUMN[column]
    pairs = [
        (i, (f.baseline[index] if f.baseline else None, f.visits[code][index]))
        for i, f in enumerate(followed)
        if code in f.visits
    ]
    verdicts = classify(threshold, [pair for _, pair in pairs])
    return {i: v for (i, _), v in zip(pairs, verdicts, strict=True) if v is not None}


def _share(verdicts: Iterable[bool]) -> Estimate:
    known = list(verdicts)
    return wilson_interval(sum(known), len(known))


def _conversion(procedures: Sequence[Sequence[Any]], as_of: dt.date) -> Estimate:
    """RFAs done at least a year before `as_of`: the share followed by a fusion of the same joint within the year."""
    fusions: dict[tuple[str, str], list[dt.date]] = {}
    for _, patient, joint, procedure, day in procedures:
        if procedure == "fusion" and day <= as_of:
            fusions.setdefault((patient, joint), []).append(day)
    horizon = as_of - dt.timedelta(days=CONVERSION_DAYS)
    converted = [
        any(0 < (f - day).days <= CONVERSION_DAYS for f in fusions.get((patient, joint), ()))
        for _, patient, joint, procedure, day in procedures
        if procedure == "rfa" and day <= horizon
    ]
    return _share(converted)


def compute_local_results(
    rows: Iterable[Sequence[Any]], procedures: Sequence[Sequence[Any]], as_of: dt.date
) -> LocalResults:
    """The figures from cohort rows (store.outcomes.cohort_rows) and the procedure index, as of a day: pure."""
    followed, synthetic = gather_follow_ups(rows, as_of)
    rfa = [f for f in followed.values() if f.procedure == "rfa"]
    fusion = [f for f in followed.values() if f.procedure == "fusion"]
    early = _improved(rfa, "3m", "nrs_back", _NRS)
    late = _improved(rfa, "12m", "nrs_back", _NRS)
    odi = _improved(fusion, "12m", "odi", _ODI)
    ct = _COLUMN["ct_bridging"]
    scans = [f.visits["12m"][ct] for f in fusion if "12m" in f.visits and f.visits["12m"][ct] is not None]
    figures = (
        LocalFigure(
            "rfa-responders-3m",
            "rfa",
            f"RFA: {_NRS.label} at 3 months",
            "Back pain 3 months after RFA",
            "About {n} out of 100 people here had back pain at least 2 points lower 3 months after RFA.",
            _share(early.values()),
            (_NRS.source,),
        ),
        LocalFigure(
            "rfa-durable-12m",
            "rfa",
            f"RFA durability: of the 3-month responders measured at 12 months, still {_NRS.label}",
            "Still helped 12 months after RFA",
            "Of the people here helped at 3 months, about {n} out of 100 were still helped after 12 months.",
            _share(late[i] for i, helped in early.items() if helped and i in late),
            (_NRS.source,),
        ),
        LocalFigure(
            "rfa-to-fusion-12m",
            "rfa",
            f"RFA followed by fusion of the same joint within {CONVERSION_DAYS} days",
            "Fusion within a year after RFA",
            "About {n} out of 100 people here had fusion of the same joint within a year after RFA.",
            _conversion(procedures, as_of),
            (),
        ),
        LocalFigure(
            "fusion-odi-12m",
            "fusion",
            f"Fusion: {_ODI.label} at 12 months",
            "ODI score 12 months after fusion",
            "About {n} out of 100 people here had an ODI score at least 15 points better 12 months after fusion.",
            _share(odi.values()),
            (_ODI.source,),
        ),
        LocalFigure(
            "fusion-bridging-12m",
            "fusion",
            "Fusion: CT bony bridging at 12 months (of those scanned)",
            "Bone grown across the joint 12 months after fusion",
            "Of the people here with a scan 12 months after fusion, about {n} out of 100 had bone grown across"
            " the joint.",
            _share(s == "bridged" for s in scans if s in ("bridged", "not-bridged", "indeterminate")),
            (),
        ),
    )
    return LocalResults(as_of, synthetic, figures)


def local_results(connection: Connection, as_of: dt.date) -> LocalResults:
    """The figures over the whole registry as of a day."""
    return compute_local_results(cohort_rows(connection), procedure_index(connection), as_of)


# The published measures each figure is shown beside (sijpath.outcomes.published); a different population, and
# for RFA a different responder definition (≥50% relief), which the display names.
PUBLISHED_BESIDE = {
    "rfa-responders-3m": ("relief-50",),
    "rfa-durable-12m": ("relief-50",),
    "fusion-odi-12m": ("responder:odi-insite-clinical",),
    "fusion-bridging-12m": ("bridging",),
}
# Where the decision is made: the options whose figures stand beside a joint's next step, that step's option first.
STEP_OPTIONS = {"radiofrequency-ablation": ("rfa", "fusion"), "fusion-evaluation": ("fusion", "rfa")}


def at_decision(
    local: LocalResults | None, step: str, published: Iterable[PublishedResult]
) -> list[tuple[LocalFigure, tuple[PublishedResult, ...]]]:
    """The figures beside a next step, each with the published results of its measure (none for other steps, or
    when no procedure of the step's options has been followed up)."""
    if local is None:
        return []
    figures = [f for option in STEP_OPTIONS.get(step, ()) for f in local.for_option(option)]
    if all(f.estimate.n == 0 for f in figures):
        return []
    results = tuple(published)
    return [
        (f, tuple(r for r in results if r.procedure == f.option and r.measure in PUBLISHED_BESIDE.get(f.key, ())))
        for f in figures
    ]
