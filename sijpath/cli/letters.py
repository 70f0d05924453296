"""Commands that make documents from assessments: documentation gaps and medical-necessity letters."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markdown import Markdown

from sijpath import wiring
from sijpath.cli.options import (
    ContractorOption,
    InputFileArgument,
    InputFormat,
    InputFormatOption,
    JointOption,
    OutputFormat,
    PatientOption,
    RulesetOption,
    chosen_units,
    one_unit,
    parse_as_of,
)
from sijpath.documents.gaps import gaps_markdown
from sijpath.documents.letter import build_letter
from sijpath.documents.letter_text import letter_html, letter_markdown
from sijpath.errors import UsageError
from sijpath.pathway.assess import evaluate
from sijpath.pathway.requests import request_gaps
from sijpath.pathway.vocabulary import PROCEDURES
from sijpath.wiring.practice import practice_from

__all__ = ["register"]


class PaperSize(StrEnum):
    letter = "letter"
    a4 = "a4"


class LetterFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


ProcedureOption = Annotated[str, typer.Option("--for", help="CPT/HCPCS code of the procedure (27279, 64625, 27096…).")]


def _procedure(code: str) -> str:
    if code not in PROCEDURES:
        raise typer.BadParameter(f"{code!r} is not one of {', '.join(PROCEDURES)}", param_hint="--for")
    return code


def gaps(
    file: InputFileArgument,
    procedure: ProcedureOption,
    rulesets: Annotated[
        str | None, typer.Option("--rulesets", help="Comma-separated rule sets (default: all).")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this date (default: today).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    input_format: InputFormatOption = InputFormat.auto,
    patient: PatientOption = None,
    joint: JointOption = None,
    contractor: ContractorOption = None,
) -> None:
    """Documentation gaps for a procedure: per rule set and joint, each criterion still unmet or unknown and what
    settles it."""
    code = _procedure(procedure)
    if output is OutputFormat.fhir:
        raise UsageError("`sijpath gaps` writes text, json or markdown; FHIR output is for `sijpath assess`")
    record = wiring.load_record(file, input_format.value, patient)
    day = parse_as_of(as_of)
    chosen = [r.strip() for r in rulesets.split(",") if r.strip()] if rulesets else wiring.builtin_ruleset_ids()
    report = []
    for ruleset_id in chosen:
        ruleset = wiring.load_ruleset(ruleset_id, day, contractor)
        assessment = evaluate(record.episode, ruleset, day, record.issues)
        for unit in chosen_units(assessment, joint):
            report.append((ruleset, unit, request_gaps(unit, ruleset, code)))
    if output is OutputFormat.json:
        data = {
            "procedure": code,
            "as_of": day.isoformat(),
            "patient": {"id": record.episode.patient.id},
            "rulesets": [
                {
                    "id": r.id,
                    "version": r.version,
                    "joint": unit.key,
                    "coverage": r.coverage[code].status if code in r.coverage else None,
                    "gaps": [g.to_dict() for g in found],
                }
                for r, unit, found in report
            ],
        }
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        rows = [(r, unit.title, found) for r, unit, found in report]
        text = gaps_markdown(code, record.episode.patient.id, day, rows)
        if output is OutputFormat.markdown:
            sys.stdout.write(text)
        else:  # rendered for the terminal: headings and bold, not markdown syntax
            Console().print(Markdown(text))


NARRATIVE_MAX_CHARS = 20_000


def _narrative(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--narrative {path}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
    if len(text) > NARRATIVE_MAX_CHARS:
        raise UsageError(f"--narrative {path}: {len(text)} characters, more than {NARRATIVE_MAX_CHARS}")
    return text


def letter(
    file: InputFileArgument,
    procedure: ProcedureOption,
    ruleset: RulesetOption = wiring.DEFAULT_RULESET,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Letter date (default: today).")] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Write a draft that marks each gap instead of refusing.")
    ] = False,
    output: Annotated[LetterFormat, typer.Option("--format", "-f", help="Letter format.")] = LetterFormat.markdown,
    input_format: InputFormatOption = InputFormat.auto,
    patient: PatientOption = None,
    joint: JointOption = None,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (required for pdf).")] = None,
    contractor: ContractorOption = None,
    narrative: Annotated[
        Path | None, typer.Option("--narrative", help="A text file with the ordering physician's narrative.")
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option("--ordering-provider", help="Ordering provider (default: SIJPATH_ORDERING_PROVIDER)."),
    ] = None,
    npi: Annotated[
        str | None, typer.Option("--npi", help="The ordering provider's NPI (default: SIJPATH_ORDERING_PROVIDER_NPI).")
    ] = None,
    paper: Annotated[PaperSize, typer.Option("--paper", help="Page size of a PDF.")] = PaperSize.letter,
    packet: Annotated[
        bool,
        typer.Option("--packet", help="One PDF: the letter, assessment summary, dated evidence and policy clauses."),
    ] = False,
) -> None:
    """A medical-necessity letter for a procedure on one joint under a rule set; refuses (exit 4) when criteria are
    unmet or an identifier the payer needs is missing."""
    code = _procedure(procedure)
    if packet and output is not LetterFormat.pdf:
        output = LetterFormat.pdf  # a packet is one PDF
    if output is LetterFormat.pdf and out is None:
        raise typer.BadParameter("a PDF needs --output FILE", param_hint="--output")
    record = wiring.load_record(file, input_format.value, patient)
    day = parse_as_of(as_of)
    rules = wiring.load_ruleset(ruleset, day, contractor)
    assessment = evaluate(record.episode, rules, day, record.issues)
    practice = practice_from(os.environ, provider=provider, npi=npi)
    built = build_letter(
        assessment,
        one_unit(assessment, joint),
        rules,
        code,
        draft,
        episode=record.episode,
        practice=practice,
        narrative=_narrative(narrative),
    )
    if output is LetterFormat.pdf:
        from sijpath.documents import pdf  # fpdf2 loads only when a PDF is asked for
        from sijpath.documents.packet import packet_sections

        size: pdf.Paper = "a4" if paper is PaperSize.a4 else "letter"
        data = pdf.markdown_pdf(packet_sections(built), built, size) if packet else pdf.letter_pdf(built, size)
        assert out is not None  # checked above, before the record was read
        out.write_bytes(data)
        return
    text = letter_html(built) if output is LetterFormat.html else letter_markdown(built)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    """Add the document commands to the application."""
    app.command()(gaps)
    app.command()(letter)
