"""The `sijpath` command line: thin commands over wiring, with errors mapped to exit codes in one place."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sijpath import wiring
from sijpath.cli import (
    bulk,
    cds,
    decision_aid,
    disputes,
    episodes,
    fhir,
    letters,
    outcomes,
    reassess,
    screening,
    server,
)
from sijpath.cli.options import (
    ContractorOption,
    InputFileArgument,
    InputFormat,
    InputFormatOption,
    OutputFormat,
    PatientOption,
    RulesetOption,
    emit,
    parse_as_of,
)
from sijpath.cli.render import print_assessment, print_comparison, print_ruleset
from sijpath.documents.markdown import assessment_markdown, comparison_markdown
from sijpath.documents.reference import evidence_markdown, rules_markdown
from sijpath.domain.document import episode_json_schema
from sijpath.engine.compare import compare
from sijpath.errors import (
    EvidenceCatalogError,
    InputError,
    RequestNotSupportedError,
    RuleSetError,
    SijpathError,
    UsageError,
)
from sijpath.fhir.guidance import assessment_bundle
from sijpath.markup import terminal_text
from sijpath.pathway.assess import evaluate
from sijpath.pathway.definition import SIJ_PATHWAY

__all__ = ["EXIT_CODES", "app", "main", "run"]

# The one mapping from errors to exit codes. 2 = the input cannot be used; 3 = sijpath's own data is broken.
EXIT_CODES: tuple[tuple[type[SijpathError], int], ...] = (
    (InputError, 2),
    (RuleSetError, 2),
    (EvidenceCatalogError, 3),
    (RequestNotSupportedError, 4),
    (UsageError, 2),
    (SijpathError, 1),
)
INTERNAL_ERROR = 70

app = typer.Typer(
    name="sijpath",
    help="Clinical decision support for sacroiliac-joint pain: an explained, cited care pathway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rulesets_app = typer.Typer(help="List and inspect rule sets.", no_args_is_help=True)
app.add_typer(rulesets_app, name="rulesets")
letters.register(app)
fhir.register(app)
server.register(app)
cds.register(app)
episodes.register(app)
outcomes.register(app)
decision_aid.register(app)
screening.register(app)
reassess.register(app)
bulk.register(app)
disputes.register(app)
docs_app = typer.Typer(help="Generated reference documentation.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@app.command()
def assess(
    file: InputFileArgument,
    ruleset: RulesetOption = wiring.DEFAULT_RULESET,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assess as of this date (default: today).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    input_format: InputFormatOption = InputFormat.auto,
    patient: PatientOption = None,
    contractor: ContractorOption = None,
) -> None:
    """Assess one patient's episode: where they stand, the next step, and why."""
    record = wiring.load_record(file, input_format.value, patient)
    day = parse_as_of(as_of)
    assessment = evaluate(record.episode, wiring.load_ruleset(ruleset, day, contractor), day, record.issues)
    emit(
        output,
        assessment.to_dict,
        lambda: assessment_markdown(assessment),
        lambda console: print_assessment(console, assessment),
        lambda: assessment_bundle(assessment),
    )


