"""The red-flag and exclusion value sets: which coded conditions, findings and reviews stop or limit SI-joint care."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sijpath.errors import EvidenceCatalogError, Problem

__all__ = ["ProcedureKind", "ScreenKind", "ValueSet", "ValueSets", "parse_value_sets"]

ScreenKind = Literal["red-flag", "exclusion", "caution"]
"""`red-flag`: stops every SI-joint procedure and names a work-up; `exclusion`: blocks what its source excludes;
`caution`: blocks nothing, but names a risk factor and the other pain sources to exclude."""
ProcedureKind = Literal["injection", "ablation", "fusion"]

_CODES_KEPT = 4096
# ICD-10-CM codes are matched by prefix, so a family (`M45`) takes in every code below it (`M45.9`, `M45.A1`).
_ICD10CM_PREFIX = r"^[A-Z]([0-9][0-9A-Z]?(\.[0-9A-Z]{0,4})?)?$"


class ValueSet(BaseModel):
    """One screened category (infection, pregnancy, inflammatory arthropathy, ...) as cited data.

    A record matches when an active diagnosis has an ICD-10-CM code starting with one of `icd10cm_prefixes` or a
    SNOMED CT code in `snomed_codes`, when a recorded contraindication has one of `contraindication_kinds`, or when
    imaging of one of `imaging_regions` reports one of `imaging_findings` (the latest study of a region and side
    decides: a later study without the finding supersedes it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    kind: ScreenKind
    excludes: tuple[ProcedureKind, ...] = Field(
        default=(), description="For an exclusion: the procedures its sources exclude (a red flag stops them all)."
    )
    work_up: str = Field(description="What to do about it, phrased as a suggestion to consider.")
    icd10cm_prefixes: tuple[Annotated[str, Field(pattern=_ICD10CM_PREFIX)], ...] = ()
    snomed_codes: tuple[Annotated[str, Field(pattern=r"^[0-9]{6,18}$")], ...] = ()
    contraindication_kinds: tuple[str, ...] = ()
    imaging_findings: tuple[str, ...] = ()
    imaging_regions: tuple[str, ...] = ()
    confirm_after_months: Annotated[int, Field(ge=1, le=600)] | None = Field(
        default=None,
        description="A matching diagnosis recorded longer ago than this no longer stands by itself: its status is "
        "asked for (still current, or resolved) before anything else, instead of its work-up.",
    )
    cites: Annotated[tuple[str, ...], Field(min_length=1)]
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ValueSet:
        if self.kind == "exclusion" and not self.excludes:
            raise ValueError("an exclusion must say which procedures it excludes (`excludes`)")
        if self.kind == "red-flag" and self.excludes:
            raise ValueError("a red flag stops every SI-joint procedure: leave `excludes` out")
        if self.kind == "caution" and self.excludes:
            raise ValueError("a caution blocks nothing: leave `excludes` out (make it an exclusion instead)")
        if self.imaging_findings and not self.imaging_regions:
            raise ValueError("imaging findings need the regions they are read on (`imaging_regions`)")
        if not (self.icd10cm_prefixes or self.snomed_codes or self.contraindication_kinds or self.imaging_findings):
            raise ValueError("a value set must match something: codes, contraindication kinds or imaging findings")
        return self

    def matches_icd10cm(self, code: str) -> bool:
        return code.startswith(self.icd10cm_prefixes) if self.icd10cm_prefixes else False


class ValueSets(Mapping[str, ValueSet]):
    """Value sets by id, in file order; an unknown id is an error, never a silent omission."""

    def __init__(self, value_sets: Iterable[ValueSet] = ()) -> None:
        by_id: dict[str, ValueSet] = {}
        for value_set in value_sets:
            if value_set.id in by_id:
                raise EvidenceCatalogError(f"value set `{value_set.id}` is defined more than once")
            by_id[value_set.id] = value_set
        self._by_id = by_id
        self._index = _Index(tuple(by_id.values()))

    def matching_diagnosis(self, code: str, system: str) -> tuple[int, ...]:
        """The positions (in file order) of the value sets a diagnosis code falls in: looked up by the code's
        prefixes rather than tried against every set, since every assessment screens every active diagnosis."""
        index = self._index
        if system == "snomed-ct":
            return index.snomed.get(code, ())
        found = index.by_code.get(code)
        if found is None:
            found = ()
            for length in index.prefix_lengths:
                if length > len(code):
                    break
                found += index.icd10cm.get(code[:length], ())
            if len(index.by_code) >= _CODES_KEPT:
                index.by_code.clear()  # bounded: a record's codes are few, but the codes of all records are not
            index.by_code[code] = found
        return found

    def matching_contraindication(self, kind: str) -> tuple[int, ...]:
        """The positions of the value sets a recorded contraindication of this kind falls in."""
        return self._index.kinds.get(kind, ())

    def matching_finding(self, region: str, finding: str) -> tuple[int, ...]:
        """The positions of the value sets an imaging finding of this region falls in."""
        return self._index.findings.get((region, finding), ())

    def at(self, position: int) -> ValueSet:
        """The value set at a position in file order."""
        return self._index.ordered[position]

    def __getitem__(self, value_set_id: str) -> ValueSet:
        try:
            return self._by_id[value_set_id]
        except KeyError:
            raise EvidenceCatalogError(f"unknown value set `{value_set_id}` (not in value-sets.toml)") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def cited(self) -> list[tuple[str, str]]:
        """(place, source id) for every citation, for the catalog to check."""
        return [(f"value set {v.id}", source) for v in self._by_id.values() for source in v.cites]


class _Index:
    """Each code, prefix, contraindication kind and imaging finding mapped to the value sets it belongs to."""

    __slots__ = ("by_code", "findings", "icd10cm", "kinds", "ordered", "prefix_lengths", "snomed")

    def __init__(self, ordered: tuple[ValueSet, ...]) -> None:
        self.ordered = ordered
        self.by_code: dict[str, tuple[int, ...]] = {}
        """The value sets each ICD-10-CM code looked up so far falls in (value sets are immutable)."""
        self.icd10cm: dict[str, tuple[int, ...]] = {}
        self.snomed: dict[str, tuple[int, ...]] = {}
        self.kinds: dict[str, tuple[int, ...]] = {}
        self.findings: dict[tuple[str, str], tuple[int, ...]] = {}
        for position, value_set in enumerate(ordered):
            for prefix in dict.fromkeys(value_set.icd10cm_prefixes):
                self.icd10cm[prefix] = (*self.icd10cm.get(prefix, ()), position)
            for code in dict.fromkeys(value_set.snomed_codes):
                self.snomed[code] = (*self.snomed.get(code, ()), position)
            for kind in dict.fromkeys(value_set.contraindication_kinds):
                self.kinds[kind] = (*self.kinds.get(kind, ()), position)
            for region in dict.fromkeys(value_set.imaging_regions):
                for finding in dict.fromkeys(value_set.imaging_findings):
                    key = (region, finding)
                    self.findings[key] = (*self.findings.get(key, ()), position)
        self.prefix_lengths = tuple(sorted({len(p) for p in self.icd10cm}))


def parse_value_sets(text: str, origin: str = "value-sets.toml") -> ValueSets:
    """Parse the value sets' TOML text; every entry must be complete and every id unique."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EvidenceCatalogError(f"{origin}: not valid TOML ({exc})") from None
    entries = []
    problems = []
    for index, entry in enumerate(data.get("value_set", [])):
        try:
            entries.append(ValueSet.model_validate(entry))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = ".".join(str(p) for p in error["loc"]) or "(entry)"
                problems.append(Problem(f"value_set[{index}].{field}", error["msg"]))
    if problems:
        raise EvidenceCatalogError(f"{origin}: invalid value sets", problems)
    return ValueSets(entries)
