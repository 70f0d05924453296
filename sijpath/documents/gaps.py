"""Documentation gaps for a procedure, per rule set: what is still unmet or unknown, and what would settle it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sijpath.engine.requirements import Gap
from sijpath.engine.ruleset import RuleSet
from sijpath.markup import markdown_text as md
from sijpath.pathway.requests import procedure as procedure_of

__all__ = ["gaps_markdown"]


def gaps_markdown(
    procedure: str, patient_id: str, as_of: dt.date, report: Sequence[tuple[RuleSet, str, Sequence[Gap]]]
) -> str:
    """`report`: (rule set, joint title, gaps) for every rule set and assessed joint."""
    lines = [
        f"# Documentation gaps for CPT {procedure} ({procedure_of(procedure).description})",
        "",
        f"Patient {md(patient_id)}, as of {as_of}.",
        "",
    ]
    for ruleset, joint, found in report:
        coverage = ruleset.coverage.get(procedure)
        status = f"{coverage.status} under this policy when its criteria are met" if coverage else "not stated"
        lines += [f"## {joint} — {ruleset.title} (`{ruleset.id}` {ruleset.version}): CPT {procedure} {status}", ""]
        if not found:
            if coverage is not None and coverage.status == "covered":
                lines += ["No gaps: every criterion this rule set sets for the procedure is documented.", ""]
            elif coverage is None and not ruleset.coverage:
                lines += ["No gaps in the criteria (this rule set does not speak to coverage).", ""]
            else:
                lines += [
                    f"No criterion gaps, but this rule set does not state CPT {procedure} as covered ({status}).",
                    "",
                ]
            continue
        for gap in found:
            c = gap.criterion
            needed = md("; ".join(gap.settle))
            lines.append(f"- **{md(c.title)}**: {c.status.replace('-', ' ')} ({md(c.summary)}); needed: {needed}")
        lines.append("")
    return "\n".join(lines)
