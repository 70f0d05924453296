"""`sijpath episode upgrade`: a version-1 episode file rewritten as version 2, with what now reads differently."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sijpath import wiring
from sijpath.cli.options import InputFileArgument
from sijpath.errors import UsageError

__all__ = ["register"]

episode_app = typer.Typer(help="Episode files: upgrade to the current format.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(episode_app, name="episode")


@episode_app.command("upgrade")
def upgrade(
    file: InputFileArgument,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the upgraded episode here.")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite FILE itself.")] = False,
) -> None:
    """Rewrite an episode file as sijpath-episode/2, keeping its comments and layout; print what reads differently
    (to stderr), and the upgraded episode to stdout unless --output or --in-place is given."""
    if in_place and output is not None:
        raise UsageError("give either --output or --in-place, not both")
    result = wiring.upgrade_episode_file(file)
    errors = Console(stderr=True, soft_wrap=True)
    for note in result.notes:
        errors.print(f"note: {note}", highlight=False, markup=False)
    target = file if in_place else output
    if target is None:
        sys.stdout.write(result.text)
    elif result.changed or target != file:
        target.write_text(result.text, encoding="utf-8")
        errors.print(f"wrote {target}", highlight=False, markup=False)
