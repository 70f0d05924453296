"""The cohort report: per procedure and time point, N, mean change, responder and event shares with 95% intervals,
follow-up missing, and the published results beside them (a different population, always said so)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sijpath.outcomes.intervals import Estimate, mean_interval, wilson_interval
from sijpath.outcomes.published import PublishedResult
from sijpath.outcomes.responders import THRESHOLDS, ResponderThreshold, classify
from sijpath.outcomes.schedule import PROCEDURES, SCHEDULES, TimePoint
from sijpath.store.outcomes import COHORT_COLUMNS

__all__ = [
    "CohortReport",
    "FollowedProcedure",
    "ProcedureSummary",
    "TimePointSummary",
    "build_report",
    "gather_follow_ups",
]

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
class FollowedProcedure:
    """One procedure's baseline and visits, each a tuple indexed like a cohort row (tuples of plain values are
    not tracked by the garbage collector, which keeps 100,000 of them cheap)."""

    procedure: str
    elapsed: int  # days from the procedure to the report date
    baseline: tuple[Any, ...] | None = None
    visits: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    complication: bool = False
    revision: bool = False


def gather_follow_ups(rows: Iterable[Sequence[Any]], as_of: dt.date) -> tuple[dict[int, FollowedProcedure], bool]:
    """One record per procedure done by `as_of`: for the baseline and each time point, each measure nearest the
    target day. What happened after `as_of` is left out, so a report as of a past date shows the registry as it
    stood then."""
    followed: dict[int, FollowedProcedure] = {}
    synthetic = False
    # Each day of each window to its time point and target: one dict lookup per row instead of a scan of windows.
    windows = {
        p: {d: (t.code, t.target_day) for t in SCHEDULES[p] for d in range(t.opens_day, t.closes_day + 1)}
        for p in PROCEDURES
    }
    # (procedure, time point) → how near the target its one entry was, or per column once a second entry came
    nearness: dict[tuple[int, str], int | list[int]] = {}
    width = len(COHORT_COLUMNS)
    for row in rows:
        pid, procedure, performed_on, is_synthetic, day = row[0], row[1], row[2], row[3], row[_DAY]
        f = followed.get(pid)
        if f is None:
            if performed_on > as_of:
                continue
            f = followed[pid] = FollowedProcedure(procedure, (as_of - performed_on).days)
            synthetic = synthetic or bool(is_synthetic)
        if day is None or day > f.elapsed:
            continue  # a procedure with no entries yet, or an entry after the report date
        f.complication = f.complication or row[_COMPLICATION] is not None
        f.revision = f.revision or bool(row[_REVISION])
        window = windows[procedure].get(day)
        if window is None:
            continue  # between windows: an event counted above, no time point's measurement
        code, target = window
        key = 2 * abs(day - target) + (day > target)  # smaller is nearer; equally near, the earlier day wins
        kept = f.visits.get(code)
        if kept is None:  # the usual case, one entry per window: keep the row whole
            visit = tuple(row)
            nearness[pid, code] = key
        else:  # another entry in the window: column by column
            near = nearness[pid, code]
            if isinstance(near, int):
                near = nearness[pid, code] = [near if kept[c] is not None else _FAR for c in range(width)]
            values = list(kept)
            for column in _MEASURED:
                value = row[column]
                if value is not None and key < near[column]:
                    values[column], near[column] = value, key
            visit = tuple(values)
        f.visits[code] = visit
        if code == "baseline":
            f.baseline = visit
    return followed, synthetic


# Columns compared with baseline: the changes reported and the reported thresholds' instruments.
_COMPARED = tuple(sorted({_ODI, _NRS_BACK} | {_COLUMN[t.instrument] for t in REPORTED_THRESHOLDS}))


def _changes(pairs: list[tuple[Any, Any]]) -> Estimate:
    return mean_interval([after - before for before, after in pairs if before is not None and after is not None])


def _summarise_time_point(
    group: list[tuple[FollowedProcedure, int]], t: TimePoint, published: list[PublishedResult], procedure: str
) -> TimePointSummary:
    """One time point over (procedure, days from it to the report date) pairs."""
    code = t.code
    expected = [f for f, elapsed in group if elapsed > t.closes_day]
    visits = [(f.baseline, f.visits[code]) for f, _ in group if code in f.visits]
    # per compared column: (baseline value or None, follow-up value or None) for each procedure measured here
    compared = {c: [(b[c] if b is not None else None, v[c]) for b, v in visits] for c in _COMPARED}
    responders = []
    for threshold in REPORTED_THRESHOLDS:
        verdicts = classify(threshold, compared[_COLUMN[threshold.instrument]])
        known = [v for v in verdicts if v is not None]
        responders.append((threshold, len(verdicts) - len(known), wilson_interval(sum(known), len(known))))
    opioids = [v[_OPIOID] for _, v in visits if v[_OPIOID] is not None]
    scans = [v[_CT] for _, v in visits if v[_CT] in ("bridged", "not-bridged", "indeterminate")]
    return TimePointSummary(
        time_point=t,
        expected=len(expected),
        measured=len(visits),
        missing=sum(1 for f in expected if code not in f.visits),
        odi_change=_changes(compared[_ODI]),
        nrs_back_change=_changes(compared[_NRS_BACK]),
        responders=tuple(responders),
        opioid_use=wilson_interval(sum(1 for o in opioids if o), len(opioids)),
        bridging=wilson_interval(sum(1 for s in scans if s == "bridged"), len(scans)),
        published=tuple(r for r in published if r.procedure == procedure and r.time_point == code),
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
    followed, synthetic = gather_follow_ups(rows, as_of)
    summaries = []
    for procedure in PROCEDURES:
        group = [f for f in followed.values() if f.procedure == procedure]
        if not group:
            continue
        elapsed = [(f, f.elapsed) for f in group]
        schedule = [t for t in SCHEDULES[procedure] if t.code != "baseline"]
        codes = {t.code for t in schedule}
        summaries.append(
            ProcedureSummary(
                procedure=procedure,
                procedures=len(group),
                with_baseline=sum(1 for f in group if f.baseline is not None),
                complications=wilson_interval(sum(f.complication for f in group), len(group)),
                revisions=wilson_interval(sum(f.revision for f in group), len(group)),
                time_points=tuple(_summarise_time_point(elapsed, t, list(published), procedure) for t in schedule),
                published_elsewhere=tuple(
                    r for r in published if r.procedure == procedure and r.time_point not in codes
                ),
            )
        )
    return CohortReport(as_of, dict(filters or {}), synthetic, tuple(summaries), dict(sources or {}))
