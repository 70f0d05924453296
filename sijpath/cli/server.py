"""`sijpath serve`, `sijpath db upgrade`, `sijpath audit verify`: running the web app."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sijpath.cli import users
from sijpath.cli.options import DatabaseOption, DataDirOption, settings_of
from sijpath.settings import Settings

__all__ = ["register"]


db_app = typer.Typer(help="The database: create or upgrade its schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
DEMO_USER, DEMO_PASSWORD = "demo-clinician", "sijpath-demo-only"


def _settings(data_dir: Path | None, database_url: str | None, **more: object) -> Settings:
    settings: Settings = settings_of(data_dir, database_url, **more)
    return settings


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Create the schema in a new database, or bring an existing one up to this sijpath's version."""
    # Imported here: the store and web stack load only for the commands that use them.
    from sijpath.store.database import upgrade
    from sijpath.wiring.server import open_database

    settings = _settings(data_dir, database_url)
    before, after = upgrade(open_database(settings, require_current=False))
    Console().print(f"database at revision {after}" + (f" (was {before or 'empty'})" if before != after else ""))


@audit_app.command("verify")
def audit_verify(
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
    expect: Annotated[
        str | None, typer.Option("--expect", help="SEQ:HASH of a head printed by an earlier run (catches a cut tail).")
    ] = None,
) -> None:
    """Check the hash chain of the audit trail; exit 1 and name each altered or deleted row. Keep the head it
    prints somewhere else and pass it as --expect next time: only that catches deleted newest rows."""
    # Imported here: the store and web stack load only for the commands that use them.
    from sijpath.store import audit
    from sijpath.wiring.server import open_database

    anchor = None
    if expect is not None:
        seq, _, digest = expect.partition(":")
        if not (seq.isdigit() and len(digest) == 64):
            raise typer.BadParameter("give SEQ:HASH as printed by `sijpath audit verify`", param_hint="--expect")
        anchor = (int(seq), digest)
    engine = open_database(_settings(data_dir, database_url))
    checked, problems = audit.verify(engine, anchor)
    console = Console()
    for problem in problems:
        console.print(f"[red]{problem}[/red]")
    if problems:
        raise typer.Exit(1)
    top = audit.head(engine)
    console.print(f"audit trail intact: {checked} rows")
    if top is not None:
        console.print(f"head {top[0]}:{top[1]} (record it elsewhere; pass it as --expect next time)", soft_wrap=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the example patients and a demo login.")] = False,
    examples: Annotated[Path, typer.Option(help="Example episodes for --demo.")] = Path("examples"),
    insecure_http: Annotated[
        bool, typer.Option("--insecure-http", help="Allow session cookies over plain HTTP (local use only).")
    ] = False,
    cds_base_url: Annotated[
        str | None, typer.Option("--cds-base-url", help="Public base URL of the CDS Hooks service (JWT aud).")
    ] = None,
    cds_issuer: Annotated[
        list[str] | None,
        typer.Option("--cds-issuer", help="A trusted CDS client: ISS=JWKS (a file path or URL); repeatable."),
    ] = None,
    cds_ruleset: Annotated[str | None, typer.Option("--cds-ruleset", help="Rule set of the CDS service.")] = None,
    cds_development_mode: Annotated[
        bool, typer.Option("--cds-development-mode", help="Do NOT verify CDS clients' JWTs (development only).")
    ] = False,
    web_app_url: Annotated[
        str | None, typer.Option("--web-app-url", help="Public URL of the web app, for links from CDS cards.")
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option("--trusted-proxy", help="Address or network of a reverse proxy to believe; repeatable."),
    ] = None,
    max_request_mb: Annotated[
        int | None, typer.Option("--max-request-mb", help="Largest request body on any route (default 32).")
    ] = None,
    cds_fhir_server: Annotated[
        list[str] | None,
        typer.Option("--cds-fhir-server", help="ISS=URL: a fhirServer base URL that issuer may name; repeatable."),
    ] = None,
    cds_allow_http_fhir_server: Annotated[
        bool,
        typer.Option("--cds-allow-http-fhir-server", help="Allow http:// fhirServers, JWTs still checked (testing)."),
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="Server processes (default: the machine's cores).")
    ] = None,
) -> None:
    """Run the clinician web app (and its REST API at /api) and the CDS Hooks service at /cds-services."""
    # Imported here: the store and web stack load only for the commands that use them.
    import uvicorn  # only the server needs it

    from sijpath.store.accounts import add_user, user_exists
    from sijpath.store.database import transaction, upgrade
    from sijpath.wiring.server import (
        SETTINGS_VARIABLE,
        cds_service,
        open_database,
        seed_examples,
        server_app,
        settle_collector,
        web_services,
    )

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings(
        data_dir,
        database_url,
        secure_cookies=not insecure_http,
        demo_login=(DEMO_USER, DEMO_PASSWORD) if demo else None,
        cds_base_url=cds_base_url,
        cds_trusted_issuers=_issuers(cds_issuer) if cds_issuer else None,
        cds_ruleset=cds_ruleset,
        cds_development_mode=cds_development_mode or None,
        web_app_url=web_app_url,
        trusted_proxies=tuple(trusted_proxy) if trusted_proxy else None,
        max_request_mb=max_request_mb,
        cds_fhir_servers=_fhir_servers(cds_fhir_server) if cds_fhir_server else None,
        cds_allow_http_fhir_server=cds_allow_http_fhir_server or None,
    )
    console = Console()
    if demo:
        upgrade(open_database(settings, require_current=False))
    engine = open_database(settings)
    services = web_services(settings, engine)
    if demo:
        seeded = seed_examples(services, examples)
        with transaction(engine) as connection:
            if not user_exists(connection, DEMO_USER):
                add_user(connection, DEMO_USER, DEMO_PASSWORD, "clinician", services.now())
        console.print(f"demo: {seeded} example patients seeded; sign in as {DEMO_USER} / {DEMO_PASSWORD}")
    cds = cds_service(settings, engine)
    if settings.cds_development_mode:
        console.print("[bold red]CDS Hooks DEVELOPMENT MODE: JWTs are not verified; never use with real data.[/]")
    if settings.cds_allow_http_fhir_server:
        console.print("[bold red]CDS Hooks: http:// fhirServers allowed; access tokens may cross networks in clear.[/]")
    count = workers or os.cpu_count() or 1
    console.print(
        f"sijpath on http://{host}:{port}/ and CDS Hooks at /cds-services, {count} worker(s) (database {settings.url})"
    )
    # Access logs carry paths with patient ids: off, so no patient data lands in logs. proxy_headers off: uvicorn
    # would believe X-Forwarded-For from any loopback caller; ClientAddress (wiring) believes only --trusted-proxy.
    options = {"access_log": False, "log_level": "warning", "proxy_headers": False}
    if count == 1:
        app = server_app(services, cds)
        settle_collector()
        uvicorn.run(app, host=host, port=port, **options)  # type: ignore[arg-type]
        return
    from sijpath.wiring.workers import run_workers

    # Every worker builds the same app from the same settings; what they share (sessions, the sign-in throttle,
    # the CDS replay cache) lives in the database.
    engine.dispose()
    os.environ[SETTINGS_VARIABLE] = settings.model_dump_json()
    run_workers("sijpath.wiring.server:served_from_environment", count, host, port, **options)


def _fhir_servers(given: list[str]) -> dict[str, tuple[str, ...]]:
    if any("=" not in item for item in given):
        raise typer.BadParameter("give each allowed fhirServer as ISS=URL", param_hint="--cds-fhir-server")
    allowed: dict[str, tuple[str, ...]] = {}
    for item in given:
        issuer, url = item.split("=", 1)
        allowed[issuer] = (*allowed.get(issuer, ()), url)
    return allowed


def _issuers(given: list[str]) -> dict[str, str]:
    if any("=" not in item for item in given):
        raise typer.BadParameter("give each trusted CDS client as ISS=JWKS", param_hint="--cds-issuer")
    return dict(item.split("=", 1) for item in given)


def register(app: typer.Typer) -> None:
    """Add the server, database, user and audit commands."""
    app.command()(serve)
    app.add_typer(db_app, name="db")
    users.register(app)
    app.add_typer(audit_app, name="audit")
