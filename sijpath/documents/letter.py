"""Medical-necessity letters: every statement from a computed criterion, with its dated record facts and source."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sijpath.engine.assessment import LATERALITY_MODIFIERS, NOTICE, Assessment, CriterionResult, UnitAssessment
from sijpath.engine.requirements import Gap, requirements
from sijpath.engine.ruleset import CoverageStatement, RuleSet
from sijpath.errors import Problem, RequestNotSupportedError
from sijpath.evidence.catalog import Source
from sijpath.markup import markdown_code as code
from sijpath.markup import markdown_plain
from sijpath.markup import markdown_text as md
from sijpath.pathway.requests import procedure as procedure_of
from sijpath.pathway.requests import request_gaps, request_steps

__all__ = ["UNESCAPED_PIPE", "Letter", "build_letter", "letter_html", "letter_markdown"]

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
"""A table's own cell boundary: a pipe not escaped by `sijpath.markup`."""


@dataclass(frozen=True, slots=True)
class Letter:
    """The content of a letter; renderers only lay it out."""

    assessment: Assessment
    unit: UnitAssessment
    procedure: str
    procedure_name: str
    coverage: CoverageStatement | None
    documented: tuple[tuple[CriterionResult, str], ...]
    gaps: tuple[Gap, ...]
    catalog: Any
    policy_states_coverage: bool = False

    @property
    def draft(self) -> bool:
        return bool(self.gaps) or self.coverage_blocks

    @property
    def coverage_blocks(self) -> bool:
        """A payer policy that does not state the procedure as covered gives no basis for a letter."""
        if self.coverage is not None:
            return self.coverage.status != "covered"
        return self.policy_states_coverage

    @property
    def sources(self) -> list[Source]:
        used: dict[str, Source] = {}
        for criterion, _ in self.documented:
            for source in policy_sources(criterion.citations):
                used.setdefault(source.id, source)
        if self.coverage is not None:
            for source_id in self.coverage.cites:
                used.setdefault(source_id, self.catalog[source_id])
        return list(used.values())

    @property
    def side(self) -> str:
        """`CPT 27279-LT, left SI joint`: the procedure as an order names it."""
        modifier = LATERALITY_MODIFIERS.get(self.unit.key)
        return f"CPT {self.procedure}{'-' + modifier if modifier else ''}, {self.joint}"

    @property
    def joint(self) -> str:
        """`right SI joint`: the joint as the letter's sentences name it."""
        return self.unit.title[:1].lower() + self.unit.title[1:]


def build_letter(assessment: Assessment, unit: UnitAssessment, ruleset: RuleSet, procedure: str, draft: bool) -> Letter:
    """Assemble a letter for `procedure` on one joint under `ruleset`; without `draft`, refuse when anything is
    missing."""
    # A red flag (or one whose status is still to be confirmed) holds every SI-joint procedure: no letter, not even
    # a draft, may ask for one while it stands.
    holding = [f for f in unit.flags if f.severity == "critical"]
    if holding or unit.stage == "red-flags":
        problems = [Problem(f.code, f.message) for f in holding] or [Problem("red-flags", unit.next_step.rationale)]
        raise RequestNotSupportedError(
            f"no letter for CPT {procedure} on the {unit.title[:1].lower()}{unit.title[1:]}: a red flag holds every "
            "SI-joint procedure until it is worked up",
            problems,
        )
    found = request_gaps(unit, ruleset, procedure)
    coverage = ruleset.coverage.get(procedure)
    needed = {r.criterion.id: r.needed for r in requirements(ruleset, request_steps(unit, procedure))}
    documented = tuple((c, needed[c.id]) for c in unit.criteria if c.id in needed and c.status == needed[c.id])
    letter = Letter(
        assessment,
        unit,
        procedure,
        procedure_of(procedure).description,
        coverage,
        documented,
        tuple(found),
        ruleset.catalog,
        policy_states_coverage=bool(ruleset.coverage),
    )
    if letter.draft and not draft:
        problems = [
            Problem(
                g.criterion.id,
                f"{g.criterion.status.replace('-', ' ')}: {g.criterion.summary}; needed: {'; '.join(g.settle)}",
            )
            for g in found
        ]
        if letter.coverage_blocks:
            status = coverage.status if coverage is not None else "not listed"
            problems.insert(0, Problem("coverage", f"CPT {procedure} is {status} under {ruleset.id}"))
        raise RequestNotSupportedError(
            f"the record does not support {letter.side} under {ruleset.id} {ruleset.version}; "
            "use --draft for a letter that marks each gap",
            problems,
        )
    return letter


def _statement(criterion: CriterionResult, needed: str) -> str:
    return criterion.title if needed == "met" else f"Not the case: {criterion.title.lower()}"


