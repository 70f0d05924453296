"""Published results to show beside the local cohort, read from `published.toml` and checked against the catalog."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sijpath.errors import EvidenceCatalogError, Problem

__all__ = ["PublishedResult", "parse_published"]

_REQUIRED_TEXT = ("source", "procedure", "time_point", "measure", "population", "design", "funding")


@dataclass(frozen=True, slots=True)
class PublishedResult:
    """One number from a study, with what a reader needs to judge it: N, interval, population, design, funding."""

    source: str
    procedure: str
    time_point: str
    measure: str
    value: float
    n: int  # 0 when the reference notes do not record it
    low: float | None
    high: float | None
    population: str
    design: str
    funding: str


def _number(entry: Mapping[str, Any], key: str, where: str, problems: list[Problem], *, whole: bool = False) -> Any:
    """The entry's number under `key` (None when absent), or a problem naming it: never a KeyError or a truncation."""
    value = entry.get(key)
    kinds = (int,) if whole else (int, float)
    if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
        problems.append(Problem(f"{where}.{key}", "must be a whole number" if whole else "must be a number"))
        return None
    return value


def parse_published(text: str, known_sources: Iterable[str], origin: str = "published.toml") -> list[PublishedResult]:
    """Parse the published results; an entry citing a source the catalog lacks is an error, not a silent row."""
    known = set(known_sources)
    problems: list[Problem] = []
    results = []
    try:
        entries = tomllib.loads(text).get("result", [])
    except tomllib.TOMLDecodeError as exc:
        raise EvidenceCatalogError(f"{origin}: not valid TOML ({exc})") from None
    for i, entry in enumerate(entries):
        where = f"result[{i}]"
        missing = [k for k in _REQUIRED_TEXT if not isinstance(entry.get(k), str)]
        problems += [Problem(f"{where}.{k}", "required text") for k in missing]
        if entry.get("value") is None:
            problems.append(Problem(f"{where}.value", "required number"))
        found = len(problems)
        value, n = _number(entry, "value", where, problems), _number(entry, "n", where, problems, whole=True)
        low, high = _number(entry, "low", where, problems), _number(entry, "high", where, problems)
        if missing or entry.get("value") is None or len(problems) > found:
            continue
        if entry["source"] not in known:
            problems.append(Problem(f"{where}.source", f"unknown source `{entry['source']}`"))
        results.append(
            PublishedResult(
                source=entry["source"],
                procedure=entry["procedure"],
                time_point=entry["time_point"],
                measure=entry["measure"],
                value=float(value),
                n=int(n or 0),
                low=None if low is None else float(low),
                high=None if high is None else float(high),
                population=entry["population"],
                design=entry["design"],
                funding=entry["funding"],
            )
        )
    if problems:
        raise EvidenceCatalogError(f"{origin}: invalid published results", problems)
    return results
