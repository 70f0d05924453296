"""The worklists' questions, asked of single result rows."""

from __future__ import annotations

import pytest

from sijpath.screening.rows import ResultRow
from sijpath.screening.worklists import WORKLISTS


def _row(flags: str) -> ResultRow:
    step = ("confirmation", "diagnostic-block", "")
    return ResultRow("p", "right", "r", "1", *step, flags, 0, 0, None, None, None, None)


@pytest.mark.parametrize("flag", ["block-technique-invalid", "lateral-branch-technique-invalid"])
def test_an_invalid_intra_articular_or_lateral_branch_block_puts_the_row_on_the_invalid_blocks_list(flag: str) -> None:
    (invalid_blocks,) = [w for w in WORKLISTS if w.name == "invalid-blocks"]
    assert invalid_blocks.holds(_row(f"cumulative-steroid-exposure;{flag}"))
    assert not invalid_blocks.holds(_row("cumulative-steroid-exposure"))
