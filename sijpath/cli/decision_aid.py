"""The `decision-aid` command: a patient decision aid per joint, or its IPDAS self-check."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sijpath import wiring
from sijpath.cli.options import InputFileArgument, JointOption, RulesetOption, chosen_units, parse_as_of
from sijpath.decisionaid.aid import Aid, build_aid
from sijpath.decisionaid.check import check_aid
from sijpath.decisionaid.evidence import load_outcome_evidence
from sijpath.decisionaid.render import aid_html, aid_markdown
from sijpath.pathway.assess import evaluate

__all__ = ["aids_for", "register"]


class AidFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


def aids_for(file: Path, ruleset: str, as_of: str | None, joint: str | None = None) -> list[Aid]:
    """One aid per chosen joint of the episode in `file`."""
    record = wiring.load_record(file)
    day = parse_as_of(as_of)
    rules = wiring.load_ruleset(ruleset, day)
    assessment = evaluate(record.episode, rules, day, record.issues)
    catalog = wiring.load_catalog()
    evidence = load_outcome_evidence(catalog)
    return [build_aid(assessment, unit, evidence, catalog, rules.coverage) for unit in chosen_units(assessment, joint)]


def decision_aid(
    file: InputFileArgument,
    ruleset: RulesetOption = wiring.DEFAULT_RULESET,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the aid (default: today).")] = None,
    output: Annotated[AidFormat, typer.Option("--format", "-f", help="Aid format.")] = AidFormat.markdown,
    joint: JointOption = None,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (required for pdf).")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Run the IPDAS self-check instead; exit 1 on a failure.")
    ] = False,
) -> None:
    """A patient decision aid (IPDAS) per joint; it supports a conversation and is not a recommendation."""
    aids = aids_for(file, ruleset, as_of, joint)
    if check:
        failed = False
        for aid in aids:
            for result in check_aid(aid):
                failed = failed or not result.passed
                mark = "pass" if result.passed else "FAIL"
                sys.stdout.write(f"{aid.joint}\t{mark}\t{result.criterion}\t{result.detail}\n")
        raise typer.Exit(1 if failed else 0)
    if output is AidFormat.pdf:
        if out is None or len(aids) != 1:
            raise typer.BadParameter("a PDF needs --output FILE and one joint (--joint)", param_hint="--output")
        from sijpath.decisionaid.pdf import aid_pdf  # fpdf2 loads only when a PDF is asked for

        out.write_bytes(aid_pdf(aids[0]))
        return
    render = aid_html if output is AidFormat.html else aid_markdown
    text = "".join(render(aid) for aid in aids)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    """Add the decision-aid command to the application."""
    app.command("decision-aid")(decision_aid)
