"""Trajectories of the cohort report: pain, ODI and opioid use over time, the cohort beside the published results,
as inline SVG (no JavaScript) and as a text table; a time point without follow-up is drawn and listed as missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sijpath.outcomes.intervals import Estimate
from sijpath.outcomes.report import ProcedureSummary, TimePointSummary

__all__ = ["Trajectory", "months_of", "trajectories", "trajectory_rows", "trajectory_svg"]

_UNITS = {"w": 12 / 52, "m": 1.0, "y": 12.0}


def months_of(code: str) -> float:
    """A time point's code ("6w", "3m", "5y") in months after the procedure."""
    return float(code[:-1]) * _UNITS[code[-1]]


@dataclass(frozen=True, slots=True)
class CohortPoint:
    label: str
    months: float
    estimate: Estimate  # in the trajectory's unit
    measured: int
    missing: int


@dataclass(frozen=True, slots=True)
class PublishedPoint:
    months: float
    value: float
    low: float | None
    high: float | None
    source: str


@dataclass(frozen=True, slots=True)
class Trajectory:
    procedure: str
    title: str
    unit: str
    cohort: tuple[CohortPoint, ...]
    published: tuple[PublishedPoint, ...]


def _scaled(e: Estimate, factor: float) -> Estimate:
    def scale(v: float | None) -> float | None:
        return None if v is None else v * factor

    return Estimate(e.n, scale(e.value), scale(e.low), scale(e.high))


# (title, unit, the estimate of a time point in that unit, the published measure drawn beside it)
_MEASURES: tuple[tuple[str, str, Callable[[TimePointSummary], Estimate], str | None], ...] = (
    ("Back-pain NRS change from baseline", "points", lambda t: t.nrs_back_change, None),
    ("ODI change from baseline", "points", lambda t: t.odi_change, "odi-change"),
    ("Opioid use", "%", lambda t: _scaled(t.opioid_use, 100), "opioid-use"),
)


def trajectories(p: ProcedureSummary, sources: dict[str, str]) -> tuple[Trajectory, ...]:
    """Pain, ODI and opioid use of one procedure over its time points, with the published points of each."""
    published = [r for t in p.time_points for r in t.published] + list(p.published_elsewhere)
    out = []
    for title, unit, pick, measure in _MEASURES:
        cohort = tuple(
            CohortPoint(t.time_point.label, months_of(t.time_point.code), pick(t), t.measured, t.missing)
            for t in p.time_points
        )
        points = tuple(
            PublishedPoint(months_of(r.time_point), r.value, r.low, r.high, sources.get(r.source, r.source))
            for r in published
            if r.measure == measure
        )
        out.append(Trajectory(p.procedure, title, unit, cohort, points))
    return tuple(out)


