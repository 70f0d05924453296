"""The cohort report as Markdown, HTML and CSV, all three from the same sections so they never disagree."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from dataclasses import dataclass

from sijpath.outcomes.intervals import Estimate
from sijpath.outcomes.published import PublishedResult
from sijpath.outcomes.report import CohortReport, ProcedureSummary
from sijpath.outcomes.responders import ResponderThreshold
from sijpath.outcomes.trajectory import trajectories, trajectory_rows, trajectory_svg

__all__ = ["report_csv", "report_html", "report_markdown"]

DISCLAIMER = (
    "sijpath supports clinical decisions; it does not make them. These figures describe this practice's "
    "registry and are not a prediction for any one patient."
)
SYNTHETIC_BANNER = "SYNTHETIC DATA: this report includes generated patients that do not exist (labelled synthetic)."
FOLLOW_UP_NOTE = (
    "Missing follow-up is shown as such and never imputed. Patients lost to follow-up often differ from those who "
    "return (for better or worse), so the shares below may be biased; read them with the missing counts."
)
PUBLISHED_NOTE = (
    "Published results come from different populations, designs and funding; they are context, not a target."
)
MEASURE_LABELS = {
    "odi-change": "ODI change, points (mean)",
    "responder:odi-insite-clinical": "ODI ≥15 points (INSITE)",
    "responder:odi-insite-scb": "ODI ≥18.8 points (INSITE SCB)",
    "opioid-use": "opioid use, %",
    "bridging": "CT bony bridging, %",
    "revision": "revision, %",
    "relief-50": "≥50% relief, % (a different responder definition)",
}


@dataclass(frozen=True, slots=True)
class _Section:
    title: str
    notes: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    svg: str = ""  # a trajectory's picture, drawn in HTML above the same numbers' table


def _number(value: float | None, percent: bool, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{places}f}%" if percent else f"{value:+.{places}f}"


def _estimate(e: Estimate, percent: bool = False) -> str:
    if e.n == 0 or e.value is None:
        return "no data (N 0)"
    interval = f" ({_number(e.low, percent)} to {_number(e.high, percent)})" if e.low is not None else ""
    return f"{_number(e.value, percent)}{interval}, N {e.n}"


def _published_value(r: PublishedResult) -> str:
    unit = "" if r.measure.endswith("-change") else "%"  # changes are in points; every other measure is a share
    interval = f" ({r.low:g}{unit} to {r.high:g}{unit})" if r.low is not None and r.high is not None else ""
    return f"{r.value:g}{unit}{interval}"


def _threshold_note(t: ResponderThreshold, sources: dict[str, str]) -> str:
    note = f"{t.label}: {sources.get(t.source, t.source)}"
    return f"{note} — {t.caveat}" if t.caveat else note


def _procedure_sections(p: ProcedureSummary, sources: dict[str, str]) -> Iterator[_Section]:
    thresholds = p.time_points[0].responders if p.time_points else ()
    headers = (
        "Time point",
        "Expected",
        "Measured",
        "Missing",
        "ODI change (95% CI)",
        "Back-pain NRS change (95% CI)",
        *(f"{t.label} (95% CI)" for t, _, _ in thresholds),
        "Opioid use (95% CI)",
        "CT bridging (95% CI)",
    )
    rows = tuple(
        (
            t.time_point.label,
            str(t.expected),
            str(t.measured),
            str(t.missing),
            _estimate(t.odi_change),
            _estimate(t.nrs_back_change),
            *(
                _estimate(share, percent=True) + (f"; {unknown} unknown" if unknown else "")
                for _, unknown, share in t.responders
            ),
            _estimate(t.opioid_use, percent=True),
            _estimate(t.bridging, percent=True),
        )
        for t in p.time_points
    )
    notes = (
        f"{p.procedures} index procedures (joints), {p.with_baseline} with a baseline.",
        f"At least one complication recorded: {_estimate(p.complications, percent=True)}; "
        f"revision: {_estimate(p.revisions, percent=True)}.",
        "Expected: procedures whose window has closed; Missing: of those, never measured. Change is follow-up "
        "minus baseline (negative is better for ODI and pain).",
        *(_threshold_note(t, sources) for t, _, _ in thresholds),
    )
    yield _Section(p.procedure, notes, headers, rows)
    published = [r for t in p.time_points for r in t.published] + list(p.published_elsewhere)
    if published:
        yield _Section(
            f"{p.procedure}: published results (a different population)",
            (PUBLISHED_NOTE,),
            ("Source", "Time point", "Measure", "Value (95% CI)", "N", "Population", "Design", "Funding"),
            tuple(
                (
                    sources.get(r.source, r.source),
                    r.time_point,
                    MEASURE_LABELS.get(r.measure, r.measure),
                    _published_value(r),
                    str(r.n) if r.n else "not recorded",
                    r.population,
                    r.design,
                    r.funding,
                )
                for r in published
            ),
        )


TRAJECTORY_NOTE = (
    "Over time: this registry's mean (95% CI) at each time point, and published results where a source gives the "
    "same measure. A time point with no follow-up says no data; N and missing are counted under it."
)
TRAJECTORY_HEADERS = ("Time point", "Months", "This registry (95% CI)", "N", "Missing", "Published (95% CI)")


def _trajectory_sections(p: ProcedureSummary, sources: dict[str, str]) -> Iterator[_Section]:
    for t in trajectories(p, sources):
        title = f"{p.procedure}: {t.title} over time"
        yield _Section(title, (TRAJECTORY_NOTE,), TRAJECTORY_HEADERS, trajectory_rows(t), trajectory_svg(t))


def _sections(report: CohortReport) -> list[_Section]:
    return [
        s
        for p in report.procedures
        for sections in (_procedure_sections(p, report.sources), _trajectory_sections(p, report.sources))
        for s in sections
    ]


def _preamble(report: CohortReport) -> list[str]:
    filters = ", ".join(f"{k} {v}" for k, v in sorted(report.filters.items())) or "none"
    lines = [DISCLAIMER]
    if report.synthetic:
        lines.insert(0, SYNTHETIC_BANNER)
    return [*lines, f"As of {report.as_of}; filters: {filters}.", FOLLOW_UP_NOTE]


def report_markdown(report: CohortReport) -> str:
    out = ["# Outcomes cohort report", ""]
    out += [f"> {line}\n" for line in _preamble(report)]
    if not report.procedures:
        out.append("No index procedures match.\n")
    for s in _sections(report):
        out += [f"## {s.title}", "", *(f"- {n}" for n in s.notes), ""]
        out.append("| " + " | ".join(s.headers) + " |")
        out.append("|" + "---|" * len(s.headers))
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in s.rows]
        out.append("")
    return "\n".join(out)


def report_html(report: CohortReport) -> str:
    """A self-contained HTML fragment (the web page wraps it in its layout)."""
    e = html.escape
    out = ['<section class="outcomes-report">', "<h1>Outcomes cohort report</h1>"]
    for line in _preamble(report):
        css = ' class="synthetic"' if line == SYNTHETIC_BANNER else ""
        out.append(f"<p{css}>{e(line)}</p>")
    for s in _sections(report):
        out += [f"<h2>{e(s.title)}</h2>", "<ul>", *(f"<li>{e(n)}</li>" for n in s.notes), "</ul>"]
        out += [f'<figure class="trajectory">{s.svg}</figure>' if s.svg else "", "<table>"]
        out.append("<tr>" + "".join(f'<th scope="col">{e(h)}</th>' for h in s.headers) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in s.rows]
        out.append("</table>")
    out.append("</section>")
    return "\n".join(out)


def report_csv(report: CohortReport) -> str:
    """One row per procedure, time point and measure, local and published, with N and interval as numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "origin",
            "synthetic",
            "procedure",
            "time_point",
            "measure",
            "n",
            "value",
            "low",
            "high",
            "expected",
            "missing",
            "source",
            "population",
        ]
    )
    flag = "yes" if report.synthetic else "no"
    for p in report.procedures:
        for t in p.time_points:
            measures = [
                ("odi-change", t.odi_change),
                ("nrs-back-change", t.nrs_back_change),
                *((f"responder:{th.id}", share) for th, _, share in t.responders),
                ("opioid-use", t.opioid_use),
                ("bridging", t.bridging),
            ]
            for name, est in measures:
                writer.writerow(
                    [
                        "local",
                        flag,
                        p.procedure,
                        t.time_point.code,
                        name,
                        est.n,
                        *("" if v is None else f"{v:.6g}" for v in (est.value, est.low, est.high)),
                        t.expected,
                        t.missing,
                        "",
                        "this registry",
                    ]
                )
        for r in [r for t in p.time_points for r in t.published] + list(p.published_elsewhere):
            writer.writerow(
                [
                    "published",
                    "no",
                    r.procedure,
                    r.time_point,
                    r.measure,
                    r.n or "",
                    f"{r.value:g}",
                    "" if r.low is None else f"{r.low:g}",
                    "" if r.high is None else f"{r.high:g}",
                    "",
                    "",
                    r.source,
                    r.population,
                ]
            )
    return buffer.getvalue()
