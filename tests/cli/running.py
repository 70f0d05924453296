"""Running the `sijpath` command in-process, as the console script does: exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from sijpath.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
