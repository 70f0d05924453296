"""`sijpath disputes …`: the facts two sources record differently, and choosing the right one (audited)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sijpath.cli.options import DatabaseOption, DataDirOption, cli_actor, settings_of

__all__ = ["register"]

disputes_app = typer.Typer(help="Disputed facts: list them, resolve one (audited).", no_args_is_help=True)
PatientArgument = Annotated[str, typer.Argument(help="Patient id.")]


def _services(data_dir: Path | None, database_url: str | None) -> Any:
    # Imported here: the store and web stack load only for the commands that use them.
    from sijpath.wiring.server import open_database, web_services

    settings = settings_of(data_dir, database_url)
    return web_services(settings, open_database(settings))


@disputes_app.command("list")
def disputes_list(
    patient: PatientArgument, data_dir: DataDirOption = None, database_url: DatabaseOption = None
) -> None:
    """The patient's disputed facts: each source and the values it gives."""
    from sijpath.domain.disputes import disputes
    from sijpath.markup import terminal_text
    from sijpath.store import episodes as store

    services = _services(data_dir, database_url)
    try:
        with services.engine.connect() as connection:
            stored = store.load_episode(connection, patient)
    finally:
        services.engine.dispose()
    found = disputes(stored.record_issues)
    if not found:
        Console().print(f"no disputed facts for patient {terminal_text(patient)} (version {stored.version})")
        return
    table = Table(title=f"patient {terminal_text(patient)}, version {stored.version}")
    for column in ("Fact", "Field", "record", "other"):
        table.add_column(column)
    for dispute in found:
        for name, held, other in dispute.values:
            table.add_row(
                terminal_text(dispute.ref),
                name,
                f"{terminal_text(held)} ({terminal_text(dispute.held_source)})",
                f"{terminal_text(other)} ({terminal_text(dispute.other_source)})",
            )
    Console().print(table)


@disputes_app.command("resolve")
def disputes_resolve(
    patient: PatientArgument,
    fact: Annotated[str, typer.Argument(help="The disputed fact, as `disputes list` names it (e.g. inj-2).")],
    keep: Annotated[str, typer.Option("--keep", help="record (the value held here) or other (the other source's).")],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Keep one source's values for a disputed fact; audited as `resolve-dispute` by `cli:<os user>`."""
    from sijpath.store import episodes as store
    from sijpath.store.accounts import User
    from sijpath.web.removal import resolve

    services = _services(data_dir, database_url)
    try:
        with services.engine.connect() as connection:
            version = store.load_episode(connection, patient).version
        resolve(services, User(cli_actor(), "clinician"), patient, fact, keep, version, "localhost")
    finally:
        services.engine.dispose()
    Console().print(f"dispute on {fact} resolved: {keep}'s values kept (version {version + 1})")


def register(app: typer.Typer) -> None:
    app.add_typer(disputes_app, name="disputes")
