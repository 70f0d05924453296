"""The patient timeline as inline SVG: pain over time, procedures as labelled markers, injection relief as bars."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sijpath.domain.episode import Episode
from sijpath.domain.injections import read_injection
from sijpath.domain.timeline import add_months

__all__ = ["timeline_svg"]

WIDTH, HEIGHT = 860, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 20, 92
# Marker letters, so the chart reads without colour: B block, I injection, R RFA, F fusion.
MARKERS = {"diagnostic_blocks": "B", "therapeutic_injections": "I", "radiofrequency_ablations": "R", "fusions": "F"}
NAMES = {
    "diagnostic_blocks": "diagnostic block",
    "therapeutic_injections": "therapeutic injection",
    "radiofrequency_ablations": "radiofrequency ablation",
    "fusions": "fusion",
}


@dataclass(frozen=True, slots=True)
class _Scale:
    start: dt.date
    end: dt.date

    def x(self, day: dt.date) -> float:
        span = max((self.end - self.start).days, 1)
        return LEFT + (day - self.start).days / span * (WIDTH - LEFT - RIGHT)

    @staticmethod
    def y(nrs: float) -> float:
        return TOP + (10 - nrs) / 10 * (HEIGHT - TOP - BOTTOM)


def timeline_svg(
    episode: Episode, as_of: dt.date, min_relief_percent: float | None, lasting_months: int | None = None
) -> str:
    """An accessible SVG (role img, title and description; every mark has a text title) of the episode.

    Relief bars use the rule set's own threshold for an injection to count as relieving; without one, none.
    `lasting_months` is the rule set's lasting-relief duration, drawn as a mark on each bar's row.
    """
    # Same-day scores keep their clinical order (pre before post), never sorted by value.
    scores = [(d, n) for d, _, n in sorted(_all_scores(episode), key=lambda s: (s[0], s[1])) if d <= as_of]
    procedures = [
        (name, fact.date, getattr(fact, "side", ""))
        for name in MARKERS
        for fact in getattr(episode, name)
        if fact.date <= as_of
    ]
    dates = [d for d, _ in scores] + [d for _, d, _ in procedures]
    if not dates:
        return '<p class="empty">No pain scores or procedures recorded yet.</p>'
    first, last = min(dates), max(max(dates), min(dates) + dt.timedelta(days=30))
    margin = dt.timedelta(days=max((last - first).days // 40, 2))  # keeps edge points whole
    scale = _Scale(first - margin, last + margin)
    parts = [_axes(scale)]
    if scores:
        points = " ".join(f"{scale.x(d):.1f},{scale.y(n):.1f}" for d, n in scores)
        parts.append(f'<polyline class="pain" points="{points}" />')
        parts += [
            f'<circle class="pain-point" cx="{scale.x(d):.1f}" cy="{scale.y(n):.1f}" r="3.5">'
            f"<title>{d}: pain NRS {n:g}</title></circle>"
            for d, n in scores
        ]
    if min_relief_percent is not None:
        parts += _relief_bars(episode, scale, as_of, min_relief_percent, lasting_months)
    for name, day, side in procedures:
        x = scale.x(day)
        label = f"{day}: {NAMES[name]} ({side})"
        parts.append(
            f'<g class="marker {name}"><title>{escape(label)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" />'
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{MARKERS[name]}</text></g>'
        )
    description = (
        f"{len(scores)} pain scores from {scale.start} to {scale.end}; "
        f"{len(procedures)} procedures (B block, I injection, R ablation, F fusion); bars show how long each "
        "injection relieved the pain."
    )
    legend = (
        '<p class="legend">Line: pain (NRS 0–10) from clinic visits, diaries and scores around procedures. '
        "Markers: <strong>B</strong> diagnostic block, <strong>I</strong> therapeutic injection, "
        "<strong>R</strong> radiofrequency ablation, <strong>F</strong> fusion. Bars: how long each injection "
        "relieved the pain (a + means relief was still present at the last score).</p>"
    )
    return (
        legend
        + _text_alternative(scores, procedures)
        + (
            f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="tl-title tl-desc">'
            f'<title id="tl-title">Pain and procedures over time</title><desc id="tl-desc">{escape(description)}</desc>'
            + "".join(parts)
            + "</svg>"
        )
    )


def _text_alternative(scores: list[tuple[dt.date, float]], procedures: list[tuple[str, dt.date, str]]) -> str:
    """The chart's data as a table in date order, for screen readers and for reading exact values."""
    rows = [(d, f"pain NRS {n:g}") for d, n in scores] + [
        (d, f"{NAMES[name]} ({side})") for name, d, side in procedures
    ]
    body = "".join(f"<tr><td>{d}</td><td>{escape(what)}</td></tr>" for d, what in sorted(rows, key=lambda row: row[0]))
    return (
        '<details class="timeline-table"><summary>Timeline as a table</summary>'
        '<table><thead><tr><th scope="col">Date</th><th scope="col">Event</th></tr></thead>'
        f"<tbody>{body}</tbody></table></details>"
    )


