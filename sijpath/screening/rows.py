"""What a screen produces: a result row per patient, joint and rule set, an issue row per problem, a checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

import orjson

__all__ = ["ISSUE_COLUMNS", "RESULT_COLUMNS", "IssueRow", "ResultRow", "checksum", "row_order", "values"]


@dataclass(frozen=True, slots=True, order=True)
class ResultRow:
    """One joint of one patient under one rule set; the field order is the column order of every output."""

    patient_id: str
    joint: str
    ruleset_id: str
    ruleset_version: str
    stage: str
    next_step: str
    cpt: str
    flags: str  # flag codes, sorted, joined with `;`
    missing_data: int
    data_issues: int
    latest_valid_block_relief_percent: float | None
    therapeutic_injections_12_months: int | None
    steroid_mpde_12_months_mg: float | None
    conservative_care_months: float | None

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(self.flags.split(";")) if self.flags else ()


@dataclass(frozen=True, slots=True, order=True)
class IssueRow:
    """A problem met in the export: a line that is not a resource, a patient that could not be read, and so on.

    `patient_id` is empty when the problem belongs to no one patient (a bad line, a file the manifest lists).
    """

    patient_id: str
    kind: str
    where: str
    message: str


RESULT_COLUMNS = tuple(f.name for f in fields(ResultRow))
ISSUE_COLUMNS = tuple(f.name for f in fields(IssueRow))


_GETTERS: dict[type, Callable[[Any], Any]] = {}


def _getter(kind: type) -> Callable[[Any], Any]:
    getter = _GETTERS.get(kind)
    if getter is None:
        names = [f.name for f in fields(kind)]
        one = attrgetter(names[0])
        getter = _GETTERS[kind] = attrgetter(*names) if len(names) > 1 else lambda row: (one(row),)
    return getter


def values(row: Any) -> tuple[Any, ...]:
    """A flat row dataclass's values in column order (`dataclasses.astuple` without its deep copy of each value)."""
    found: tuple[Any, ...] = _getter(type(row))(row)
    return found


def checksum(rows: Iterable[ResultRow]) -> str:
    """sha256 over the rows in sorted order, one canonical JSON array per row: equal results, equal checksum."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=row_order):
        digest.update(orjson.dumps(values(row)) + b"\n")
    return digest.hexdigest()


def row_order(row: ResultRow) -> tuple[str, str, str]:
    """The one order of result rows in every output: patient, joint, rule set."""
    return (row.patient_id, row.joint, row.ruleset_id)
