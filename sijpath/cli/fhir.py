"""`sijpath fhir …`: FHIR R4 export and import of episodes, and the generated FHIR code systems and examples."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
import yaml
from rich.console import Console

from sijpath import wiring
from sijpath.cli.options import InputFileArgument, InputFormat, InputFormatOption, PatientOption
from sijpath.domain.episode import EPISODE_FORMAT
from sijpath.domain.issues import DataIssue
from sijpath.fhir.guidance import CRITERION_SYSTEM, FLAG_SYSTEM, STEP_SYSTEM
from sijpath.fhir.vocabulary import OWN, OWN_CONCEPTS, code_system
from sijpath.fhir.writer import episode_bundle
from sijpath.markup import terminal_text
from sijpath.pathway.definition import SIJ_PATHWAY

__all__ = ["generated_files", "register"]

fhir_app = typer.Typer(help="FHIR R4: export an episode as a Bundle, import a Bundle or NDJSON folder.")
OutOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")]
VERSION = "2"


def _json(document: object) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)


def _report(issues: tuple[DataIssue, ...]) -> None:
    """What reading the record found, on standard error, so a redirected output stays clean."""
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    for issue in issues:
        console.print(
            f"{issue.severity}: {terminal_text(issue.location)}: {terminal_text(issue.message)}", markup=False
        )


@fhir_app.command("export")
def export(
    file: InputFileArgument,
    input_format: InputFormatOption = InputFormat.auto,
    patient: PatientOption = None,
    out: OutOption = None,
) -> None:
    """Write one patient's episode as a FHIR R4 collection Bundle that follows the sijpath profile."""
    record = wiring.load_record(file, input_format.value, patient)
    _report(record.issues)
    _write(_json(episode_bundle(record.episode)), out)


@fhir_app.command("import")
def import_command(
    file: InputFileArgument,
    input_format: InputFormatOption = InputFormat.auto,
    patient: PatientOption = None,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Write YAML instead of JSON.")] = False,
    out: OutOption = None,
) -> None:
    """Read one patient from a FHIR Bundle or NDJSON folder into a native episode file; issues go to stderr."""
    record = wiring.load_record(file, input_format.value, patient)
    _report(record.issues)
    document = record.episode.model_dump(mode="json", exclude_defaults=True)
    document = {"format": EPISODE_FORMAT, **document}
    data = yaml.safe_dump(document, sort_keys=False).encode() if as_yaml else _json(document)
    _write(data, out)


def generated_files(docs: Path, examples: Path) -> dict[Path, str]:
    """The FHIR artifacts generated from code: our code systems, and each example patient as a Bundle."""
    base = docs / "fhir"
    steps = [(step.code, step.title) for step in SIJ_PATHWAY.steps]
    # The first rule to raise a code names it (two rules share `injection-frequency-exceeded`).
    named: list[tuple[str, str]] = [(f.code, f.title) for f in SIJ_PATHWAY.flags]
    named += [(f.code, f.title) for f in SIJ_PATHWAY.decision_flags]
    flags = dict(reversed(named))
    systems = {
        "CodeSystem-sijpath.json": code_system(OWN, "SijpathRecord", "sijpath record concepts", OWN_CONCEPTS, VERSION),
        "CodeSystem-next-step.json": code_system(STEP_SYSTEM, "SijpathNextStep", "sijpath next steps", steps, VERSION),
        "CodeSystem-flag.json": code_system(
            FLAG_SYSTEM,
            "SijpathFlag",
            "sijpath flags",
            sorted(flags.items()),
            VERSION,
        ),
        "CodeSystem-criterion.json": code_system(
            CRITERION_SYSTEM,
            "SijpathCriterion",
            "sijpath criteria",
            sorted({c.id: c.title for c in SIJ_PATHWAY.criteria}.items()),
            VERSION,
        ),
    }
    files = {base / name: _json(system).decode() for name, system in systems.items()}
    from sijpath.outcomes.fhir_export import questionnaires  # here: it loads the store, which `assess` never needs

    for questionnaire in questionnaires():  # what the outcomes' QuestionnaireResponses name
        files[base / f"Questionnaire-{questionnaire['id']}.json"] = _json(questionnaire).decode()
    for path in sorted(examples.glob("*.yaml")):
        bundle = episode_bundle(wiring.load_episode(path))
        files[examples / "fhir" / f"{path.stem}.json"] = _json(bundle).decode()
    return files


def register(app: typer.Typer) -> None:
    """Add `sijpath fhir` to the application."""
    app.add_typer(fhir_app, name="fhir")
