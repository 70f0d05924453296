"""EQ-5D-5L: five answers as a health state, and its index from a value set the user loads as data.

sijpath ships no EQ-5D questionnaire wording and no value set: both are EuroQol's, and their use needs EuroQol's
permission (docs/outcomes.md). A deployment that holds a licence loads its value set from a TOML file; without
one, the five answers are stored and the index is left empty, never guessed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sijpath.errors import InputError, Problem

__all__ = ["EQ5D_DIMENSIONS", "Eq5dValueSet", "eq5d_index", "health_state", "parse_value_set"]

EQ5D_DIMENSIONS = ("mobility", "self_care", "usual_activities", "pain_discomfort", "anxiety_depression")
LEVELS = 5


@dataclass(frozen=True, slots=True)
class Eq5dValueSet:
    """An additive value set: 1 − constant (when any dimension is above level 1) − one decrement per dimension."""

    id: str
    title: str
    licence: str
    source: str
    constant: float
    decrements: Mapping[str, tuple[float, ...]]  # per dimension, levels 1–5 (level 1 is 0)


def health_state(answers: Sequence[int], field: str = "eq5d") -> str | list[Problem]:
    """The five answers (1–5 each, in the order of EQ5D_DIMENSIONS) as a health state such as `21143`."""
    if len(answers) != len(EQ5D_DIMENSIONS):
        return [Problem(field, f"needs {len(EQ5D_DIMENSIONS)} answers, got {len(answers)}")]
    problems = [
        Problem(f"{field}.{EQ5D_DIMENSIONS[i]}", f"{a} is not a level 1–{LEVELS}")
        for i, a in enumerate(answers)
        if isinstance(a, bool) or not isinstance(a, int) or not 1 <= a <= LEVELS
    ]
    return problems or "".join(str(a) for a in answers)


def eq5d_index(state: str, value_set: Eq5dValueSet) -> float:
    """The index of a valid health state under the value set."""
    levels = [int(c) for c in state]
    index = 1.0 - (value_set.constant if any(level > 1 for level in levels) else 0.0)
    for dimension, level in zip(EQ5D_DIMENSIONS, levels, strict=True):
        index -= value_set.decrements[dimension][level - 1]
    return index


def parse_value_set(text: str, origin: str) -> Eq5dValueSet:
    """A value set from TOML (`[value_set]` with id, title, licence, source, constant, and `[value_set.decrements]`
    giving five numbers per dimension); every problem is named by field."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{origin}: not valid TOML ({exc})") from None
    table = data.get("value_set")
    if not isinstance(table, dict):
        raise InputError(f"{origin}: no [value_set] table")
    problems = [
        Problem(f"value_set.{key}", "required text")
        for key in ("id", "title", "licence", "source")
        if not isinstance(table.get(key), str) or not table[key].strip()
    ]
    constant = table.get("constant", 0.0)
    if isinstance(constant, bool) or not isinstance(constant, int | float):
        problems.append(Problem("value_set.constant", "must be a number"))
    raw = table.get("decrements")
    decrements: dict[str, tuple[float, ...]] = {}
    if not isinstance(raw, dict):
        problems.append(Problem("value_set.decrements", f"required: five numbers for each of {EQ5D_DIMENSIONS}"))
        raw = {}
    for dimension in EQ5D_DIMENSIONS:
        values = raw.get(dimension)
        if (
            not isinstance(values, list)
            or len(values) != LEVELS
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in values)
        ):
            problems.append(Problem(f"value_set.decrements.{dimension}", f"must be {LEVELS} numbers (levels 1–5)"))
        elif values[0] != 0:
            # Level 1 is "no problems", the reference: a decrement there would put full health below 1.
            problems.append(Problem(f"value_set.decrements.{dimension}", f"level 1 must be 0, not {values[0]}"))
        else:
            decrements[dimension] = tuple(float(v) for v in values)
    unknown = sorted(set(raw) - set(EQ5D_DIMENSIONS))
    problems += [Problem(f"value_set.decrements.{name}", "not an EQ-5D dimension") for name in unknown]
    if problems:
        raise InputError(f"{origin}: not a usable EQ-5D-5L value set", problems)
    return Eq5dValueSet(
        id=table["id"],
        title=table["title"],
        licence=table["licence"],
        source=table["source"],
        constant=float(constant),
        decrements=decrements,
    )
