"""An assessment as a Markdown report: next step, flags, criteria with evidence, missing data, sources."""

from __future__ import annotations

from sijpath.engine.assessment import NOTICE, Assessment
from sijpath.engine.compare import Comparison
from sijpath.evidence.catalog import Source

__all__ = ["STATUS_MARKS", "assessment_markdown", "comparison_markdown"]

STATUS_MARKS = {"met": "✅ met", "not-met": "❌ not met", "unknown": "❔ unknown"}
SEVERITY_MARKS = {"critical": "🛑 critical", "warning": "⚠️ warning", "info": "ℹ️ info"}


def assessment_markdown(assessment: Assessment) -> str:
    """Render the whole assessment; every criterion and flag lists its evidence and sources."""
    a = assessment
    lines = [
        f"# SI-joint pathway assessment: patient {a.patient_id}",
        "",
        f"- **Rule set:** {a.ruleset_title} (`{a.ruleset_id}` {a.ruleset_version})",
        f"- **As of:** {a.as_of}",
        f"- **Stage:** {a.stage}",
        "",
        f"## Next step: {a.next_step.title}",
        "",
        a.next_step.rationale + _cite(a.next_step_citations),
        "",
    ]
    if a.other_actions:
        lines += ["### Alongside", ""]
        lines += [f"- **{action.title}.** {action.rationale}{_cite(cites)}" for action, cites in a.other_actions]
        lines.append("")
    if a.flags:
        lines += ["## Flags", ""]
        for flag in a.flags:
            lines.append(f"- **{SEVERITY_MARKS[flag.severity]} `{flag.code}`**: {flag.message}{_cite(flag.citations)}")
            lines += [
                f"  - {e.date or ''} {e.fact}".rstrip() + (f" (`{e.ref}`)" if e.ref else "") for e in flag.evidence
            ]
        lines.append("")
    lines += ["## Criteria", "", "| Criterion | Stage | Status | Why |", "|---|---|---|---|"]
    for c in a.criteria:
        role = " *(supporting)*" if c.role == "supporting" else ""
        lines.append(f"| {c.title}{role} | {c.stage} | {STATUS_MARKS[c.status]} | {c.summary.replace('|', '/')} |")
    lines.append("")
    for c in a.criteria:
        if not c.evidence:
            continue
        lines += [f"**{c.title}**{_cite(c.citations)}", ""]
        lines += [f"- {e.fact}" + (f" (`{e.ref}`)" if e.ref else "") for e in c.evidence]
        lines.append("")
    if a.measurements:
        lines += ["## Measurements", "", "| Measure | Value | From |", "|---|---|---|"]
        for m, cites in a.measurements:
            value = "—" if m.value is None else f"{m.value} {m.unit}".strip()
            lines.append(f"| {m.name} | {value} | {m.detail}{_cite(cites)} |")
        lines.append("")
    if a.missing_data:
        lines += ["## Missing data", ""]
        lines += [f"- {m.item} *(for: {', '.join(m.needed_for)})*" for m in a.missing_data]
        lines.append("")
    if a.data_issues:
        lines += ["## Data issues", ""]
        lines += [f"- **{d.severity}** `{d.location}`: {d.message}" for d in a.data_issues]
        lines.append("")
    unverified = a.unverified_sources
    if unverified:
        lines += ["## Unverified sources", "", "This assessment rests in part on sources not yet verified:", ""]
        lines += [f"- `{s.id}`: {s.title}" for s in unverified]
        lines.append("")
    lines += ["---", "", f"*{NOTICE}*", ""]
    return "\n".join(lines)


def _cite(sources: tuple[Source, ...]) -> str:
    if not sources:
        return ""
    return " " + " ".join(f"[{s.id}{' — UNVERIFIED' if s.unverified else ''}]" for s in sources)


def comparison_markdown(comparison: Comparison) -> str:
    """The side-by-side table, divergent rows marked, then one sentence per divergence."""
    assessments = comparison.assessments
    first = assessments[0]
    header = " | ".join(f"`{a.ruleset_id}` {a.ruleset_version}" for a in assessments)
    lines = [
        f"# Rule sets side by side: patient {first.patient_id}, as of {first.as_of}",
        "",
        f"| | {header} |",
        "|---" * (len(assessments) + 1) + "|",
    ]
    for row in comparison.rows:
        cells = [_cell(row.key, value) for value in row.cells]
        title = f"**{row.title}** ⚠" if row.divergent else row.title
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    lines += ["", "⚠ marks a row where the rule sets disagree.", ""]
    if comparison.divergences:
        lines += ["## Where they diverge", ""]
        lines += [f"- {sentence}" for sentence in comparison.divergences]
        lines.append("")
    else:
        lines += ["The rule sets agree on every criterion and on the next step.", ""]
    lines += ["---", "", f"*{NOTICE}*", ""]
    return "\n".join(lines)


def _cell(key: str, value: str | None) -> str:
    if value is None:
        return "—"
    if key in ("next-step", "stage", "flags"):
        return f"`{value}`" if key != "flags" else value
    return STATUS_MARKS[value]
