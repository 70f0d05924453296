"""The evidence catalog: the sources every rule must cite, checked for unknown and duplicate ids."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sijpath.errors import EvidenceCatalogError, Problem
from sijpath.evidence.value_sets import ValueSets

__all__ = ["Catalog", "Source", "Verification", "parse_catalog"]

Verification = Literal["primary", "secondary", "unverified", "source-article", "sijpath-reading"]
"""`sijpath-reading`: a number or rule no source states, chosen by sijpath, with its reasoning in `note`."""


class Source(BaseModel):
    """One citable source, with how far sijpath could verify what it takes from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    issuer: str
    authors: str | None = None
    year: Annotated[int, Field(ge=0, le=2100, description="0 when the publication year is not known.")]
    doi: str | None = None
    pmid: str | None = None
    lcd: str | None = None
    url: str | None = None
    verification: Verification
    kind: Literal["study"] | None = Field(
        default=None,
        description="`study`: a trial or other study. Its selection or inclusion criteria are evidence, never a "
        "payer's policy clause, whichever rule set cites it.",
    )
    supports: str
    note: str | None = None

    @property
    def unverified(self) -> bool:
        return self.verification == "unverified"

    @property
    def study(self) -> bool:
        return self.kind == "study"

    @property
    def own_reading(self) -> bool:
        """sijpath's own operational reading: no source states it."""
        return self.verification == "sijpath-reading"

    def label(self) -> str:
        """Short citation: `ASPN 2024 (American Society …)`, with UNVERIFIED spelled out."""
        marker = {
            "unverified": " [UNVERIFIED]",
            "secondary": " [secondary source]",
            "sijpath-reading": " [sijpath's own reading]",
        }.get(self.verification, "")
        year = f", {self.year}" if self.year else ""
        return f"{self.title} ({self.authors or self.issuer}{year}){marker}"


class Catalog(Mapping[str, Source]):
    """Sources by id; looking up an unknown id is an error, never a silent omission.

    `value_sets` are the red-flag and exclusion value sets, whose citations the catalog has checked.
    """

    def __init__(self, sources: Iterable[Source], value_sets: ValueSets | None = None) -> None:
        by_id: dict[str, Source] = {}
        duplicates = []
        for source in sources:
            if source.id in by_id:
                duplicates.append(Problem(f"source {source.id}", "defined more than once"))
            by_id[source.id] = source
        if duplicates:
            raise EvidenceCatalogError("the evidence catalog defines a source twice", duplicates)
        self._by_id = by_id
        self.value_sets = value_sets if value_sets is not None else ValueSets()
        self.check(self.value_sets.cited())

    def __getitem__(self, source_id: str) -> Source:
        try:
            return self._by_id[source_id]
        except KeyError:
            raise EvidenceCatalogError(f"unknown source id `{source_id}` (not in the evidence catalog)") from None

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._by_id

    def get(self, source_id: str, default: Source | None = None) -> Source | None:  # type: ignore[override]
        return self._by_id.get(source_id, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def check(self, cited: Iterable[tuple[str, str]]) -> None:
        """Raise if any (citing place, source id) pair names a source the catalog lacks."""
        unknown = [Problem(where, f"cites unknown source `{sid}`") for where, sid in cited if sid not in self._by_id]
        if unknown:
            raise EvidenceCatalogError("citations name sources that are not in the evidence catalog", unknown)


def parse_catalog(text: str, origin: str = "sources.toml", value_sets: ValueSets | None = None) -> Catalog:
    """Parse the catalog's TOML text; every entry must be complete, and ids must be unique."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EvidenceCatalogError(f"{origin}: not valid TOML ({exc})") from None
    entries = data.get("source", [])
    sources = []
    problems = []
    for index, entry in enumerate(entries):
        try:
            sources.append(Source.model_validate(entry))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = ".".join(str(p) for p in error["loc"])
                problems.append(Problem(f"source[{index}].{field}", error["msg"]))
    if problems:
        raise EvidenceCatalogError(f"{origin}: invalid evidence catalog", problems)
    return Catalog(sources, value_sets)
