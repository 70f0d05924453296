"""Terminal rendering of assessments and rule sets with Rich; text from a record prints without its control codes."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sijpath.engine.assessment import NOTICE, Assessment, UnitAssessment
from sijpath.engine.compare import Comparison
from sijpath.engine.ruleset import RuleSet
from sijpath.evidence.catalog import Source
from sijpath.markup import terminal_text as plain

__all__ = ["print_assessment", "print_comparison", "print_ruleset"]

STATUS_STYLE = {"met": ("✔ met", "green"), "not-met": ("✘ not met", "red"), "unknown": ("? unknown", "yellow")}
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
PRESENTATION = {"painful": "yes", "pain-free": "no", "not-recorded": "not recorded"}


def _sources(sources: tuple[Source, ...]) -> Text:
    text = Text()
    for source in sources:
        text.append(f" [{source.id}]", style="bold red" if source.unverified else "dim")
        if source.unverified:
            text.append(" UNVERIFIED", style="bold red")
        elif source.own_reading:
            text.append(" sijpath's own reading", style="magenta")
    return text


def print_assessment(console: Console, a: Assessment) -> None:
    header = Text.assemble(
        ("Patient ", "dim"),
        (plain(a.patient_id), "bold"),
        ("   Rule set ", "dim"),
        f"{a.ruleset_id} {a.ruleset_version}",
        ("   As of ", "dim"),
        str(a.as_of),
    )
    console.print(Panel(Group(header, Text(plain(a.summary))), title="sijpath assessment", border_style="cyan"))
    for unit in a.units:
        _print_unit(console, unit)
    if a.data_issues:
        console.print(Text("Data issues", style="bold magenta"))
        for issue in a.data_issues:
            console.print(
                f"  • {issue.severity}: {plain(issue.location)}: {plain(issue.message)}", highlight=False, markup=False
            )
    if a.unverified_sources:
        console.print(
            Text(
                "Rests in part on UNVERIFIED sources: " + ", ".join(s.id for s in a.unverified_sources),
                style="bold red",
            )
        )
    if a.own_reading_sources:
        console.print(
            Text(
                "Uses sijpath's own operational readings (no source states them): "
                + ", ".join(s.id for s in a.own_reading_sources),
                style="magenta",
            )
        )
    console.print(Text(NOTICE, style="italic dim"))


def _print_unit(console: Console, u: UnitAssessment) -> None:
    procedure = f" (CPT {u.next_step.procedure}, {u.key})" if u.next_step.procedure else ""
    step = Text.assemble(
        ("Stage ", "dim"),
        (u.stage, "bold"),
        ("   Pain on this side ", "dim"),
        PRESENTATION[u.presentation],
        "\n",
        ("Next step: ", "bold"),
        (u.next_step.title + procedure, "bold cyan"),
        "\n",
        plain(u.next_step.rationale),
    )
    step.append_text(_sources(u.next_step_citations))
    body: list[Text | Table] = [step]
    for action, cites in u.other_actions:
        line = Text.assemble(("  • ", "dim"), (action.title, "bold"), ": ", plain(action.rationale))
        line.append_text(_sources(cites))
        body.append(line)
    console.print(Panel(Group(*body), title=u.title, border_style="cyan"))

    if u.flags:
        console.print(Text(f"Flags ({u.title})", style="bold"))
        for flag in u.flags:
            line = Text.assemble(
                (f"  {flag.severity.upper():8}", SEVERITY_STYLE[flag.severity]),
                (flag.code, "bold"),
                ": ",
                plain(flag.message),
            )
            line.append_text(_sources(flag.citations))
            console.print(line)
        console.print()

    table = Table(title=f"Criteria ({u.title})", show_lines=True, expand=True)
    table.add_column("Criterion", ratio=3)
    table.add_column("Status", ratio=1, no_wrap=True)
    table.add_column("Why, and the facts behind it", ratio=6)
    for c in u.criteria:
        label, style = STATUS_STYLE[c.status]
        why = Text(plain(c.summary))
        for evidence in c.evidence:
            why.append(f"\n  · {plain(evidence.fact)}", style="dim")
        why.append_text(_sources(c.citations))
        title = Text(c.title + (f" ({c.role})" if c.role != "required" else ""))
        table.add_row(title, Text(label, style=style), why)
    console.print(table)

    if u.measurements:
        measures = Table(title=f"Measurements ({u.title})", expand=True)
        measures.add_column("Measure", ratio=2)
        measures.add_column("Value", ratio=1)
        measures.add_column("From", ratio=5)
        for m, cites in u.measurements:
            detail = Text(plain(m.detail), style="dim")
            detail.append_text(_sources(cites))
            measures.add_row(m.name, "—" if m.value is None else f"{m.value} {m.unit}".strip(), detail)
        console.print(measures)
    if u.missing_data:
        console.print(Text(f"Missing data ({u.title})", style="bold yellow"))
        for missing in u.missing_data:
            line = Text.assemble(f"  • {plain(missing.item)}  ", (f"(for {', '.join(missing.needed_for)})", "dim"))
            console.print(line, highlight=False)


def print_ruleset(console: Console, ruleset: RuleSet) -> None:
    console.print(
        Panel(
            Text.assemble(
                (ruleset.title, "bold"),
                f"  {ruleset.id} {ruleset.version}\n",
                (f"Issuer: {ruleset.issuer}; effective from {ruleset.effective_from}", "dim"),
                "\n\n",
                ruleset.description,
            )
        )
    )
    thresholds = Table(title="Thresholds")
    thresholds.add_column("Name")
    thresholds.add_column("Value")
    thresholds.add_column("Sources")
    for threshold in ruleset.thresholds.values():
        sources = tuple(ruleset.catalog[s] for s in threshold.cites)
        thresholds.add_row(threshold.name, str(threshold.value), _sources(sources))
    console.print(thresholds)
    rules = Table(title="Rules")
    rules.add_column("Id")
    rules.add_column("Title")
    rules.add_column("Stage")
    for criterion in ruleset.criteria:
        rules.add_row(criterion.id, criterion.title, criterion.stage)
    for flag in ruleset.flags:
        rules.add_row(flag.id, flag.title, flag.stage)
    console.print(rules)
    if ruleset.coverage:
        coverage = Table(title="Coverage")
        for column in ("Procedure", "Status", "Sources"):
            coverage.add_column(column)
        for statement in ruleset.coverage.values():
            coverage.add_row(
                statement.procedure, statement.status, _sources(tuple(ruleset.catalog[s] for s in statement.cites))
            )
        console.print(coverage)


def print_comparison(console: Console, comparison: Comparison) -> None:
    first = comparison.assessments[0]
    for unit in comparison.units:
        table = Table(
            title=f"Patient {plain(first.patient_id)}, {unit.title}, under {len(comparison.assessments)} rule sets, "
            f"as of {first.as_of}",
            show_lines=False,
            expand=True,
        )
        table.add_column("", ratio=3)
        for a in comparison.assessments:
            table.add_column(f"{a.ruleset_id}\n{a.ruleset_version}", ratio=2, overflow="fold")
        for row in unit.rows:
            cells = []
            for value in row.cells:
                if value is None:
                    cells.append(Text("—", style="dim"))
                elif row.key in ("next-step", "stage", "flags"):
                    cells.append(Text(value, style="bold" if row.key == "next-step" else ""))
                else:
                    label, style = STATUS_STYLE[value]
                    cells.append(Text(label, style=style))
            title = Text(row.title, style="bold yellow" if row.divergent else "")
            table.add_row(title, *cells)
        console.print(table)
        if unit.divergences:
            console.print(Text(f"Where they diverge ({unit.title})", style="bold yellow"))
            for sentence in unit.divergences:
                console.print(Text("  • " + plain(sentence)))
        else:
            console.print(Text("The rule sets agree on every criterion and on the next step.", style="green"))
    console.print(Text(NOTICE, style="italic dim"))
