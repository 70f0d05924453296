"""The cohort report: per procedure and time point, N, mean change, responder and event shares with 95% intervals,
follow-up missing, and the published results beside them (a different population, always said so)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sijpath.outcomes.intervals import Estimate, mean_interval, wilson_interval
from sijpath.outcomes.published import PublishedResult
from sijpath.outcomes.responders import THRESHOLDS, ResponderThreshold, is_responder
from sijpath.outcomes.schedule import PROCEDURES, SCHEDULES, TimePoint
from sijpath.store.outcomes import COHORT_COLUMNS

__all__ = ["CohortReport", "ProcedureSummary", "TimePointSummary", "build_report"]

# Thresholds the report classifies by; each row of the report names its threshold's source.
REPORTED_THRESHOLDS = tuple(
    t for t in THRESHOLDS if t.id in ("odi-insite-clinical", "odi-insite-scb", "nrs-back-ostelo-mic")
)
_COLUMN = {name: i for i, name in enumerate(COHORT_COLUMNS)}
_DAY, _ODI, _NRS_BACK = _COLUMN["day"], _COLUMN["odi"], _COLUMN["nrs_back"]
_OPIOID, _CT, _COMPLICATION, _REVISION = (_COLUMN[c] for c in ("opioid_use", "ct_bridging", "complication", "revision"))


@dataclass(frozen=True, slots=True)
class TimePointSummary:
    time_point: TimePoint
    expected: int  # procedures whose window has closed by the report date
    measured: int  # procedures with an entry in the window (closed or still open)
    missing: int  # expected but never measured: lost to follow-up at this time point
    odi_change: Estimate
    nrs_back_change: Estimate
    responders: tuple[tuple[ResponderThreshold, int, Estimate], ...]  # threshold, unknown count, share
    opioid_use: Estimate
    bridging: Estimate
    published: tuple[PublishedResult, ...]


@dataclass(frozen=True, slots=True)
class ProcedureSummary:
    procedure: str
    procedures: int
    with_baseline: int
    complications: Estimate  # share of procedures with at least one complication recorded
    revisions: Estimate
    time_points: tuple[TimePointSummary, ...]
    published_elsewhere: tuple[PublishedResult, ...]  # published at time points outside this schedule


@dataclass(frozen=True, slots=True)
class CohortReport:
    as_of: dt.date
    filters: dict[str, str]
    synthetic: bool
    procedures: tuple[ProcedureSummary, ...]
    sources: dict[str, str] = field(default_factory=dict)  # source id → citation label (UNVERIFIED spelled out)


# Measured at a visit: each column is taken from the entry in the window nearest the target day that has it, so a
# measure entered on its own (a phoned-in NRS, the ODI on paper a week earlier) is never dropped for another entry.
_MEASURED = tuple(_COLUMN[c] for c in ("nrs_back", "nrs_leg", "odi", "eq5d_index", "opioid_use", "ct_bridging"))
_FAR = 1 << 30


@dataclass(slots=True)
class _Followed:
    """One procedure's baseline and visits as plain lists indexed like a cohort row (100,000 rows stay cheap)."""

    procedure: str
    performed_on: dt.date
    baseline: list[Any] | None = None
    visits: dict[str, list[Any]] = field(default_factory=dict)
    # per time point and column: how near the target day the kept value was (see _nearness)
    nearness: dict[str, list[int]] = field(default_factory=dict)
    complication: bool = False
    revision: bool = False


def _nearness(day: int, target: int) -> int:
    """Smaller is nearer; equally near, the earlier day wins, whatever order the rows came in."""
    return 2 * abs(day - target) + (day > target)


