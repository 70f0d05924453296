"""`sijpath bulk export`: a FHIR server's Bulk Data export downloaded into a folder `sijpath screen` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["register"]

bulk_app = typer.Typer(help="FHIR Bulk Data: export a population from a FHIR server.", no_args_is_help=True)


@bulk_app.command("export")
def bulk_export(
    base_url: Annotated[str, typer.Argument(help="The FHIR server's base URL.")],
    out: Annotated[Path, typer.Option("--output", "-o", help="Folder for the NDJSON files and manifest.json.")],
    client_id: Annotated[str | None, typer.Option("--client-id", help="SMART Backend Services client id.")] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="JWKS file with the client's private key (RS384 or ES384).")
    ] = None,
    kid: Annotated[str | None, typer.Option("--kid", help="Which key of the JWKS file, when it holds several.")] = None,
    token_url: Annotated[
        str | None, typer.Option("--token-url", help="Token endpoint (default: from .well-known/smart-configuration).")
    ] = None,
    scope: Annotated[str, typer.Option("--scope", help="Scopes to ask for.")] = "system/*.read",
    types: Annotated[
        list[str] | None, typer.Option("--type", help="Resource type to export (_type); repeat for several.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only resources changed since this instant (_since).")
    ] = (None),
    group: Annotated[str | None, typer.Option("--group", help="Export the patients of this Group.")] = None,
    patients: Annotated[bool, typer.Option("--patients", help="Export every patient (Patient/$export).")] = False,
    max_wait: Annotated[
        int, typer.Option("--max-wait-minutes", help="Stop polling after this long (rerun to go on).", min=1)
    ] = 360,
) -> None:
    """Kick off a Bulk Data export, poll it as the server asks, and download its files; rerun to resume."""
    import datetime as dt

    from sijpath.screening.bulk_client import ExportRequest
    from sijpath.wiring.bulk import export_from_server

    errors = Console(stderr=True, highlight=False)
    request = ExportRequest(base_url, out, tuple(types or ()), since, group, patients, dt.timedelta(minutes=max_wait))
    result = export_from_server(
        request,
        client_id=client_id,
        key_file=key,
        kid=kid,
        token_url=token_url,
        scope=scope,
        progress=lambda message: errors.print(message, markup=False),
    )
    Console(soft_wrap=True, highlight=False).print(
        f"{len(result.files)} file(s)"
        + (f", {len(result.errors)} error file(s)" if result.errors else "")
        + f" written to {out} (transaction time {result.transaction_time or 'not given'})"
        + (", resumed" if result.resumed else "")
        + f"\nnext: sijpath screen {out} -o SCREEN-FOLDER",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(bulk_app, name="bulk")
