"""`sijpath outcomes …`: the cohort report, the staff due list and a synthetic demo cohort, over the database."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sijpath.cli.options import DatabaseOption, DataDirOption, parse_as_of, settings_of

__all__ = ["register"]

outcomes_app = typer.Typer(
    help="The outcomes registry: cohort report, due list, synthetic demo data.", no_args_is_help=True
)
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Report as of this date (default: today).")]


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    csv = "csv"


def _engine(data_dir: Path | None, database_url: str | None) -> Any:
    # Imported here: the store loads only for the commands that use it.
    from sijpath.wiring.server import open_database

    return open_database(settings_of(data_dir, database_url))


ProcedureOption = Annotated[str | None, typer.Option(help="fusion, rfa or therapeutic-injection.")]
PayerOption = Annotated[str | None, typer.Option(help="Only procedures with this payer.")]
FromOption = Annotated[str | None, typer.Option("--from", help="Procedures on or after (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Procedures on or before (YYYY-MM-DD).")]
RulesetFilterOption = Annotated[
    str | None, typer.Option("--ruleset", help="Rule set in force when the decision was made.")
]


def _filters(
    procedure: str | None, payer: str | None, performed_from: str | None, performed_to: str | None, ruleset: str | None
) -> tuple[dict[str, str], Any]:
    """The filters as the report names them, and the registry's WHERE clause for them."""
    from sijpath.store.outcomes import cohort_filter

    _check_procedure(procedure)
    start, end = _day(performed_from, "--from"), _day(performed_to, "--to")
    chosen = (("procedure", procedure), ("payer", payer), ("from", start), ("to", end), ("rule set", ruleset))
    where = cohort_filter(procedure=procedure, payer=payer, performed_from=start, performed_to=end, ruleset_id=ruleset)
    return {k: str(v) for k, v in chosen if v}, where


