"""`sijpath users …`: accounts and API tokens from the server's shell; every change is audited as `cli:<os user>`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sijpath.cli.options import DatabaseOption, DataDirOption, cli_actor, settings_of

__all__ = ["register"]

users_app = typer.Typer(help="User accounts and API tokens (every change is audited).", no_args_is_help=True)
UserArgument = Annotated[str, typer.Argument(help="User name.")]


def _engine(data_dir: Path | None, database_url: str | None) -> Any:
    # Imported here: the store and web stack load only for the commands that use them.
    from sijpath.wiring.server import open_database

    return open_database(settings_of(data_dir, database_url))


def _change(data_dir: Path | None, database_url: str | None, work: Any) -> Any:
    from sijpath.store.database import transaction

    engine = _engine(data_dir, database_url)
    try:
        with transaction(engine) as connection:
            return work(connection, dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()


@users_app.command("add")
def users_add(
    username: UserArgument,
    role: Annotated[str, typer.Option("--role", help="clinician, staff, admin or auditor.")] = "clinician",
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a user; the password is asked for twice and never echoed."""
    from sijpath.store.accounts import add_user

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    _change(data_dir, database_url, lambda c, now: add_user(c, username, password, role, now, actor=cli_actor()))
    Console().print(f"user {username} ({role}) created")


@users_app.command("list")
def users_list(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """List the accounts: role, whether active, open sessions."""
    from sijpath.store.accounts import list_users

    table = Table()
    for column in ("User", "Role", "Active", "Sessions", "Created"):
        table.add_column(column)
    for row in _change(data_dir, database_url, lambda c, now: list_users(c)):
        table.add_row(
            row.username, row.role, "yes" if row.active else "DISABLED", str(row.sessions), str(row.created_at)
        )
    Console().print(table)


@users_app.command("disable")
def users_disable(username: UserArgument, data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Disable an account: its sessions end now and its API tokens stop working (until `enable`)."""
    from sijpath.store.accounts import set_active

    _change(data_dir, database_url, lambda c, now: set_active(c, username, False, now, actor=cli_actor()))
    Console().print(f"user {username} disabled; sessions ended, tokens refused")


@users_app.command("enable")
def users_enable(username: UserArgument, data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Enable a disabled account again (its unexpired, unrevoked tokens work again)."""
    from sijpath.store.accounts import set_active

    _change(data_dir, database_url, lambda c, now: set_active(c, username, True, now, actor=cli_actor()))
    Console().print(f"user {username} enabled")


@users_app.command("reset-password")
def users_reset_password(
    username: UserArgument, data_dir: DataDirOption = None, database_url: DatabaseOption = None
) -> None:
    """Set a new password (asked for twice, never echoed); every session of the account ends."""
    from sijpath.store.accounts import set_password

    password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    _change(data_dir, database_url, lambda c, now: set_password(c, username, password, now, actor=cli_actor()))
    Console().print(f"password of {username} changed; its sessions ended")


@users_app.command("role")
def users_role(
    username: UserArgument,
    role: Annotated[str, typer.Argument(help="clinician, staff, admin or auditor.")],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Change a user's role; it applies to the next request of every session and token."""
    from sijpath.store.accounts import set_role

    _change(data_dir, database_url, lambda c, now: set_role(c, username, role, now, actor=cli_actor()))
    Console().print(f"user {username} is now {role}")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="The user the integration acts as.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "integration",
    scope: Annotated[str, typer.Option("--scope", help="read, or read-write (write needs a clinician).")] = "read",
    days: Annotated[int, typer.Option("--days", help="Days until it expires (at most token_max_days).")] = 90,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an API token (shown once; only its hash is stored)."""
    from sijpath.store.tokens import create_token

    settings = settings_of(data_dir, database_url)

    def create(connection: Any, now: dt.datetime) -> str:
        return create_token(
            connection,
            username,
            label,
            now,
            scope=scope,
            days=days,
            max_days=settings.token_max_days,
            actor=cli_actor(),
        )

    typer.echo(_change(data_dir, database_url, create))


@users_app.command("tokens")
def users_tokens(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """List API tokens by id (never the token itself): user, label, scope, expiry, whether revoked."""
    from sijpath.store.tokens import list_tokens

    table = Table()
    for column in ("Id", "User", "Label", "Scope", "Expires", "State"):
        table.add_column(column, overflow="fold")
    now = dt.datetime.now(dt.UTC)
    for t in _change(data_dir, database_url, lambda c, _: list_tokens(c, username)):
        state = "revoked" if t.revoked else "expired" if t.expires_at <= now else "active"
        table.add_row(t.token_id, t.username, t.label, t.scope, t.expires_at.date().isoformat(), state)
    Console().print(table)


@users_app.command("revoke-token")
def users_revoke_token(
    token_id: Annotated[str, typer.Argument(help="The token's id, as `sijpath users tokens` lists it.")],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Revoke an API token: it stops working at once."""
    from sijpath.store.tokens import revoke_token

    row = _change(data_dir, database_url, lambda c, now: revoke_token(c, token_id, now, actor=cli_actor()))
    Console().print(f"token {row.token_id} of {row.username} ({row.label}) revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