def _cell(value: float | None, low: float | None, high: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    interval = f" ({low:.1f} to {high:.1f})" if low is not None and high is not None else ""
    return f"{value:.1f}{interval} {unit}"


def trajectory_rows(t: Trajectory) -> tuple[tuple[str, ...], ...]:
    """Time point, months, cohort value (95% CI), N measured, missing, published value(s) at that time."""
    published = {p.months: p for p in t.published}
    rows = []
    for c in t.cohort:
        e, pub = c.estimate, published.pop(c.months, None)
        rows.append(
            (
                c.label,
                f"{round(c.months, 1):g}",
                _cell(e.value, e.low, e.high, t.unit) if e.n else "no data (missing follow-up)",
                str(e.n),
                str(c.missing),
                f"{_cell(pub.value, pub.low, pub.high, t.unit)}, {pub.source}" if pub else "—",
            )
        )
    rows += [
        (f"{p.months:g} months", f"{round(p.months, 1):g}", "not in this schedule", "—", "—",
         f"{_cell(p.value, p.low, p.high, t.unit)}, {p.source}")
        for p in published.values()
    ]  # fmt: skip
    return tuple(rows)


_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 560, 236, 48, 8, 28, 66


def trajectory_svg(t: Trajectory) -> str:
    """The trajectory as an accessible inline SVG: cohort line with 95% whiskers (blue), published points (orange
    diamonds), and under each time point its N and missing count; a time point without data shows "no data". The
    time points stand evenly spaced in order, not to scale."""
    values = [v for c in t.cohort for v in (c.estimate.value, c.estimate.low, c.estimate.high) if v is not None]
    values += [v for p in t.published for v in (p.value, p.low, p.high) if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    if high - low < 1e-9:
        high = low + 1
    # Time points evenly spaced in order (6 weeks and 3 months would overlap to scale); the labels say the time.
    slots = sorted({c.months for c in t.cohort} | {p.months for p in t.published})
    step = (_W - _LEFT - _RIGHT) / max(len(slots), 1)

    def x(months: float) -> float:
        return _LEFT + step * (slots.index(months) + 0.5)

    def y(v: float) -> float:
        return _TOP + (high - v) / (high - low) * (_H - _TOP - _BOTTOM)

    label = f"{t.procedure}: {t.title} ({t.unit}), this registry beside published results"
    parts = [
        f'<svg class="trajectory" role="img" aria-label="{escape(label)}" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>',
        f'<text x="{_LEFT}" y="16" font-size="12">{escape(f"{t.title} ({t.unit})")}</text>',
        f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#888"/>',
        f'<text x="{_LEFT - 4}" y="{y(high) + 4:.1f}" font-size="10" text-anchor="end">{high:.0f}</text>',
        f'<text x="{_LEFT - 4}" y="{y(low) + 4:.1f}" font-size="10" text-anchor="end">{low:.0f}</text>',
    ]
    line = []
    for c in t.cohort:
        cx, e = x(c.months), c.estimate
        parts.append(
            f'<text x="{cx:.1f}" y="{_H - 44}" font-size="10" text-anchor="middle">{escape(c.label)}</text>'
            f'<text x="{cx:.1f}" y="{_H - 32}" font-size="9" text-anchor="middle">N {e.n}</text>'
            f'<text x="{cx:.1f}" y="{_H - 21}" font-size="9" text-anchor="middle">missing {c.missing}</text>'
        )
        if e.value is None:
            parts.append(
                f'<text x="{cx:.1f}" y="{y(0) - 6:.1f}" font-size="9" fill="#a00" text-anchor="middle">no data</text>'
            )
            continue
        if e.low is not None and e.high is not None:
            parts.append(
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(e.low):.1f}" y2="{y(e.high):.1f}" stroke="#1f5f8b"/>'
            )
        parts.append(f'<circle cx="{cx:.1f}" cy="{y(e.value):.1f}" r="3.5" fill="#1f5f8b"/>')
        line.append(f"{cx:.1f},{y(e.value):.1f}")
    if len(line) > 1:
        parts.insert(5, f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f5f8b" stroke-width="1.5"/>')
    cohort_months = {c.months for c in t.cohort}
    for p in t.published:
        px, py = x(p.months), y(p.value)
        if p.months not in cohort_months:  # a published time point outside this schedule: label it
            parts.append(
                f'<text x="{px:.1f}" y="{_H - 44}" font-size="10" text-anchor="middle">{p.months:g} months</text>'
            )
        if p.low is not None and p.high is not None:
            parts.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y(p.low):.1f}" y2="{y(p.high):.1f}" stroke="#c05a00"/>'
            )
        parts.append(
            f'<path d="M{px:.1f},{py - 5:.1f} l5,5 l-5,5 l-5,-5 z" fill="#c05a00">'
            f"<title>{escape(f'{p.source}: {p.value:g} {t.unit} at {p.months:g} months')}</title></path>"
        )
    parts.append(
        f'<text x="{_LEFT}" y="{_H - 4}" font-size="10"><tspan fill="#1f5f8b">● this registry (95% CI)</tspan>'
        '<tspan fill="#c05a00" dx="12">◆ published (a different population)</tspan></text></svg>'
    )
    return "".join(parts)
