"""The letter laid out as Markdown, and that Markdown as a standalone HTML page (escaped, no scripts)."""

from __future__ import annotations

import html

from sijpath.documents.letter import NO_POLICY_SOURCE, Letter, Statement
from sijpath.engine.assessment import LATERALITY_MODIFIERS, NOTICE
from sijpath.markup import TABLE_PIPE, markdown_code, markdown_plain, markdown_text

__all__ = ["enclosures", "letter_html", "letter_markdown", "markdown_fragment", "markdown_html"]


def _missing(value: object, what: str) -> str:
    return str(value) if value else f"MISSING: {what}"


def _cell(text: str) -> str:
    """Record text in a table cell: escaped, so a pipe or a tag in it stays text inside its cell."""
    return markdown_text(text)


def letter_markdown(letter: Letter) -> str:
    a, patient, practice = letter.assessment, letter.episode.patient, letter.practice
    lines = [f"# {_cell(_missing(practice.name, 'practice name (set SIJPATH_PRACTICE_NAME)'))}"]
    contact = [markdown_text(line) for line in practice.address_lines]
    contact += [f"Phone {markdown_text(practice.phone)}"] if practice.phone else []
    contact += [f"Fax {markdown_text(practice.fax)}"] if practice.fax else []
    lines += [" · ".join(contact)] if contact else []
    lines.append("")
    if letter.draft:
        reasons = [f"{len(letter.gaps)} criterion(s) not documented (marked GAP)"] if letter.gaps else []
        if letter.coverage_blocks:
            reasons.append("this policy does not state the procedure as covered")
        if letter.missing:
            reasons.append(f"{len(letter.missing)} required item(s) missing (marked MISSING)")
        lines += [f"**DRAFT, NOT FOR SUBMISSION: {'; '.join(reasons)}.**", ""]
    lines += [f"Date: {a.as_of}", "", f"To: Utilization review, {letter.ruleset.issuer}", ""]
    lines += [f"## Re: Letter of medical necessity: {letter.side}", ""]
    provider = _missing(practice.provider, "ordering provider (set SIJPATH_ORDERING_PROVIDER)")
    npi = _missing(practice.npi, "NPI (set SIJPATH_ORDERING_PROVIDER_NPI)")
    diagnoses = "; ".join(f"{d.code} {d.display or ''} (recorded {d.recorded_date})".strip() for d in letter.diagnoses)
    pain_side = letter.episode.pain.laterality
    lines += [
        "| | |",
        "|---|---|",
        f"| Patient | {_cell(_missing(patient.name, 'patient name (not in the record)'))} |",
        f"| Date of birth | {_missing(patient.birth_date, 'date of birth (not in the record)')} |",
        f"| Member ID | {_cell(_missing(patient.member_id, 'member ID (not in the record)'))} |",
        f"| Record number | {_cell(patient.id)} |",
        f"| Procedure | CPT {letter.code}: {letter.procedure_name} |",
        f"| Side | {letter.unit.title} (CPT modifier {LATERALITY_MODIFIERS.get(letter.unit.key, '—')})"
        + (f"; pain recorded as {pain_side}" if pain_side else "")
        + " |",
        f"| Diagnosis (ICD-10-CM) | {_cell(diagnoses or 'MISSING: ICD-10-CM diagnosis (none active in the record)')} |",
        f"| Ordering provider | {_cell(provider)}, NPI {npi} |",
        f"| Policy | {a.ruleset_title}, {a.ruleset_id} version {a.ruleset_version} |",
        f"| Coverage under this policy | {_coverage(letter)} |",
        "",
        "To the reviewer:",
        "",
        f"I request authorization of {letter.procedure_name[:1].lower()}{letter.procedure_name[1:]} (CPT "
        f"{letter.code}) on the {letter.joint} of {patient.name or 'this patient'}. Below, each criterion of "
        f"{a.ruleset_title} for this procedure is stated against the clause of the policy it answers, with the dated "
        "entries of the clinical record that meet it.",
        "",
    ]
    if letter.narrative:
        lines += ["## Physician's narrative", "", *(markdown_text(line) for line in letter.narrative.splitlines()), ""]
    elif letter.draft:
        lines += ["## Physician's narrative", "", "Not given: add the ordering physician's own account.", ""]
    for number, statement in enumerate(letter.statements, start=1):
        lines += [f"## {number}. {statement.title}", "", *_statement(statement), ""]
    for gap in letter.gaps:
        c = gap.criterion
        lines += [
            f"## GAP: {c.title}",
            "",
            f"Not documented as needed ({c.status.replace('-', ' ')}): {markdown_text(c.summary)}.",
            "",
            "Needed: " + markdown_text("; ".join(gap.settle)),
            "",
        ]
    for item in letter.missing:
        lines += [f"**MISSING: {item.what}.** Supply it through {item.where}.", ""]
    lines += ["## Enclosures", "", *(f"- {e}" for e in enclosures(letter)), ""]
    lines += ["## Policy references", ""]
    lines += [f"- {s.id}: {s.label()}" for s in letter.sources] or [f"- {NO_POLICY_SOURCE}"]
    lines += [
        "",
        "Prepared with sijpath from the clinical record. " + NOTICE,
        "",
        f"Ordering provider: {provider}, NPI {npi}",
        "",
        "Signature: ______________________    Date: __________",
        "",
    ]
    return "\n".join(lines)