@app.command("compare")
def compare_command(
    file: InputFileArgument,
    rulesets: Annotated[
        str | None,
        typer.Option("--rulesets", help="Comma-separated rule-set ids or .toml paths (default: all built-in)."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Compare as of this date (default: today).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    input_format: InputFormatOption = InputFormat.auto,
    patient: PatientOption = None,
    contractor: ContractorOption = None,
) -> None:
    """Assess one patient under several rule sets side by side and say where they diverge."""
    record = wiring.load_record(file, input_format.value, patient)
    day = parse_as_of(as_of)
    if rulesets:
        loaded = [wiring.load_ruleset(r.strip(), day, contractor) for r in rulesets.split(",") if r.strip()]
    else:  # every built-in rule set in force on the date
        loaded = [
            wiring.load_ruleset(r, day, contractor)
            for r in wiring.builtin_ruleset_ids()
            if any(v.in_force(day) for v in wiring.builtin_versions(r))
        ]
    comparison = compare([evaluate(record.episode, ruleset, day, record.issues) for ruleset in loaded])
    emit(
        output,
        comparison.to_dict,
        lambda: comparison_markdown(comparison),
        lambda console: print_comparison(console, comparison),
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the episode file format."""
    sys.stdout.write(episode_json_schema())


@app.command()
def demo(
    examples: Annotated[Path, typer.Option(help="Folder of example episodes.")] = Path("examples"),
    as_of: Annotated[str, typer.Option("--as-of", help="Assess as of this date.")] = "2026-11-01",
    ruleset: RulesetOption = wiring.DEFAULT_RULESET,
) -> None:
    """Assess every example patient, show one full report, then one patient under every rule set side by side."""
    files = sorted(p for p in examples.glob("*.yaml"))
    if not files:
        raise typer.BadParameter(f"no example episodes (*.yaml) in {examples}", param_hint="--examples")
    console = Console()
    day = parse_as_of(as_of)
    rules = wiring.load_ruleset(ruleset, day)
    table = Table(title=f"{len(files)} example patients under {rules.title} {rules.version}, as of {day}")
    for column in ("Patient", "Joint", "Stage", "Next step", "Flags"):
        table.add_column(column, overflow="fold")  # codes are read and copied: never cut them
    assessments = [evaluate(wiring.load_episode(path), rules, day) for path in files]
    for a in assessments:
        for u in a.units:
            table.add_row(a.patient_id, u.key, u.stage, u.next_step.code, ", ".join(f.code for f in u.flags) or "—")
    console.print(table)
    featured = next(
        (a for a in assessments if any(u.next_step.code == "fusion-evaluation" for u in a.units)), assessments[0]
    )
    console.print()
    print_assessment(console, featured)
    divergent = examples / "payer-smoker.yaml"
    if divergent.exists():
        console.print()
        episode = wiring.load_episode(divergent)
        others = [wiring.load_ruleset(r, day) for r in wiring.builtin_ruleset_ids()]
        print_comparison(console, compare([evaluate(episode, r, day) for r in others]))


@rulesets_app.command("list")
def rulesets_list() -> None:
    """List the built-in rule sets."""
    table = Table()
    ids = wiring.builtin_ruleset_ids()
    # Ids are typed back into commands, so they never wrap; the prose columns give way instead.
    table.add_column("Id", no_wrap=True, min_width=max((len(i) for i in ids), default=2))
    for column in ("Version", "Title", "Issuer", "In force"):
        table.add_column(column)
    for ruleset_id in ids:
        for version in wiring.builtin_versions(ruleset_id):
            rs = wiring.load_ruleset(ruleset_id, version.effective_from)
            span = f"{version.effective_from} → {version.effective_to or 'now'}"
            if version.contractors:
                span += " (" + ", ".join(wiring.MEDICARE_CONTRACTORS[c] for c in version.contractors) + ")"
            table.add_row(rs.id, rs.version, rs.title, rs.issuer, span)
    Console().print(table)


@rulesets_app.command("check")
def rulesets_check(file: Annotated[Path, typer.Argument(help="Rule-set .toml file to validate.")]) -> None:
    """Validate a rule-set file (and what it extends); print a summary, or every problem with exit code 2."""
    ruleset = wiring.load_ruleset(str(file))
    Console().print(
        f"{file}: valid rule set `{ruleset.id}` {ruleset.version} — {len(ruleset.criteria)} criteria, "
        f"{len(ruleset.flags)} flags, {len(ruleset.thresholds)} thresholds, "
        f"{len(ruleset.coverage)} coverage statements",
        highlight=False,
    )


@rulesets_app.command("show")
def rulesets_show(
    ruleset: Annotated[str, typer.Argument(help="Rule-set id or .toml path.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Show the version in force on this date.")] = None,
) -> None:
    """Show a rule set's thresholds, rules and coverage, with sources (the latest version unless --as-of)."""
    print_ruleset(Console(), wiring.load_ruleset(ruleset, parse_as_of(as_of) if as_of else None))


@docs_app.command("generate")
def docs_generate(
    out: Annotated[Path, typer.Option(help="Folder to write rules.md, evidence.md and fhir/ into.")] = Path("docs"),
    examples: Annotated[Path, typer.Option(help="Folder of example episodes (their Bundles go to fhir/).")] = Path(
        "examples"
    ),
    check: Annotated[
        bool, typer.Option("--check", help="Only check the files are up to date (exit 1 if not).")
    ] = False,
) -> None:
    """Write the generated docs (rules, evidence, FHIR code systems, example Bundles), or check they are fresh."""
    pages = {
        out / "rules.md": rules_markdown([wiring.load_ruleset(i) for i in wiring.builtin_ruleset_ids()], SIJ_PATHWAY),
        out / "evidence.md": evidence_markdown(wiring.load_catalog()),
        **fhir.generated_files(out, examples),
    }
    stale = [path for path, text in pages.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if check:
        if stale:
            names = ", ".join(str(p) for p in stale)
            Console(stderr=True).print(f"stale generated docs: {names}; run `sijpath docs generate`")
            raise typer.Exit(1)
        return
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[path], encoding="utf-8")
    Console().print(f"wrote {', '.join(str(p) for p in stale) or 'nothing (up to date)'}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every sijpath error becomes a one-paragraph message and its exit code, never a traceback."""
    try:
        # Without standalone mode, click returns the code of `typer.Exit` instead of exiting.
        result = app(args=argv, standalone_mode=False)
    except SijpathError as exc:
        # An error can quote the input (a patient id, a field): its control codes are not sent to the terminal.
        Console(stderr=True, soft_wrap=True).print(f"error: {terminal_text(str(exc))}", highlight=False, markup=False)
        return next(code for kind, code in EXIT_CODES if isinstance(exc, kind))
    except typer.Abort:
        return 130
    except BrokenPipeError:
        _reader_left()
        return 0
    except typer.TyperException as exc:  # usage errors: bad option, bad --as-of, missing argument
        exc.show()  # type: ignore[attr-defined]
        return int(exc.exit_code)
    except Exception as exc:  # a bug: say so plainly instead of dumping a traceback on a clinician
        Console(stderr=True).print(
            "internal error (a bug in sijpath; please report it with the input): "
            f"{type(exc).__name__}: {terminal_text(str(exc))}",
            highlight=False,
            markup=False,
        )
        return INTERNAL_ERROR
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_left()
    sys.exit(code)


def _reader_left() -> None:
    """The reader closed the pipe (`sijpath demo | head`): not an error; keep the final flush from failing."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