def _gather(rows: Iterable[Sequence[Any]]) -> tuple[dict[int, _Followed], bool]:
    """One record per procedure: for the baseline and each time point, each measure nearest the target day."""
    followed: dict[int, _Followed] = {}
    synthetic = False
    windows = {p: [(t.opens_day, t.closes_day, t.target_day, t.code) for t in SCHEDULES[p]] for p in PROCEDURES}
    width = len(COHORT_COLUMNS)
    for row in rows:
        pid, procedure, performed_on, is_synthetic, day = row[0], row[1], row[2], row[3], row[_DAY]
        f = followed.get(pid)
        if f is None:
            f = followed[pid] = _Followed(procedure, performed_on)
            synthetic = synthetic or bool(is_synthetic)
        if day is None:
            continue  # a procedure with no entries yet
        f.complication = f.complication or row[_COMPLICATION] is not None
        f.revision = f.revision or bool(row[_REVISION])
        for opens, closes, target, code in windows[procedure]:
            if opens <= day <= closes:
                values = f.visits.get(code)
                if values is None:
                    values = f.visits[code] = [None] * width
                    f.nearness[code] = [_FAR] * width
                    if code == "baseline":
                        f.baseline = values
                near, key = f.nearness[code], _nearness(day, target)
                for column in _MEASURED:
                    value = row[column]
                    if value is not None and key < near[column]:
                        values[column], near[column] = value, key
                break
    return followed, synthetic


def _change(group: list[_Followed], code: str, column: int) -> Estimate:
    return mean_interval(
        [
            f.visits[code][column] - f.baseline[column]
            for f in group
            if f.baseline is not None and f.baseline[column] is not None and f.visits[code][column] is not None
        ]
    )


def _summarise_time_point(
    group: list[_Followed], t: TimePoint, as_of: dt.date, published: list[PublishedResult], procedure: str
) -> TimePointSummary:
    expected = [f for f in group if (as_of - f.performed_on).days > t.closes_day]
    visited = [f for f in group if t.code in f.visits]
    responders = []
    for threshold in REPORTED_THRESHOLDS:
        column = _COLUMN[threshold.instrument]
        verdicts = [
            is_responder(threshold, f.baseline[column] if f.baseline else None, f.visits[t.code][column])
            for f in visited
        ]
        known = [v for v in verdicts if v is not None]
        responders.append((threshold, len(verdicts) - len(known), wilson_interval(sum(known), len(known))))
    opioids = [f.visits[t.code][_OPIOID] for f in visited if f.visits[t.code][_OPIOID] is not None]
    scans = [
        f.visits[t.code][_CT] for f in visited if f.visits[t.code][_CT] in ("bridged", "not-bridged", "indeterminate")
    ]
    return TimePointSummary(
        time_point=t,
        expected=len(expected),
        measured=len(visited),
        missing=sum(1 for f in expected if t.code not in f.visits),
        odi_change=_change(visited, t.code, _ODI),
        nrs_back_change=_change(visited, t.code, _NRS_BACK),
        responders=tuple(responders),
        opioid_use=wilson_interval(sum(1 for o in opioids if o), len(opioids)),
        bridging=wilson_interval(sum(1 for s in scans if s == "bridged"), len(scans)),
        published=tuple(r for r in published if r.procedure == procedure and r.time_point == t.code),
    )


def build_report(
    rows: Iterable[Sequence[Any]],
    as_of: dt.date,
    published: Sequence[PublishedResult],
    *,
    filters: dict[str, str] | None = None,
    sources: dict[str, str] | None = None,
) -> CohortReport:
    """The report over cohort rows (store.outcomes.cohort_rows): a pure computation, the same rows give the same
    report."""
    followed, synthetic = _gather(rows)
    summaries = []
    for procedure in PROCEDURES:
        group = [f for f in followed.values() if f.procedure == procedure]
        if not group:
            continue
        schedule = [t for t in SCHEDULES[procedure] if t.code != "baseline"]
        codes = {t.code for t in schedule}
        summaries.append(
            ProcedureSummary(
                procedure=procedure,
                procedures=len(group),
                with_baseline=sum(1 for f in group if f.baseline is not None),
                complications=wilson_interval(sum(f.complication for f in group), len(group)),
                revisions=wilson_interval(sum(f.revision for f in group), len(group)),
                time_points=tuple(_summarise_time_point(group, t, as_of, list(published), procedure) for t in schedule),
                published_elsewhere=tuple(
                    r for r in published if r.procedure == procedure and r.time_point not in codes
                ),
            )
        )
    return CohortReport(as_of, dict(filters or {}), synthetic, tuple(summaries), dict(sources or {}))