def _coverage(letter: Letter) -> str:
    if letter.coverage is None:
        return "not stated by this policy"
    cited = [letter.catalog[i] for i in letter.coverage.cites]
    # The reviewer sees, where the coverage is stated, that it rests on wording nobody has read.
    unread = [s.id for s in cited if s.unverified]
    return (
        letter.coverage.status
        + (" [" + ", ".join(letter.coverage.cites) + "]" if letter.coverage.cites else "")
        + (f" ({_cell(letter.coverage.note)})" if letter.coverage.note else "")
        + (f"; **UNVERIFIED wording: {', '.join(unread)}**" if unread else "")
    )


def _statement(statement: Statement) -> list[str]:
    if statement.payer:
        lines = ["Payer policy: " + "; ".join(s.label() for s in statement.payer)]
    else:
        lines = ["Payer policy: no clause of this payer's policy states this criterion; it is part of the rule set."]
    if statement.other:
        lines.append("Also stated by: " + "; ".join(s.label() for s in statement.other))
    if not statement.payer and not statement.other:
        lines.append("Source: " + NO_POLICY_SOURCE)
    for requirement in statement.requirements:
        cites = ", ".join(s.id for s in requirement.sources)
        if requirement.policy:
            lines.append(f"- Policy value: {requirement.text}" + (f" ({cites})" if cites else ""))
        else:
            # Not a payer's clause: the rule set's own value, with what it rests on.
            note = f"; {markdown_text(requirement.note)}" if requirement.note else ""
            lines.append(
                f"- Rule set value, not a payer policy clause: {requirement.text}"
                + (f" ({cites})" if cites else "")
                + note
            )
    lines += ["", "Documented in the record:"]
    lines += [
        f"- {f.date}: {markdown_text(f.text)}" + (f" (record entry {markdown_code(f.record)})" if f.record else "")
        for f in statement.facts
    ] or ["- (the criterion holds on what the record does not contain; see its summary)"]
    lines.append(f"- In sum: {markdown_text(statement.criterion.summary)}")
    for source in statement.for_review:
        kind = "UNVERIFIED: its wording was not read from the source" if source.unverified else "sijpath's own reading"
        lines.append(f"> For the reviewer: {source.id} is {kind}; check it before submission.")
    return lines


def enclosures(letter: Letter) -> list[str]:
    """What goes with the letter: the packet's parts, then the records of every date the letter cites."""
    dates = sorted({f.date for s in letter.statements for f in s.facts if f.date != "undated"})
    found = [
        "Assessment summary for the " + letter.joint,
        "Dated evidence list (every record entry cited above)",
        "The payer policy clauses cited",
    ]
    if dates:
        found.append("Clinical records of " + ", ".join(dates))
    return found


def markdown_html(markdown: str, title: str) -> str:
    """The few Markdown forms the letters use as one escaped HTML page (no scripts, no external resources)."""
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto;"
        "line-height:1.45}td,th{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left}"
        ".draft{color:#a00}.review{color:#7a4a00;font-style:italic}</style>"
        "</head><body>\n" + markdown_fragment(markdown) + "\n</body></html>\n"
    )


def markdown_fragment(markdown: str, top: int = 1) -> str:
    """The Markdown as escaped HTML elements, headings from level `top` (2 inside a page that has its own h1)."""
    body = []
    for line in markdown.splitlines():
        # Our own markup comes off first; then the record's escaped characters read as themselves, escaped for HTML.
        text = html.escape(markdown_plain(line.replace("**", "").replace("`", "")))
        if line.startswith(("# ", "## ", "### ")):
            marks = len(line.split(" ", 1)[0])
            level = marks + top - 1
            body.append(f"<h{level}>{text[marks + 1 :]}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<li>{text[2:]}</li>")
        elif line.startswith("> "):
            body.append(f"<p class='review'>{text[5:]}</p>")
        elif line.startswith("| ") and not line.startswith("| |") and "---" not in line:
            # Split on the table's own pipes only: a `|` from the record is escaped and stays in its cell.
            raw = TABLE_PIPE.split(line.replace("**", "").replace("`", "").strip().strip("|"))
            cells = [html.escape(markdown_plain(c)).strip() for c in raw]
            body.append(f"<tr><th scope='row'>{cells[0]}</th>" + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
        elif line.startswith("**"):
            body.append(f"<p class='draft'><strong>{text}</strong></p>")
        elif line.strip() and not line.startswith("|"):
            body.append(f"<p>{text}</p>")
    return "\n".join(_wrap(body))


def letter_html(letter: Letter) -> str:
    """The letter as a standalone HTML page."""
    return markdown_html(letter_markdown(letter), f"Letter of medical necessity: {letter.side}")


def _wrap(body: list[str]) -> list[str]:
    """Table rows in a table and list items in a list."""
    out: list[str] = []
    for element in body:
        kind = element[:4]
        previous = out[-1][:4] if out else ""
        if previous in ("<tr>", "<li>") and kind != previous:
            out.append("</table>" if previous == "<tr>" else "</ul>")
        if kind in ("<tr>", "<li>") and kind != previous:
            out.append("<table>" if kind == "<tr>" else "<ul>")
        out.append(element)
    if out and out[-1][:4] in ("<tr>", "<li>"):
        out.append("</table>" if out[-1][:4] == "<tr>" else "</ul>")
    return out
