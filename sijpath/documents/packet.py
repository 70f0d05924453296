"""The prior-authorization packet: the letter, the assessment summary, the dated evidence and the policy clauses."""

from __future__ import annotations

from sijpath.documents.letter import Letter, policy_sources, record_reference
from sijpath.documents.letter_text import letter_markdown
from sijpath.engine.assessment import LATERALITY_MODIFIERS, NOTICE
from sijpath.evidence.catalog import Source
from sijpath.markup import markdown_code, markdown_text

__all__ = ["clauses_markdown", "evidence_markdown", "packet_sections", "summary_markdown"]


def packet_sections(letter: Letter) -> list[str]:
    """The packet's parts in order, each as Markdown that starts a new page."""
    return [letter_markdown(letter), summary_markdown(letter), evidence_markdown(letter), clauses_markdown(letter)]


def summary_markdown(letter: Letter) -> str:
    """What sijpath concluded for this joint under the letter's policy, criterion by criterion."""
    a, unit = letter.assessment, letter.unit
    step = unit.next_step
    modifier = LATERALITY_MODIFIERS.get(unit.key)
    lines = [
        f"# Assessment summary: {unit.title}",
        "",
        f"Under {a.ruleset_title} ({a.ruleset_id} version {a.ruleset_version}), as of {a.as_of}.",
        "",
        f"Stage: {unit.stage.replace('-', ' ')}. Suggested next step: {step.title}"
        + (f" (CPT {step.procedure}{'-' + modifier if modifier else ''})" if step.procedure else "")
        + ".",
        "",
        f"Why: {markdown_text(step.rationale)}",
        "",
        "## Criteria",
        "",
        "| Criterion | Status | Finding |",
        "|---|---|---|",
    ]
    lines += [f"| {c.title} | {c.status.replace('-', ' ')} | {markdown_text(c.summary)} |" for c in unit.criteria]
    if unit.flags:
        lines += ["", "## Flags", ""] + [f"- {f.severity}: {markdown_text(f.message)}" for f in unit.flags]
    issues = a.data_issues
    if issues:
        lines += ["", "## Data issues", ""] + [f"- {markdown_text(i.message)}" for i in issues]
    lines += ["", NOTICE, ""]
    return "\n".join(lines)


def evidence_markdown(letter: Letter) -> str:
    """Every dated record entry any criterion of this joint rests on, oldest first, with the criteria it serves."""
    entries: dict[tuple[str, str, str | None], list[str]] = {}
    for criterion in letter.unit.criteria:
        for e in criterion.evidence:
            key = (e.date.isoformat() if e.date else "undated", e.fact, record_reference(e.ref))
            titles = entries.setdefault(key, [])
            if criterion.title not in titles:
                titles.append(criterion.title)
    lines = [f"# Dated evidence: {letter.unit.title}", "", f"Record {markdown_text(letter.episode.patient.id)}, as of "]
    lines[-1] += f"{letter.assessment.as_of}. Undated entries are listed last; they count for no dated criterion."
    lines.append("")
    ordered = sorted(entries.items(), key=lambda item: (item[0][0] == "undated", item[0][0], item[0][1]))
    for (date, fact, record), titles in ordered:
        where = f" (record entry {markdown_code(record)})" if record else ""
        lines.append(f"- {date}: {markdown_text(fact)}{where}. For: {'; '.join(titles)}")
    if not entries:
        lines.append("- No dated entries support any criterion of this joint.")
    lines.append("")
    return "\n".join(lines)


def clauses_markdown(letter: Letter) -> str:
    """The payer's own policies (the rule set's sources and its coverage statements'), as catalogued: what each
    states, and how far sijpath could verify it. Patient-education articles are never among them."""
    ruleset = letter.ruleset
    ids = [*ruleset.sources, *(i for c in ruleset.coverage.values() for i in c.cites)]
    # A study the rule set cites (a trial's selection criterion) is not a payer's policy clause.
    found = policy_sources([ruleset.catalog[i] for i in dict.fromkeys(ids)])
    cited = {s.id: s for s in found if not s.study}
    lines = [
        f"# Payer policy clauses: {ruleset.title}",
        "",
        f"{ruleset.issuer}; {ruleset.id} version {ruleset.version}, in force from {ruleset.effective_from}.",
        "",
    ]
    lines += [line for source in cited.values() for line in _clause(source)]
    if not cited:
        lines += ["No payer or guideline source of this rule set can be cited to a payer.", ""]
    return "\n".join(lines)


def _clause(source: Source) -> list[str]:
    where = ", ".join(
        part
        for part in (
            f"LCD {source.lcd}" if source.lcd else "",
            f"doi:{source.doi}" if source.doi else "",
            f"PMID {source.pmid}" if source.pmid else "",
            source.url or "",
        )
        if part
    )
    lines = [f"## {source.label()}", "", f"Issuer: {source.issuer}" + (f"; {where}" if where else "") + ".", ""]
    lines += [f"What it states (as catalogued): {source.supports}", ""]
    if source.note:
        lines += [f"Note: {source.note}", ""]
    if source.unverified:
        lines += ["> For the reviewer: UNVERIFIED wording; check it against the policy itself.", ""]
    elif source.own_reading:
        lines += ["> For the reviewer: sijpath's own reading, stated by no policy.", ""]
    return lines
