"""The `decision-aid` commands: a patient decision aid per joint (`decision-aid FILE`), or its IPDAS self-check."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich import box
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from sijpath import wiring
from sijpath.cli.options import (
    DatabaseOption,
    DataDirOption,
    InputFileArgument,
    JointOption,
    RulesetOption,
    chosen_units,
    parse_as_of,
    settings_of,
)
from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.answers import AidAnswers
from sijpath.decisionaid.check import CHECKS, CheckResult, check_aid, failures
from sijpath.decisionaid.fhir_note import note_bundle
from sijpath.decisionaid.note import note_markdown
from sijpath.decisionaid.render import aid_html, aid_markdown
from sijpath.outcomes.local_results import LocalResults
from sijpath.pathway.assess import evaluate
from sijpath.wiring.decision_aids import decision_aids, load_answers

__all__ = ["aids_for", "register"]

MAKE = "make"


class AidFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    pdf = "pdf"
    note = "note"  # the clinician's EHR note (Markdown) of the conversation
    fhir = "fhir"  # that note as a FHIR DocumentReference, the answers as a QuestionnaireResponse


class _AidCommands(TyperGroup):
    """`decision-aid FILE …` stays the way to make an aid: a first word that names no subcommand is `make`'s."""

    # The context type lives in Typer's private vendored Click; Any keeps sijpath off that private name.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [MAKE, *args]
        return super().parse_args(ctx, args)


aid_app = typer.Typer(
    cls=_AidCommands,
    no_args_is_help=True,
    help="A patient decision aid (IPDAS) per joint: `decision-aid FILE` makes it, `decision-aid check` checks it. "
    "It supports a conversation and is not a recommendation.",
)


def aids_for(
    file: Path, ruleset: str, as_of: str | None, joint: str | None = None, local: LocalResults | None = None
) -> list[Aid]:
    """One aid per chosen joint of the episode in `file`, with this clinic's own results when `local` is given."""
    record = wiring.load_record(file)
    day = parse_as_of(as_of)
    rules = wiring.load_ruleset(ruleset, day)
    assessment = evaluate(record.episode, rules, day, record.issues)
    # The day the aid is produced is the clock's; the as-of date only sets which facts are read.
    today = dt.date.today()
    units = chosen_units(assessment, joint)
    return decision_aids(assessment, rules, record.episode, units, local, generated_on=today)


def registry_results(as_of: str | None, data_dir: Path | None, database_url: str | None) -> LocalResults:
    """This clinic's own results from the outcomes registry in the database, as of the aid's day."""
    from sijpath.outcomes.local_results import local_results
    from sijpath.wiring.server import open_database  # the store loads only when the registry is asked for

    engine = open_database(settings_of(data_dir, database_url))
    try:
        with engine.connect() as connection:
            return local_results(connection, parse_as_of(as_of))
    finally:
        engine.dispose()


AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Date of the aid (default: today).")]
LocalResultsOption = Annotated[
    bool,
    typer.Option(
        "--local-results",
        help="Add this clinic's own results from the outcomes registry (the database of --data-dir or "
        "--database-url) beside the study numbers.",
    ),
]


AnswersOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="YAML/JSON file of the patient's answers (values, sure, leaning, discussed_with) for -f note or fhir.",
    ),
]


