"""Rule-set files: parse and validate TOML text into a `RuleSet`; built-in and user rule sets share this path."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from sijpath.engine.decision import Step
from sijpath.engine.pathway import Pathway
from sijpath.engine.rule import Criterion, Flag
from sijpath.engine.ruleset import CoverageStatement, RuleSet
from sijpath.engine.thresholds import ThresholdSetting, ThresholdSpec, ThresholdValues
from sijpath.errors import EvidenceCatalogError, Problem, RuleSetValidationError
from sijpath.evidence.catalog import Catalog
from sijpath.pathway import vocabulary as v
from sijpath.pathway.definition import SIJ_PATHWAY
from sijpath.pathway.thresholds import THRESHOLD_UNITS
from sijpath.rulesets.documents import ParentLookup, merge_documents, parse_document, resolve_extends, with_line

__all__ = [
    "MEDICARE_CONTRACTORS",
    "MedicareContractor",
    "ParentLookup",
    "merge_documents",
    "parse_document",
    "parse_ruleset",
]

MedicareContractor = Literal["cgs", "first-coast", "ngs", "noridian", "novitas", "palmetto", "wps"]
"""The Medicare Administrative Contractors (A/B MACs) by the short names their LCDs go by."""
MEDICARE_CONTRACTORS: dict[str, str] = {
    "cgs": "CGS",
    "first-coast": "First Coast",
    "ngs": "NGS",
    "noridian": "Noridian",
    "novitas": "Novitas",
    "palmetto": "Palmetto",
    "wps": "WPS",
}

SourceIds = Annotated[tuple[str, ...], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Header(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    extends: str | None = None
    title: str
    version: Annotated[str, Field(min_length=1)]
    issuer: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    contractors: tuple[MedicareContractor, ...] = Field(
        default=(), description="Medicare contractors (MACs) that adopted this version; empty: every contractor."
    )
    description: str = ""
    sources: SourceIds
    criteria: tuple[str, ...]
    flags: tuple[str, ...] = ()
    block_indications: tuple[str, ...] = Field(
        default=(), description="Criteria that must be met before a diagnostic or confirmatory block."
    )
    injection_indications: tuple[str, ...] = Field(
        default=(), description="Criteria that must be met before a therapeutic injection."
    )


class _ThresholdEntry(_Strict):
    value: Any
    cites: SourceIds
    note: str | None = None


class _CoverageEntry(_Strict):
    status: Literal["covered", "not-covered", "investigational", "not-addressed"]
    cites: SourceIds
    note: str | None = None


def parse_ruleset(
    text: str,
    origin: str,
    catalog: Catalog,
    lookup: ParentLookup | None = None,
    pathway: Pathway[Any, Any] = SIJ_PATHWAY,
) -> RuleSet:
    """Validate a rule-set document completely, reporting every problem at once, then bind it to the pathway's rules.

    A document with `extends = "ID"` is first merged over the parent version in force on its effective date
    (found through `lookup`), so a clinic or payer states only what differs.
    """
    problems: list[Problem] = []
    own = parse_document(text, origin)
    data = resolve_extends(own, lookup, problems)
    for key in sorted(set(data) - {"ruleset", "thresholds", "coverage"}):
        problems.append(Problem(key, "unknown top-level table (expected [ruleset], [thresholds], [coverage])"))

    header = _validated(_Header, data.get("ruleset"), "ruleset", problems)
    settings = _thresholds(data.get("thresholds", {}), pathway, problems)
    coverage = _coverage(data.get("coverage", {}), problems)
    criteria, flags = _rules(header, settings, pathway, problems)
    if settings is not None and header is not None and not problems:  # judge usage only on a valid rule list
        read = _read_thresholds(pathway, criteria, flags)
        for name in own.get("thresholds", {}):
            if name in settings and settings[name].spec not in read:
                problems.append(
                    Problem(
                        f"thresholds.{name}",
                        "no enabled rule reads this threshold (enable a rule that uses it, or remove it)",
                    )
                )
    if header is not None and header.effective_to is not None and header.effective_to < header.effective_from:
        problems.append(Problem("ruleset.effective_to", "is before effective_from"))
    if header is not None and settings is not None and coverage is not None:
        cited = [("ruleset.sources", s) for s in header.sources]
        cited += [(f"thresholds.{t.name}", s) for t in settings.values() for s in t.cites]
        cited += [(f"coverage.{c.procedure}", s) for c in coverage.values() for s in c.cites]
        try:
            catalog.check(cited)
        except EvidenceCatalogError as exc:
            problems.extend(exc.problems)
    if problems or header is None or settings is None or coverage is None:
        raise RuleSetValidationError(f"{origin}: invalid rule set", [with_line(text, p) for p in problems])

    # Only thresholds an enabled rule or the pathway reads belong to the rule set (an inherited, unused one would
    # mislead in its documentation).
    read = _read_thresholds(pathway, criteria, flags)
    settings = {name: t for name, t in settings.items() if t.spec in read}
    by_id = {c.id: c for c in criteria}
    extra_gates: dict[Step, tuple[Criterion[Any], ...]] = {}
    for key, steps in INDICATION_KEYS.items():
        gated = tuple(by_id[i] for i in getattr(header, key))
        for step in steps:
            if gated:
                extra_gates[step] = gated
    return RuleSet(
        id=header.id,
        title=header.title,
        version=header.version,
        issuer=header.issuer,
        effective_from=header.effective_from,
        effective_to=header.effective_to,
        contractors=header.contractors,
        description=header.description,
        sources=header.sources,
        thresholds=settings,
        criteria=criteria,
        flags=flags,
        decision_flags=pathway.decision_flags,
        coverage=coverage,
        extra_gates=extra_gates,
        catalog=catalog,
        evaluation_order=_dependency_order(criteria),
        values=ThresholdValues({t.spec: _frozen(t.value) for t in settings.values()}),
    )


# The rule-set keys that add gates to steps, and the steps they gate.
INDICATION_KEYS: dict[str, tuple[Step, ...]] = {
    "block_indications": (v.DIAGNOSTIC_BLOCK, v.CONFIRMATORY_BLOCK),
    "injection_indications": (v.THERAPEUTIC_INJECTION,),
}


def _frozen(value: Any) -> Any:
    """Lists become tuples, so a rule set's values cannot be changed by a rule that reads them."""
    if isinstance(value, list):
        return tuple(value)
    return value


