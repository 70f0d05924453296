"""The worklists: the questions a health system asks of the whole population, each answered from the result rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sijpath.screening.rows import ResultRow

__all__ = ["WORKLISTS", "Worklist"]

_STEROID_LIMITS = frozenset({"cumulative-steroid-exposure", "injection-frequency-exceeded"})
# Intra-articular and lateral branch blocks alike: a block whose technique means its relief cannot count.
_INVALID_BLOCKS = frozenset({"block-technique-invalid", "lateral-branch-technique-invalid"})


@dataclass(frozen=True, slots=True)
class Worklist:
    """One worklist: the rows (patient, joint, rule set) whose assessment puts them on it."""

    name: str
    question: str
    holds: Callable[[ResultRow], bool]


WORKLISTS: tuple[Worklist, ...] = (
    Worklist(
        "fusion-candidates",
        "Whose next step is a minimally invasive SI-joint fusion evaluation under the rule set?",
        lambda row: row.next_step == "fusion-evaluation",
    ),
    Worklist(
        "steroid-limits",
        "Who is past the corticosteroid exposure or injection-frequency limits?",
        lambda row: bool(_STEROID_LIMITS.intersection(row.flag_codes)),
    ),
    Worklist(
        "diminishing-relief",
        "Who is on repeated therapeutic injections with shortening relief?",
        lambda row: "diminishing-injection-relief" in row.flag_codes,
    ),
    Worklist(
        "invalid-blocks",
        "Whose diagnostic blocks do not meet the technique requirements?",
        lambda row: bool(_INVALID_BLOCKS.intersection(row.flag_codes)),
    ),
    Worklist(
        "post-fusion-follow-up",
        "Who is after a fusion, with routine follow-up as the next step?",
        lambda row: row.next_step == "post-fusion-follow-up",
    ),
)