@outcomes_app.command("report")
def outcomes_report(
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.markdown,
    as_of: AsOfOption = None,
    procedure: ProcedureOption = None,
    payer: PayerOption = None,
    performed_from: FromOption = None,
    performed_to: ToOption = None,
    ruleset: RulesetFilterOption = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Per procedure and time point: N, mean change, responder, opioid and bridging shares with 95% intervals,
    missing follow-up, and the published results beside them (a different population)."""
    from sijpath import wiring
    from sijpath.outcomes.rendering import report_csv, report_html, report_markdown
    from sijpath.outcomes.report import build_report
    from sijpath.store.outcomes import cohort_rows

    day = parse_as_of(as_of)
    filters, where = _filters(procedure, payer, performed_from, performed_to, ruleset)
    catalog = wiring.load_catalog()
    published = wiring.load_published_results()
    sources = {s: catalog[s].label() for s in {r.source for r in published} | _threshold_sources()}
    engine = _engine(data_dir, database_url)
    try:
        with engine.connect() as connection:
            report = build_report(cohort_rows(connection, where), day, published, filters=filters, sources=sources)
    finally:
        engine.dispose()
    render = {ReportFormat.markdown: report_markdown, ReportFormat.html: report_html, ReportFormat.csv: report_csv}
    sys.stdout.write(render[output](report))


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _threshold_sources() -> set[str]:
    from sijpath.outcomes.responders import THRESHOLDS

    return {t.source for t in THRESHOLDS}


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


@outcomes_app.command("export")
def outcomes_export(
    output: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or parquet.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The file to write (CSV: default stdout).")] = None,
    procedure: ProcedureOption = None,
    payer: PayerOption = None,
    performed_from: FromOption = None,
    performed_to: ToOption = None,
    ruleset: RulesetFilterOption = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The registry, one row per entry with its index procedure (columns: docs/outcomes.md's data dictionary),
    with the report's filters. The rows identify patients: keep the file as the record itself is kept."""
    from sijpath.outcomes.export import write_export
    from sijpath.store.outcomes import registry_export_batches

    _, where = _filters(procedure, payer, performed_from, performed_to, ruleset)
    if out is None and output is ExportFormat.parquet:
        raise typer.BadParameter("Parquet is binary: name a file to write", param_hint="--out")
    engine = _engine(data_dir, database_url)
    try:
        with engine.connect() as connection:
            batches = registry_export_batches(connection, where)
            written = write_export(batches, out or sys.stdout.buffer, parquet=output is ExportFormat.parquet)
    except OSError as exc:  # pyarrow's own errors for an unwritable path are OSErrors too
        from sijpath.errors import UsageError

        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        engine.dispose()
    if out is not None:
        Console(stderr=True).print(f"wrote {written} rows to {out}")


def _check_procedure(procedure: str | None) -> None:
    from sijpath.outcomes.schedule import PROCEDURES

    if procedure is not None and procedure not in PROCEDURES:
        # A misspelt procedure matched nothing and printed an empty report as if the registry had none.
        raise typer.BadParameter(f"{procedure!r} is not one of {', '.join(PROCEDURES)}", param_hint="--procedure")


@outcomes_app.command("due")
def outcomes_due(as_of: AsOfOption = None, data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Follow-ups staff should collect now: windows open on the day with nothing entered, closing soonest first."""
    from sijpath.outcomes.registry import due_list

    day = parse_as_of(as_of)
    engine = _engine(data_dir, database_url)
    try:
        with engine.connect() as connection:
            items = due_list(connection, day)
    finally:
        engine.dispose()
    table = Table(title=f"{len(items)} follow-ups due or overdue on {day}")
    for column in ("Patient", "Joint", "Procedure", "Time point", "Status", "Target", "Window closes"):
        table.add_column(column, overflow="fold")
    for i in items:
        table.add_row(i.patient_id, i.joint, i.procedure, i.time_point, i.status, str(i.target), str(i.closes))
    Console().print(table)


@outcomes_app.command("synthetic")
def outcomes_synthetic(
    patients: Annotated[int, typer.Option(min=1, max=200_000, help="Synthetic patients to generate.")] = 500,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same cohort.")] = 15,
    as_of: AsOfOption = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Add a deterministic synthetic cohort (labelled synthetic in every report) for demonstration."""
    from sijpath.outcomes.synthetic import SYNTHETIC_FIRST_DAY, store_synthetic
    from sijpath.store.database import transaction

    day = parse_as_of(as_of)
    if day <= SYNTHETIC_FIRST_DAY:  # the cohort's procedures fall between its first day and this one
        raise typer.BadParameter(f"{day} must be after {SYNTHETIC_FIRST_DAY}", param_hint="--as-of")
    engine = _engine(data_dir, database_url)
    try:
        with transaction(engine) as connection:
            stored = store_synthetic(connection, patients, seed=seed, now=dt.datetime.now(dt.UTC), as_of=day)
    finally:
        engine.dispose()
    Console().print(f"stored {stored} SYNTHETIC outcome entries for {patients} synthetic patients (seed {seed})")


@outcomes_app.command("export-fhir")
def outcomes_export_fhir(
    patient: Annotated[str, typer.Option("--patient", help="The patient whose outcomes to export.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """One patient's index procedures and outcomes as a FHIR collection Bundle (docs/fhir-profile.md section 7)."""
    import orjson

    from sijpath.outcomes.fhir_export import patient_outcomes_bundle

    engine = _engine(data_dir, database_url)
    try:
        with engine.connect() as connection:
            bundle = patient_outcomes_bundle(connection, patient)
    finally:
        engine.dispose()
    data = orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)


@outcomes_app.command("import-fhir")
def outcomes_import_fhir(
    bundle: Annotated[Path, typer.Argument(help="A FHIR Bundle of outcome Observations and QuestionnaireResponses.")],
    value_set: Annotated[Path | None, typer.Option(help="An EQ-5D-5L value set (TOML) to compute the index.")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Read outcomes from a FHIR Bundle into the registry: every entry checked first, any problem imports nothing."""
    from sijpath.errors import UnreadableInputError
    from sijpath.outcomes.eq5d import parse_value_set
    from sijpath.outcomes.fhir_import import import_outcomes
    from sijpath.store.database import transaction

    try:
        data = bundle.read_bytes()
        values = parse_value_set(value_set.read_text(encoding="utf-8"), str(value_set)) if value_set else None
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {exc.filename}: {exc.strerror}") from None
    engine = _engine(data_dir, database_url)
    try:
        with transaction(engine) as connection:
            result = import_outcomes(
                connection, data, str(bundle), actor="cli", now=dt.datetime.now(dt.UTC), value_set=values
            )
    finally:
        engine.dispose()
    for issue in result.issues:
        sys.stderr.write(f"{issue.severity}: {issue.location}: {issue.message}\n")
    Console().print(f"imported {result.entries_added} entries ({result.procedures_added} new index procedures)")


def register(app: typer.Typer) -> None:
    app.add_typer(outcomes_app, name="outcomes")
