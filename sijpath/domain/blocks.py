"""Diagnostic blocks: relief percent, technique validity and the agreement of two blocks."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Collection, Mapping
from typing import Literal, NamedTuple

from sijpath.domain.procedures import DiagnosticBlock

__all__ = ["BlockReading", "percent_text", "read_block", "relief_percent", "two_block_agreement"]

Validity = Literal["valid", "invalid", "unverifiable"]


@functools.lru_cache(maxsize=4096)
def relief_percent(pre_nrs: float, post_nrs: float) -> float:
    """Pain relief in percent from a pre and a post score on the same scale: (pre − post) / pre × 100.

    Raises ValueError when the pair cannot express relief (a pre score of 0, or a post score above the pre). Kept
    for the pairs asked most recently (a pure function; scores take few values, and rounding is slow).
    """
    if pre_nrs <= 0:
        raise ValueError(f"pre score {pre_nrs:g} leaves no pain to relieve")
    if post_nrs > pre_nrs:
        raise ValueError(f"post score {post_nrs:g} is higher than the pre score {pre_nrs:g}")
    # Rounded far below any clinical precision, so binary noise never puts an exact 75% at 74.999…% (or 55% at
    # 55.000…1%, which no truncation can show honestly).
    return round((pre_nrs - post_nrs) / pre_nrs * 100, 9)


def percent_text(value: float) -> str:
    """A percentage as words that never contradict a comparison: truncated, never rounded up across a threshold.

    `74.96` reads `74.9`, never `75`; `50.04` reads `50.04`, never `50`; a whole number reads without decimals.
    """
    if value == int(value):
        return f"{int(value)}"
    for places in range(1, 5):
        scale = 10**places
        shown = math.floor(value * scale) / scale
        if shown != int(shown):
            return f"{shown:.{places}f}".rstrip("0").rstrip(".")
    return f"{math.floor(value * 10_000) / 10_000:.4f}".rstrip("0").rstrip(".")


class BlockReading(NamedTuple):
    """What one diagnostic block shows: its relief, and whether its technique makes that relief count."""

    block: DiagnosticBlock
    relief_percent: float | None
    technique_problems: tuple[str, ...]
    unverified: tuple[str, ...]
    data_problem: str | None

    @property
    def validity(self) -> Validity:
        if self.technique_problems:
            return "invalid"
        if self.unverified or self.relief_percent is None:
            return "unverifiable"
        return "valid"

    def describe(self) -> str:
        """`block 2025-01-10, lidocaine only, fluoroscopy: NRS 8 → 1 at 30 min = 88% relief`."""
        b = self.block
        agents = " + ".join(a.drug for a in b.anesthetics)
        injectate = f"{agents} + {' + '.join(s.drug for s in b.steroids)}" if b.steroids else f"{agents} only"
        text = f"block {b.date} ({b.side or 'side not recorded'}), {injectate}, {_guidance_text(b.guidance)}"
        if b.pre_block_nrs is None or b.post_block_nrs is None:
            return f"{text}: pre/post pain scores not recorded"
        when = f" at {b.post_block_minutes} min" if b.post_block_minutes is not None else ""
        scores = f"NRS {b.pre_block_nrs:g} → {b.post_block_nrs:g}{when}"
        if self.relief_percent is None:
            return f"{text}: {scores}, relief not computable ({self.data_problem})"
        return f"{text}: {scores} = {percent_text(self.relief_percent)}% relief"


def read_block(
    block: DiagnosticBlock,
    *,
    accepted_guidance: Collection[str],
    anesthetic_window_minutes: Mapping[str, int],
    contrast_required: bool,
    min_pre_block_nrs: float | None = None,
    min_post_block_minutes: int | None = None,
) -> BlockReading:
    """Read a diagnostic block against the technique a rule set requires.

    A block counts only if it is anesthetic-only, guided by an accepted modality, with contrast where
    required, and its post score was taken while the anesthetic was active. Missing facts make the block
    unverifiable (never valid), and so does a pre score below `min_pre_block_nrs` (no pain to relieve). A post
    score read sooner than `min_post_block_minutes` after the injection is too early to count.
    """
    problems: list[str] = []
    unverified: list[str] = []
    # Each field read once: a field of a model costs more to read than a local name, and this runs for every block.
    contrast, anesthetics, minutes = block.contrast, block.anesthetics, block.post_block_minutes
    pre, post = block.pre_block_nrs, block.post_block_nrs
    if block.steroids:
        problems.append("injectate contains a corticosteroid (a diagnostic block is anesthetic-only)")
    _check_guidance(block.guidance, accepted_guidance, problems, unverified)
    if contrast_required and contrast is False:
        problems.append("no contrast was used")
    elif contrast_required and contrast is None:
        unverified.append("use of contrast not recorded")
    windows = [anesthetic_window_minutes.get(agent.drug) for agent in anesthetics]
    if None in windows:
        unknown = [a.drug for a, w in zip(anesthetics, windows, strict=True) if w is None]
        unverified.append(f"no duration of action known for {', '.join(unknown)}")
    elif minutes is None:
        unverified.append("time of the post-block score not recorded")
    else:
        window = max(w for w in windows if w is not None)
        if min_post_block_minutes is not None and minutes < min_post_block_minutes:
            problems.append(
                f"post-block score at {minutes} min was read too early (at least "
                f"{min_post_block_minutes} min after the injection)"
            )
        if minutes > window:
            problems.append(f"post-block score at {minutes} min is outside the anesthetic's {window}-minute window")

    relief: float | None = None
    data_problem: str | None = None
    if pre is None or post is None:
        unverified.append("pre- or post-block pain score not recorded")
    else:
        try:
            relief = relief_percent(pre, post)
        except ValueError as exc:
            data_problem = str(exc)
        if relief is not None and min_pre_block_nrs is not None and pre < min_pre_block_nrs:
            relief = None
            data_problem = f"pre score {pre:g} is below {min_pre_block_nrs:g}: too little pain for relief to be read"
    return BlockReading(block, relief, tuple(problems), tuple(unverified), data_problem)


Agreement = Literal["concordant-positive", "concordant-negative", "discordant", "indeterminate"]


def two_block_agreement(
    first: BlockReading, second: BlockReading, positive: Callable[[BlockReading], bool]
) -> Agreement:
    """Whether two valid blocks agree about the joint: both positive, both negative, or one of each.

    `positive` is the rule set's test of a block (`≥75%`, or `>50%`), so agreement follows the rule set.
    """
    if first.validity != "valid" or second.validity != "valid":
        return "indeterminate"
    first_positive, second_positive = positive(first), positive(second)
    if first_positive and second_positive:
        return "concordant-positive"
    if not first_positive and not second_positive:
        return "concordant-negative"
    return "discordant"


def _check_guidance(
    guidance: str | None, accepted: Collection[str], problems: list[str], unverified: list[str]
) -> None:
    if guidance in accepted:
        return  # the usual case, checked first: every block of every assessment passes here
    needs = " or ".join(sorted(accepted))
    if guidance is None:
        unverified.append("image guidance not recorded")
    elif guidance == "fluoroscopy-or-ct":
        # CPT 27096 says "fluoroscopy or CT" without saying which; it counts only if either would.
        if not {"fluoroscopy", "ct"} <= set(accepted):
            if {"fluoroscopy", "ct"} & set(accepted):
                unverified.append(f"guidance recorded as fluoroscopy or CT, not which (needs {needs})")
            else:
                problems.append(f"guidance fluoroscopy or CT is not accepted (needs {needs})")
    elif guidance not in accepted:
        problems.append(f"guidance `{guidance}` is not accepted (needs {needs})")


def _guidance_text(guidance: str | None) -> str:
    if guidance is None:
        return "guidance not recorded"
    return {
        "ct": "CT-guided",
        "fluoroscopy": "fluoroscopy",
        "fluoroscopy-or-ct": "fluoroscopy or CT",
        "ultrasound": "ultrasound",
        "none": "no image guidance",
    }[guidance]