def letter_markdown(letter: Letter) -> str:
    a = letter.assessment
    lines = [f"# Letter of medical necessity: {letter.side}", ""]
    if letter.draft:
        lines += [
            f"**DRAFT, NOT FOR SUBMISSION: {len(letter.gaps)} criterion(s) not documented (marked GAP)"
            + ("; this policy does not state the procedure as covered" if letter.coverage_blocks else "")
            + ".**",
            "",
        ]
    coverage = "not stated by this policy"
    if letter.coverage:
        cited = [letter.catalog[i] for i in letter.coverage.cites]
        # The reviewer sees, where the coverage is stated, that it rests on wording nobody has read.
        unread = [s.id for s in cited if s.unverified]
        coverage = (
            f"{letter.coverage.status}"
            + _cite_md(letter.coverage.cites)
            + (f" ({letter.coverage.note})" if letter.coverage.note else "")
            + (f"; **UNVERIFIED wording: {', '.join(unread)}**" if unread else "")
        )
    lines += [
        "| | |",
        "|---|---|",
        f"| Date | {a.as_of} |",
        f"| Patient | {md(a.patient_id)} |",
        f"| Procedure | CPT {letter.procedure}, {letter.procedure_name} |",
        f"| Side | {letter.unit.title} (modifier {LATERALITY_MODIFIERS.get(letter.unit.key, '—')}) |",
        f"| Policy | {a.ruleset_title}, `{a.ruleset_id}` version {a.ruleset_version} |",
        f"| Coverage under this policy | {coverage} |",
        "",
        "To the reviewer:",
        "",
        f"The record of patient {md(a.patient_id)} documents the criteria of {a.ruleset_title} for CPT "
        f"{letter.procedure} on the {letter.joint} listed below. Each statement rests on dated "
        "entries of the clinical record (record reference in brackets) and cites the source of the criterion.",
        "",
    ]
    for number, (criterion, needed) in enumerate(letter.documented, start=1):
        lines += [f"## {number}. {_statement(criterion, needed)}", ""]
        lines += [
            f"- {e.date or 'undated'}: {md(e.fact)}" + (f" [{code(e.ref)}]" if e.ref else "")
            for e in criterion.evidence
        ]
        cited = policy_sources(criterion.citations)
        lines += ["", "Source: " + ("; ".join(_label(s) for s in cited) or NO_POLICY_SOURCE), ""]
    for gap in letter.gaps:
        lines += [
            f"## GAP: {gap.criterion.title}",
            "",
            f"Not documented as needed ({gap.criterion.status.replace('-', ' ')}): {md(gap.criterion.summary)}.",
            "",
            "Needed: " + md("; ".join(gap.settle)),
            "",
        ]
    lines += ["## Sources", ""] + [f"- `{s.id}`: {_label(s)}" for s in letter.sources]
    lines += [
        "",
        "Prepared with sijpath from the clinical record. " + NOTICE,
        "",
        "Treating clinician: ______________________    Signature: ______________________    Date: __________",
        "",
    ]
    return "\n".join(lines)


def letter_html(letter: Letter) -> str:
    """The same letter as a standalone HTML page (escaped; no scripts, no external resources)."""
    body = []
    for line in letter_markdown(letter).splitlines():
        text = html.escape(markdown_plain(line)).replace("`", "")
        if line.startswith("# "):
            body.append(f"<h1>{text[2:]}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{text[3:]}</h2>")
        elif line.startswith("- "):
            body.append(f"<li>{text[2:]}</li>")
        elif line.startswith("| ") and not line.startswith("| |") and "---" not in line:
            # Split on the table's own pipes only: a `|` from the record is escaped and stays in its cell.
            cells = [
                html.escape(markdown_plain(c)).replace("`", "").strip() for c in UNESCAPED_PIPE.split(line.strip("|"))
            ]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        elif line.startswith("**"):
            body.append(f"<p class='draft'><strong>{text.strip('*')}</strong></p>")
        elif line.strip() and not line.startswith("|"):
            body.append(f"<p>{text}</p>")
    title = html.escape(f"Letter of medical necessity: {letter.side}")
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto;"
        "line-height:1.45}td{padding:.2rem .8rem;border-bottom:1px solid #ddd}.draft{color:#a00}</style>"
        "</head><body>\n" + "\n".join(_wrap_rows(body)) + "\n</body></html>\n"
    )


def _wrap_rows(body: list[str]) -> list[str]:
    out: list[str] = []
    for element in body:
        if element.startswith("<tr>") and (not out or not out[-1].startswith("<tr>")):
            out.append("<table>")
        if not element.startswith("<tr>") and out and out[-1].startswith("<tr>"):
            out.append("</table>")
        out.append(element)
    if out and out[-1].startswith("<tr>"):
        out.append("</table>")
    return out


NO_POLICY_SOURCE = "the clinical pathway's own criterion: no payer or guideline source in the catalog states it"


def policy_sources(citations: Sequence[Source]) -> list[Source]:
    """The citations a payer reviewer can weigh: patient-education articles are never the basis of a letter."""
    return [s for s in citations if s.verification != "source-article"]


def _label(source: Source) -> str:
    return source.label()


def _cite_md(ids: tuple[str, ...]) -> str:
    return " [" + ", ".join(ids) + "]" if ids else ""
