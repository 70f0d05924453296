"""Published results to show beside the local cohort, read from `published.toml` and checked against the catalog."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

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


def parse_published(text: str, known_sources: Iterable[str], origin: str = "published.toml") -> list[PublishedResult]:
    """Parse the published results; an entry citing a source the catalog lacks is an error, not a silent row."""
    known = set(known_sources)
    problems: list[Problem] = []
    results = []
    for i, entry in enumerate(tomllib.loads(text).get("result", [])):
        where = f"result[{i}]"
        missing = [k for k in _REQUIRED_TEXT if not isinstance(entry.get(k), str)]
        problems += [Problem(f"{where}.{k}", "required text") for k in missing]
        if missing:
            continue
        if entry["source"] not in known:
            problems.append(Problem(f"{where}.source", f"unknown source `{entry['source']}`"))
        results.append(
            PublishedResult(
                source=entry["source"],
                procedure=entry["procedure"],
                time_point=entry["time_point"],
                measure=entry["measure"],
                value=float(entry["value"]),
                n=int(entry.get("n", 0)),
                low=float(entry["low"]) if "low" in entry else None,
                high=float(entry["high"]) if "high" in entry else None,
                population=entry["population"],
                design=entry["design"],
                funding=entry["funding"],
            )
        )
    if problems:
        raise EvidenceCatalogError(f"{origin}: invalid published results", problems)
    return results