def _dependency_order(criteria: tuple[Criterion[Any], ...]) -> tuple[Criterion[Any], ...]:
    """The criteria in display order, each moved after the criteria it uses (the loader checked they are enabled)."""
    ordered: list[Criterion[Any]] = []
    placed: set[int] = set()

    def place(criterion: Criterion[Any]) -> None:
        if id(criterion) in placed:
            return
        placed.add(id(criterion))
        for used in criterion.uses:
            place(used)
        ordered.append(criterion)

    for criterion in criteria:
        place(criterion)
    return tuple(ordered)


def _validated(model: type[_Strict], raw: object, where: str, problems: list[Problem]) -> Any:
    if raw is None:
        problems.append(Problem(where, "missing"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = ".".join(str(p) for p in (where, *error["loc"]))
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(Problem(path, message))
        return None


def _thresholds(
    raw: dict[str, Any], pathway: Pathway[Any, Any], problems: list[Problem]
) -> dict[str, ThresholdSetting] | None:
    known = {spec.name: spec for spec in pathway.thresholds}
    parsed: dict[str, ThresholdSetting] = {}
    before = len(problems)
    for name, entry in raw.items():
        where = f"thresholds.{name}"
        spec = known.get(name)
        if spec is None:
            hint = "; threshold names end in their unit (" + ", ".join(THRESHOLD_UNITS) + ")"
            problems.append(Problem(where, "unknown threshold" + ("" if name.endswith(THRESHOLD_UNITS) else hint)))
            continue
        checked = _validated(_ThresholdEntry, entry, where, problems)
        if checked is None:
            continue
        try:
            value = _adapter(spec).validate_python(checked.value)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                path = ".".join(str(p) for p in (where, "value", *error["loc"]))
                problems.append(Problem(path, error["msg"]))
            continue
        parsed[name] = ThresholdSetting(spec, value, checked.cites, checked.note)
    return parsed if len(problems) == before else None


@functools.cache
def _adapter(spec: ThresholdSpec[Any]) -> TypeAdapter[Any]:
    return TypeAdapter(spec.annotation)


def _coverage(raw: dict[str, Any], problems: list[Problem]) -> dict[str, CoverageStatement] | None:
    parsed: dict[str, CoverageStatement] = {}
    before = len(problems)
    for procedure, entry in raw.items():
        where = f"coverage.{procedure}"
        if not re.fullmatch(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}", procedure):
            problems.append(Problem(where, "not a CPT or HCPCS code"))
            continue
        checked = _validated(_CoverageEntry, entry, where, problems)
        if checked is not None:
            parsed[procedure] = CoverageStatement(procedure, checked.status, checked.cites, checked.note)
    return parsed if len(problems) == before else None


def _rules(
    header: _Header | None,
    settings: dict[str, ThresholdSetting] | None,
    pathway: Pathway[Any, Any],
    problems: list[Problem],
) -> tuple[tuple[Criterion[Any], ...], tuple[Flag[Any], ...]]:
    if header is None:
        return (), ()
    criteria = {rule.id: rule for rule in pathway.criteria}
    flags = {rule.id: rule for rule in pathway.flags}
    for index, rule_id in enumerate(header.criteria):
        if rule_id not in criteria:
            problems.append(Problem(f"ruleset.criteria[{index}]", f"unknown criterion rule `{rule_id}`"))
    for index, rule_id in enumerate(header.flags):
        if rule_id not in flags:
            problems.append(Problem(f"ruleset.flags[{index}]", f"unknown flag rule `{rule_id}`"))
    for key in INDICATION_KEYS:
        for index, rule_id in enumerate(getattr(header, key)):
            if rule_id not in header.criteria:
                problems.append(Problem(f"ruleset.{key}[{index}]", f"`{rule_id}` is not an enabled criterion"))
    for required in pathway.required:
        if required.id not in header.criteria:
            problems.append(Problem("ruleset.criteria", f"must enable `{required.id}` (the pathway depends on it)"))
    enabled_criteria: tuple[Criterion[Any], ...] = tuple(c for c in pathway.criteria if c.id in header.criteria)
    enabled_flags: tuple[Flag[Any], ...] = tuple(f for f in pathway.flags if f.id in header.flags)
    enabled: tuple[Criterion[Any] | Flag[Any], ...] = (*enabled_criteria, *enabled_flags)
    for rule in enabled:
        for used in rule.uses:
            if used not in enabled_criteria:
                problems.append(Problem("ruleset.criteria", f"`{rule.id}` uses `{used.id}`: enable `{used.id}` too"))
    if settings is not None:
        needed = {spec.name: "the pathway" for spec in pathway.reads}
        for rule in enabled:
            needed.update({spec.name: f"rule `{rule.id}`" for spec in rule.reads if spec.name not in needed})
        for name, needer in needed.items():
            if name not in settings:
                problems.append(Problem(f"thresholds.{name}", f"missing (needed by {needer})"))
    return enabled_criteria, enabled_flags


def _read_thresholds(
    pathway: Pathway[Any, Any], criteria: tuple[Criterion[Any], ...], flags: tuple[Flag[Any], ...]
) -> set[ThresholdSpec[Any]]:
    """Every threshold the pathway or an enabled rule reads (required or optional)."""
    rules: tuple[Criterion[Any] | Flag[Any], ...] = (*criteria, *flags)
    return {
        *pathway.reads,
        *pathway.optional_reads,
        *(spec for rule in rules for spec in (*rule.reads, *rule.optional_reads)),
    }
