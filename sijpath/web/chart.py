"""The patient timeline as inline SVG: pain over time (broken at long gaps), procedures per joint, relief as bars."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sijpath.domain.episode import Episode
from sijpath.domain.injections import read_injection
from sijpath.domain.timeline import add_months

__all__ = ["timeline_svg"]

WIDTH, HEIGHT = 860, 330
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 20, 130
# Below the pain axis: month labels, years, one row of procedure markers per joint, then the relief bars.
MONTH_Y, YEAR_Y, RELIEF_Y = HEIGHT - BOTTOM + 16, HEIGHT - BOTTOM + 30, HEIGHT - BOTTOM + 100
SIDE_ROWS = {"left": HEIGHT - BOTTOM + 48, "right": HEIGHT - BOTTOM + 64, "": HEIGHT - BOTTOM + 80}
SIDE_NAMES = {"left": "Left", "right": "Right", "": "Side?"}
# Scores further apart than this are not joined: a line across months without a score would invent a course.
GAP_DAYS = 120
# Same-day order of a score by its role: before a procedure, on its own, after a procedure.
PRE, STANDALONE, POST = 0, 1, 2
ROLE_NAMES = {PRE: "pre", STANDALONE: "standalone", POST: "post"}
ROLE_TEXT = {PRE: " (before the procedure)", STANDALONE: "", POST: " (after the procedure)"}
SAME_DAY_STEP = 4  # pixels between a day's scores
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Marker letters, so the chart reads without colour: B block, L lateral branch block, I injection, R RFA, F fusion.
MARKERS = {
    "diagnostic_blocks": "B",
    "lateral_branch_blocks": "L",
    "therapeutic_injections": "I",
    "radiofrequency_ablations": "R",
    "fusions": "F",
}
NAMES = {
    "diagnostic_blocks": "diagnostic block",
    "lateral_branch_blocks": "lateral branch block",
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
    scored = [s for s in sorted(_all_scores(episode), key=lambda s: (s[0], s[1])) if s[0] <= as_of]
    scores = [(d, n) for d, _, n in scored]
    procedures = [
        (name, fact.date, getattr(fact, "side", None) or "")
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
    for run in _runs(scored):
        points = " ".join(f"{scale.x(d) + nth * SAME_DAY_STEP:.1f},{scale.y(n):.1f}" for d, nth, n in run)
        parts.append(f'<polyline class="pain" points="{points}" />')
    parts += _points(scored, scale)
    if min_relief_percent is not None:
        parts += _relief_bars(episode, scale, as_of, min_relief_percent, lasting_months)
    parts += _procedure_rows(procedures, scale)
    description = (
        f"{len(scores)} pain scores from {scale.start} to {scale.end}; {len(procedures)} procedures in one row per "
        "joint (B block, L lateral branch block, I injection, R ablation, F fusion); bars show how long each "
        "injection relieved the pain."
    )
    legend = (
        '<p class="legend">Line: pain (NRS 0–10) from clinic visits, diaries and scores around procedures, the '
        f"score before a procedure drawn before the one after it; no line joins scores more than {GAP_DAYS} days "
        "apart. Markers, in the row of the joint treated: <strong>B</strong> diagnostic block, <strong>L</strong> "
        "lateral branch block, <strong>I</strong> therapeutic injection, <strong>R</strong> radiofrequency "
        "ablation, <strong>F</strong> fusion. Bars: how long each injection relieved the pain (a + means relief was "
        "still present at the last score); the upright line on each bar is where relief would count as lasting "
        "under this rule set.</p>"
    )
    return (
        legend
        + _text_alternative(scored, procedures)
        + (
            f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="tl-title tl-desc">'
            f'<title id="tl-title">Pain and procedures over time</title><desc id="tl-desc">{escape(description)}</desc>'
            + "".join(parts)
            + "</svg>"
        )
    )


def _points(scored: list[tuple[dt.date, int, float]], scale: _Scale) -> list[str]:
    """One point per score; a day's second and later scores a few pixels to the right, so the line reads in
    clinical order (before the procedure, then after it) rather than as one vertical stroke."""
    parts, seen = [], dict[dt.date, int]()
    for day, role, nrs in scored:
        nth = seen[day] = seen.get(day, -1) + 1
        parts.append(
            f'<circle class="pain-point" data-date="{day}" data-role="{ROLE_NAMES[role]}" '
            f'cx="{scale.x(day) + nth * SAME_DAY_STEP:.1f}" cy="{scale.y(nrs):.1f}" r="3.5">'
            f"<title>{day}: pain NRS {nrs:g}{ROLE_TEXT[role]}</title></circle>"
        )
    return parts


def _text_alternative(scored: list[tuple[dt.date, int, float]], procedures: list[tuple[str, dt.date, str]]) -> str:
    """The chart's data as a table in date order, a day's procedures between the scores before and after them, for
    screen readers and for reading exact values."""
    rows = [(d, role, f"pain NRS {n:g}{ROLE_TEXT[role]}") for d, role, n in scored] + [
        (d, STANDALONE, f"{NAMES[name]} ({side or 'side not recorded'})") for name, d, side in procedures
    ]
    body = "".join(
        f"<tr><td>{d}</td><td>{escape(what)}</td></tr>" for d, _, what in sorted(rows, key=lambda row: row[:2])
    )
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
        f'<text class="year" x="{scale.x(max(dt.date(y, 1, 1), scale.start)):.1f}" y="{YEAR_Y}">{y}</text>'
        for y in years
    )
    starts = _month_starts(scale)
    # Every month's name while they fit, then every quarter's; beyond three years the years alone.
    every = 1 if len(starts) <= 14 else 3 if len(starts) <= 40 else 0
    months = "".join(
        f'<line class="month-tick" x1="{scale.x(m):.1f}" x2="{scale.x(m):.1f}" y1="{bottom}" y2="{bottom + 5}" />'
        + (
            f'<text class="month" x="{scale.x(m):.1f}" y="{MONTH_Y}" text-anchor="middle">'
            f"{MONTH_NAMES[m.month - 1]}</text>"
            if every and (m.month - 1) % every == 0
            else ""
        )
        for m in starts
    )
    return (
        f'<g class="axes">{ticks}<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" />{months}{labels}'
        f'<text x="4" y="{TOP - 4}" class="axis-name">NRS</text></g>'
    )


def _runs(scored: list[tuple[dt.date, int, float]]) -> list[list[tuple[dt.date, int, float]]]:
    """The scores as (day, place in the day, NRS), cut where two in a row are more than GAP_DAYS apart: each run is
    drawn as its own line."""
    runs: list[list[tuple[dt.date, int, float]]] = []
    for day, _, nrs in scored:
        if runs and (day - runs[-1][-1][0]).days <= GAP_DAYS:
            last = runs[-1][-1]
            runs[-1].append((day, last[1] + 1 if last[0] == day else 0, nrs))
        else:
            runs.append([(day, 0, nrs)])
    return runs


def _procedure_rows(procedures: list[tuple[str, dt.date, str]], scale: _Scale) -> list[str]:
    """Each procedure as a dashed line across the pain plot and its letter in the row of each joint it treated (a
    bilateral one in both; one without a recorded side in a row of its own, counting for neither)."""
    rows = {"left", "right"} | {"" for _, _, side in procedures if side not in ("left", "right", "bilateral")}
    parts = [
        f'<text x="4" y="{SIDE_ROWS[side] + 4}" class="axis-name">{SIDE_NAMES[side]}</text>'
        for side in SIDE_ROWS
        if side in rows
    ]
    for name, day, side in procedures:
        x = scale.x(day)
        label = f"{day}: {NAMES[name]} ({side or 'side not recorded'})"
        sides = ("left", "right") if side == "bilateral" else (side,) if side in ("left", "right") else ("",)
        letters = "".join(
            f'<text x="{x:.1f}" y="{SIDE_ROWS[s] + 4}" text-anchor="middle">{MARKERS[name]}</text>' for s in sides
        )
        parts.append(
            f'<g class="marker {name}" data-side="{side}"><title>{escape(label)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" />{letters}</g>'
        )
    return parts


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
    row_y = RELIEF_Y
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
        label = f"{injection.date}: relief lasted {weeks:.0f} weeks{more} ({injection.side or 'side not recorded'})"
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
