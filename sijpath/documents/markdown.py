"""An assessment as Markdown, joint by joint: next step, flags, criteria with evidence, missing data, sources;
every text that can carry record text is escaped (`sijpath.markup`)."""

from __future__ import annotations

from sijpath.engine.assessment import NOTICE, Assessment, UnitAssessment
from sijpath.engine.compare import Comparison
from sijpath.evidence.catalog import Source
from sijpath.markup import markdown_code as code
from sijpath.markup import markdown_text as md

__all__ = ["STATUS_MARKS", "assessment_markdown", "comparison_markdown"]

STATUS_MARKS = {"met": "✅ met", "not-met": "❌ not met", "unknown": "❔ unknown"}
SEVERITY_MARKS = {"critical": "🛑 critical", "warning": "⚠️ warning", "info": "ℹ️ info"}


def assessment_markdown(assessment: Assessment) -> str:
    """Render the whole assessment, joint by joint; every criterion and flag lists its evidence and sources."""
    a = assessment
    lines = [
        f"# SI-joint pathway assessment: patient {md(a.patient_id)}",
        "",
        f"- **Rule set:** {a.ruleset_title} (`{a.ruleset_id}` {a.ruleset_version})",
        f"- **As of:** {a.as_of}",
        f"- **Summary:** {md(a.summary)}",
        "",
    ]
    for unit in a.units:
        lines += _unit_markdown(unit)
    if a.data_issues:
        lines += ["## Data issues", ""]
        lines += [f"- **{d.severity}** {code(d.location)}: {md(d.message)}" for d in a.data_issues]
        lines.append("")
    unverified = a.unverified_sources
    if unverified:
        lines += ["## Unverified sources", "", "This assessment rests in part on sources not yet verified:", ""]
        lines += [f"- `{s.id}`: {s.title}" for s in unverified]
        lines.append("")
    own = a.own_reading_sources
    if own:
        lines += ["## sijpath's own readings", "", "Where no source gives a number or rule, sijpath chose one:", ""]
        lines += [f"- `{s.id}`: {s.title}" for s in own]
        lines.append("")
    lines += ["---", "", f"*{NOTICE}*", ""]
    return "\n".join(lines)


def _unit_markdown(u: UnitAssessment) -> list[str]:
    procedure = f" (CPT {u.next_step.procedure}, {u.key})" if u.next_step.procedure else ""
    lines = [
        f"## {u.title}: {u.next_step.title}{procedure}",
        "",
        f"- **Stage:** {u.stage}",
        f"- **Pain on this side:** {u.presentation.replace('-', ' ')}",
        "",
        md(u.next_step.rationale) + _cite(u.next_step_citations),
        "",
    ]
    if u.other_actions:
        lines += ["### Alongside", ""]
        lines += [f"- **{action.title}.** {md(action.rationale)}{_cite(cites)}" for action, cites in u.other_actions]
        lines.append("")
    if u.flags:
        lines += ["### Flags", ""]
        for flag in u.flags:
            lines.append(
                f"- **{SEVERITY_MARKS[flag.severity]} `{flag.code}`**: {md(flag.message)}{_cite(flag.citations)}"
            )
            lines += [
                f"  - {e.date or ''} {md(e.fact)}".rstrip() + (f" ({code(e.ref)})" if e.ref else "")
                for e in flag.evidence
            ]
        lines.append("")
    lines += ["### Criteria", "", "| Criterion | Stage | Status | Why |", "|---|---|---|---|"]
    for c in u.criteria:
        role = f" *({c.role})*" if c.role != "required" else ""
        lines.append(f"| {md(c.title)}{role} | {c.stage} | {STATUS_MARKS[c.status]} | {md(c.summary)} |")
    lines.append("")
    for c in u.criteria:
        if not c.evidence:
            continue
        lines += [f"**{c.title}**{_cite(c.citations)}", ""]
        lines += [f"- {md(e.fact)}" + (f" ({code(e.ref)})" if e.ref else "") for e in c.evidence]
        lines.append("")
    if u.measurements:
        lines += ["### Measurements", "", "| Measure | Value | From |", "|---|---|---|"]
        for m, cites in u.measurements:
            value = "—" if m.value is None else f"{m.value} {m.unit}".strip()
            lines.append(f"| {md(m.name)} | {md(value)} | {md(m.detail)}{_cite(cites)} |")
        lines.append("")
    if u.missing_data:
        lines += ["### Missing data", ""]
        lines += [f"- {md(m.item)} *(for: {md(', '.join(m.needed_for))})*" for m in u.missing_data]
        lines.append("")
    return lines


def _cite(sources: tuple[Source, ...]) -> str:
    if not sources:
        return ""
    return " " + " ".join(f"[{s.id}{_marker(s)}]" for s in sources)


def _marker(source: Source) -> str:
    if source.unverified:
        return " — UNVERIFIED"
    return " — sijpath's own reading" if source.own_reading else ""


def comparison_markdown(comparison: Comparison) -> str:
    """Per joint, the side-by-side table, divergent rows marked, then one sentence per divergence."""
    assessments = comparison.assessments
    first = assessments[0]
    header = " | ".join(f"`{a.ruleset_id}` {a.ruleset_version}" for a in assessments)
    lines = [f"# Rule sets side by side: patient {md(first.patient_id)}, as of {first.as_of}", ""]
    for unit in comparison.units:
        lines += [f"## {unit.title}", "", f"| | {header} |", "|---" * (len(assessments) + 1) + "|"]
        for row in unit.rows:
            cells = [_cell(row.key, value) for value in row.cells]
            title = f"**{row.title}** ⚠" if row.divergent else row.title
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
        lines += ["", "⚠ marks a row where the rule sets disagree.", ""]
        if unit.divergences:
            lines += ["### Where they diverge", ""]
            lines += [f"- {md(sentence)}" for sentence in unit.divergences]
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