def _axes(scale: _Scale) -> str:
    bottom = HEIGHT - BOTTOM
    ticks = "".join(
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{scale.y(n):.1f}" y2="{scale.y(n):.1f}" />'
        f'<text x="{LEFT - 6}" y="{scale.y(n) + 4:.1f}" text-anchor="end">{n}</text>'
        for n in (0, 5, 10)
    )
    years = range(scale.start.year, scale.end.year + 1)
    labels = "".join(
        f'<text x="{scale.x(max(dt.date(y, 1, 1), scale.start)):.1f}" y="{bottom + 32}">{y}</text>' for y in years
    )
    months = "".join(
        f'<line class="month-tick" x1="{scale.x(m):.1f}" x2="{scale.x(m):.1f}" y1="{bottom}" y2="{bottom + 5}" />'
        for m in _month_starts(scale)
    )
    return (
        f'<g class="axes">{ticks}<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" />{months}{labels}'
        f'<text x="4" y="{TOP - 4}" class="axis-name">NRS</text></g>'
    )


def _month_starts(scale: _Scale) -> list[dt.date]:
    """The first day of every month inside the scale, for ticks along the time axis."""
    found, month = [], dt.date(scale.start.year, scale.start.month, 1)
    while month <= scale.end:
        if month >= scale.start:
            found.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def _relief_bars(
    episode: Episode, scale: _Scale, as_of: dt.date, min_relief_percent: float, lasting_months: int | None
) -> list[str]:
    bars = []
    row_y = HEIGHT - BOTTOM + 44
    # One row: injections follow each other in time, so bars do not overlap unless relief overlaps.
    for injection in episode.therapeutic_injections:
        if injection.date > as_of:
            continue
        reading = read_injection(injection, min_relief_percent)
        if reading.relief_days is None:
            continue
        end = min(injection.date + dt.timedelta(days=reading.relief_days), as_of)
        x0, x1 = scale.x(injection.date), scale.x(end)
        weeks = reading.relief_days / 7
        more = " or more" if reading.relief_days_at_least else ""
        label = f"{injection.date}: relief lasted {weeks:.0f} weeks{more}"
        bars += _lasting_mark(injection.date, lasting_months, scale, row_y)
        bars.append(
            f'<g class="relief"><title>{escape(label)}</title>'
            f'<rect x="{x0:.1f}" y="{row_y}" width="{max(x1 - x0, 2):.1f}" height="9" />'
            f'<text x="{x1 + 3:.1f}" y="{row_y + 8}">{weeks:.0f} wk{more and "+"}</text></g>'
        )
    if bars:
        bars.insert(0, f'<text x="8" y="{row_y + 8}" class="axis-name">Relief</text>')
    return bars


def _lasting_mark(injected: dt.date, months: int | None, scale: _Scale, row_y: int) -> list[str]:
    """The date relief must reach to count as lasting under the rule set, as a short line across the bar row."""
    if months is None:
        return []
    x = scale.x(add_months(injected, months))
    label = f"{injected}: relief counts as lasting under this rule set from {add_months(injected, months)}"
    return [
        f'<g class="lasting-relief"><title>{escape(label)}</title>'
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{row_y - 3}" y2="{row_y + 12}" /></g>'
    ]


# Same-day order of a score by its role: before a procedure, on its own, after a procedure.
PRE, STANDALONE, POST = 0, 1, 2


def _all_scores(episode: Episode) -> list[tuple[dt.date, int, float]]:
    """Every pain score on record with its same-day role: clinic and diary, around blocks, after injections."""
    found = [(p.date, STANDALONE, p.nrs) for p in episode.pain_scores]
    for block in episode.diagnostic_blocks:
        if block.pre_block_nrs is not None:
            found.append((block.date, PRE, block.pre_block_nrs))
        if block.post_block_nrs is not None:
            found.append((block.date, POST, block.post_block_nrs))
    for injection in episode.therapeutic_injections:
        if injection.pre_injection_nrs is not None:
            found.append((injection.date, PRE, injection.pre_injection_nrs))
        found += [(entry.date, POST, entry.nrs) for entry in injection.follow_up]
    for visit in episode.post_operative_follow_ups:
        if visit.nrs is not None:
            found.append((visit.date, POST, visit.nrs))
    return found