@aid_app.command(MAKE)
def make(
    file: InputFileArgument,
    ruleset: RulesetOption = wiring.DEFAULT_RULESET,
    as_of: AsOfOption = None,
    output: Annotated[
        AidFormat, typer.Option("--format", "-f", help="Aid format, or note / fhir for the EHR record of it.")
    ] = AidFormat.markdown,
    joint: JointOption = None,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (required for pdf).")] = None,
    answers_file: AnswersOption = None,
    with_local: LocalResultsOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Make the aid for each joint of FILE (the default: `decision-aid FILE` is `decision-aid make FILE`)."""
    if not with_local and (data_dir is not None or database_url is not None):
        raise typer.BadParameter("a database is read only with --local-results", param_hint="--local-results")
    local = registry_results(as_of, data_dir, database_url) if with_local else None
    aids = aids_for(file, ruleset, as_of, joint, local)
    if answers_file is not None and (output not in (AidFormat.note, AidFormat.fhir) or len(aids) != 1):
        raise typer.BadParameter("answers go with -f note or -f fhir, for one joint (--joint)", param_hint="--answers")
    if output is AidFormat.pdf:
        if out is None or len(aids) != 1:
            raise typer.BadParameter("a PDF needs --output FILE and one joint (--joint)", param_hint="--output")
        from sijpath.decisionaid.pdf import aid_pdf  # fpdf2 loads only when a PDF is asked for

        out.write_bytes(aid_pdf(aids[0]))
        return
    answers = load_answers(answers_file) if answers_file is not None else AidAnswers()
    if output is AidFormat.fhir:
        bundles = [note_bundle(aid, answers) for aid in aids]
        entries = [entry for bundle in bundles for entry in bundle["entry"]]
        data = orjson.dumps({**bundles[0], "entry": entries}, option=orjson.OPT_INDENT_2) + b"\n"
        if out is not None:
            out.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
        return
    if output is AidFormat.note:
        text = "\n".join(note_markdown(aid, answers) for aid in aids)
    else:
        render = aid_html if output is AidFormat.html else aid_markdown
        text = "".join(render(aid) for aid in aids)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


_MARKS = {"pass": "✓", "FAIL": "✗", "n/a": "-"}
# Columns of the check table: a heading and the criteria its cell shows, one mark each, in order.
_COLUMNS = (
    ("Q1-6", ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6")),
    ("C1-6", ("C1", "C2", "C3", "C4", "C5", "C6")),
    ("Frames", ("same-frame", "both-frames")),
    ("Grade", ("grade",)),
    ("Evid.", ("evidence",)),
    ("Stmt", ("statement",)),
)


def _cell(results: dict[str, CheckResult], codes: tuple[str, ...]) -> str:
    marks = "".join(_MARKS[results[code].status] for code in codes)
    if codes == ("grade",):
        reading = results["grade"].detail.split(",")[0].removeprefix("Flesch-Kincaid grade ")
        return f"{reading} {marks}"
    return marks


def _check_table(checked: list[tuple[str, Aid, list[CheckResult]]]) -> Table:
    table = Table(title="IPDAS self-check (✓ pass, ✗ fail, - not applicable: no options shown)", box=box.SIMPLE_HEAD)
    names = [(f"{name} {aid.joint.split()[0].lower()}", aid, results) for name, aid, results in checked]
    # File names are typed back into commands and stages are codes: both stay whole, the table grows instead.
    table.add_column("Aid (file, joint)", overflow="fold", min_width=max(len(n) for n, _, _ in names))
    table.add_column("Stage", overflow="fold", min_width=max(len(aid.stage) for _, aid, _ in names))
    for heading, _ in _COLUMNS:
        table.add_column(heading, justify="center", no_wrap=True)
    for name, aid, results in names:
        by_code = {r.code: r for r in results}
        table.add_row(name, aid.stage, *(_cell(by_code, codes) for _, codes in _COLUMNS))
    return table


@aid_app.command("check")
def check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Episode files (default: every *.yaml in --examples).")
    ] = None,
    examples: Annotated[Path, typer.Option(help="Folder of example episodes, used when no file is given.")] = Path(
        "examples"
    ),
    ruleset: RulesetOption = wiring.DEFAULT_RULESET,
    as_of: AsOfOption = None,
) -> None:
    """Run the IPDAS self-check on the aid of every joint of each file; exit 1 when any criterion fails."""
    paths = list(files) if files else sorted(examples.glob("*.yaml"))
    if not paths:
        raise typer.BadParameter(f"no episode files given and no *.yaml in {examples}", param_hint="FILES")
    checked = [(path.stem, aid, check_aid(aid)) for path in paths for aid in aids_for(path, ruleset, as_of)]
    console = Console(soft_wrap=True)
    console.print(_check_table(checked))
    legend = "; ".join(f"{code}: {words}" for code, words in CHECKS)
    console.print(f"Frames: same-frame then both-frames. {legend}.", highlight=False, markup=False)
    failed = [(name, aid, r) for name, aid, results in checked for r in failures(results)]
    for name, aid, result in failed:
        console.print(f"FAIL {name} ({aid.joint}) {result.criterion}: {result.detail}", highlight=False, markup=False)
    alarms = {aid.evidence_reviewed for _, aid, _ in checked if aid.evidence_stale}
    for reviewed in sorted(alarms):
        due = next(aid.evidence_due for _, aid, _ in checked if aid.evidence_reviewed == reviewed)
        console.print(
            f"STALE EVIDENCE: the outcome evidence was last reviewed {reviewed}; its review was due by {due}.",
            highlight=False,
            markup=False,
        )
    console.print(
        f"{len(checked)} aids checked from {len(paths)} files: "
        f"{len({(n, a.joint) for n, a, _ in failed})} with a failure.",
        highlight=False,
    )
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    """Add the decision-aid commands to the application."""
    app.add_typer(aid_app, name="decision-aid")
