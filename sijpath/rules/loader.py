"""Rule-set files: parse and validate TOML text into a `RuleSet`; built-in and user rule sets share this path."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sijpath.engine.ruleset import CoverageStatement, RuleSet, Threshold
from sijpath.errors import EvidenceCatalogError, Problem, RuleSetValidationError
from sijpath.evidence.catalog import Catalog
from sijpath.rules import measurements, pathway, registry
from sijpath.rules.facts import Facts
from sijpath.rules.thresholds import THRESHOLD_UNITS, Thresholds

__all__ = ["ParentLookup", "merge_documents", "parse_document", "parse_ruleset"]

# (parent id, child's effective date, child id) → the raw document of the parent version in force then; when a
# rule set extends its own id (a new version), the version before it.
ParentLookup = Callable[[str, dt.date, str], dict[str, Any] | None]
MAX_EXTENDS_DEPTH = 8

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


def parse_document(text: str, origin: str) -> dict[str, Any]:
    """The raw TOML document of a rule set; only syntax is checked here."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetValidationError(f"{origin}: not valid TOML ({exc})") from None


def merge_documents(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A child rule set over its parent: header keys and single thresholds or coverage entries override,
    sources accumulate, and `criteria` / `flags` replace the parent's lists only when the child gives them."""
    # A version's own dates and description never pass to what extends it.
    # A version's identity, dates and description belong to it alone: the child states its own.
    own = ("extends", "id", "title", "version", "effective_from", "effective_to", "description")
    header = {k: v for k, v in parent.get("ruleset", {}).items() if k not in own}
    child_header = dict(child.get("ruleset", {}))
    sources = [*header.get("sources", []), *child_header.get("sources", [])]
    header.update(child_header)
    header["sources"] = list(dict.fromkeys(sources))
    merged: dict[str, Any] = {"ruleset": header}
    for table in ("thresholds", "coverage"):
        merged[table] = {**parent.get(table, {}), **child.get(table, {})}
    merged.update({k: v for k, v in child.items() if k not in ("ruleset", "thresholds", "coverage")})
    return merged


def _resolve(
    data: dict[str, Any], lookup: ParentLookup | None, problems: list[Problem], depth: int = 0
) -> dict[str, Any]:
    header = data.get("ruleset")
    parent_id = header.get("extends") if isinstance(header, dict) else None
    if parent_id is None:
        return data
    if lookup is None or depth >= MAX_EXTENDS_DEPTH:
        problems.append(
            Problem(
                "ruleset.extends",
                f"cannot extend `{parent_id}` here" if lookup is None else "too many levels of `extends` (a cycle?)",
            )
        )
        return data
    assert isinstance(header, dict)
    since = header.get("effective_from")
    if isinstance(since, str):
        try:
            since = dt.date.fromisoformat(since)
        except ValueError:
            since = None
    if not isinstance(since, dt.date):
        problems.append(Problem("ruleset.effective_from", "needed (a date) to find the version it extends"))
        return data
    parent = lookup(str(parent_id), since, str(header.get("id", "")))
    if parent is None:
        problems.append(Problem("ruleset.extends", f"no rule set `{parent_id}` in force on {since}"))
        return data
    merged = merge_documents(_resolve(parent, lookup, problems, depth + 1), data)
    parent_end = parent.get("ruleset", {}).get("effective_to")
    if parent_id != header.get("id") and "effective_to" not in header and parent_end is not None:
        merged["ruleset"]["effective_to"] = parent_end  # it rests on a version that ends: so does it
    return merged


def parse_ruleset(text: str, origin: str, catalog: Catalog, lookup: ParentLookup | None = None) -> RuleSet[Facts]:
    """Validate a rule-set document completely, reporting every problem at once, then bind it to the rules.

    A document with `extends = "ID"` is first merged over the parent version in force on its effective date
    (found through `lookup`), so a clinic or payer states only what differs.
    """
    problems: list[Problem] = []
    own = parse_document(text, origin)
    data = _resolve(own, lookup, problems)
    for key in sorted(set(data) - {"ruleset", "thresholds", "coverage"}):
        problems.append(Problem(key, "unknown top-level table (expected [ruleset], [thresholds], [coverage])"))

    header = _validated(_Header, data.get("ruleset"), "ruleset", problems)
    thresholds = _thresholds(data.get("thresholds", {}), problems)
    coverage = _coverage(data.get("coverage", {}), problems)
    criteria, flags = _rules(header, thresholds, problems)
    if thresholds is not None and header is not None and not problems:  # judge usage only on a valid rule list
        read = _read_thresholds(criteria, flags)
        for name in own.get("thresholds", {}):
            if name in thresholds and name not in read:
                problems.append(
                    Problem(
                        f"thresholds.{name}",
                        "no enabled rule reads this threshold (enable a rule that uses it, or remove it)",
                    )
                )
    if header is not None and header.effective_to is not None and header.effective_to < header.effective_from:
        problems.append(Problem("ruleset.effective_to", "is before effective_from"))
    if header is not None and thresholds is not None and coverage is not None:
        cited = [("ruleset.sources", s) for s in header.sources]
        cited += [(f"thresholds.{t.name}", s) for t in thresholds.values() for s in t.cites]
        cited += [(f"coverage.{c.procedure}", s) for c in coverage.values() for s in c.cites]
        try:
            catalog.check(cited)
        except EvidenceCatalogError as exc:
            problems.extend(exc.problems)
    if problems or header is None or thresholds is None or coverage is None:
        raise RuleSetValidationError(f"{origin}: invalid rule set", [_with_line(text, p) for p in problems])

    # Only thresholds an enabled rule or the pathway reads belong to the rule set (an inherited, unused one would
    # mislead in its documentation).
    read = _read_thresholds(criteria, flags)
    thresholds = {name: t for name, t in thresholds.items() if name in read}
    values = Thresholds.model_validate({name: t.value for name, t in thresholds.items()})
    indications = {
        "diagnostic-block": header.block_indications,
        "confirmatory-block": header.block_indications,
        "therapeutic-injection": header.injection_indications,
    }
    return RuleSet(
        id=header.id,
        title=header.title,
        version=header.version,
        issuer=header.issuer,
        effective_from=header.effective_from,
        effective_to=header.effective_to,
        description=header.description,
        sources=header.sources,
        thresholds=thresholds,
        criteria=criteria,
        flags=flags,
        coverage=coverage,
        derive=lambda episode, as_of: Facts(episode, as_of, values),
        decide=functools.partial(pathway.decide, indications=indications),
        stages=pathway.stages,
        measure=measurements.measure,
        catalog=catalog,
        indications=indications,
    )


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


def _thresholds(raw: dict[str, Any], problems: list[Problem]) -> dict[str, Threshold] | None:
    known = Thresholds.model_fields
    parsed: dict[str, Threshold] = {}
    before = len(problems)
    for name, entry in raw.items():
        where = f"thresholds.{name}"
        if name not in known:
            hint = "; threshold names end in their unit (" + ", ".join(THRESHOLD_UNITS) + ")"
            problems.append(Problem(where, "unknown threshold" + ("" if name.endswith(THRESHOLD_UNITS) else hint)))
            continue
        checked = _validated(_ThresholdEntry, entry, where, problems)
        if checked is not None:
            parsed[name] = Threshold(name, checked.value, checked.cites, checked.note)
    if len(problems) == before:
        try:
            Thresholds.model_validate({name: t.value for name, t in parsed.items()})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                path = ".".join(str(p) for p in error["loc"])
                problems.append(Problem(f"thresholds.{path}.value", error["msg"]))
    return parsed if len(problems) == before else None


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
    header: _Header | None, thresholds: dict[str, Threshold] | None, problems: list[Problem]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    if header is None:
        return (), ()
    criteria = {rule.id: rule for rule in registry.CRITERIA}
    flags = {rule.id: rule for rule in registry.FLAGS}
    for index, rule_id in enumerate(header.criteria):
        if rule_id not in criteria:
            problems.append(Problem(f"ruleset.criteria[{index}]", f"unknown criterion rule `{rule_id}`"))
    for index, rule_id in enumerate(header.flags):
        if rule_id not in flags:
            problems.append(Problem(f"ruleset.flags[{index}]", f"unknown flag rule `{rule_id}`"))
    for key in ("block_indications", "injection_indications"):
        for index, rule_id in enumerate(getattr(header, key)):
            if rule_id not in header.criteria:
                problems.append(Problem(f"ruleset.{key}[{index}]", f"`{rule_id}` is not an enabled criterion"))
    for rule_id in registry.PATHWAY_RULES:
        if rule_id not in header.criteria:
            problems.append(Problem("ruleset.criteria", f"must enable `{rule_id}` (the pathway depends on it)"))
    enabled = [criteria[r] for r in criteria if r in header.criteria] + [flags[r] for r in flags if r in header.flags]
    if thresholds is not None:
        needed = {name: "the pathway" for name in registry.PATHWAY_THRESHOLDS}
        for rule in enabled:
            needed.update({name: f"rule `{rule.id}`" for name in rule.thresholds if name not in needed})
        for name, needer in needed.items():
            if name not in thresholds:
                problems.append(Problem(f"thresholds.{name}", f"missing (needed by {needer})"))
    return (
        tuple(criteria[r] for r in criteria if r in header.criteria),
        tuple(flags[r] for r in flags if r in header.flags),
    )


def _with_line(text: str, problem: Problem) -> Problem:
    """Prefix a problem with the line of the file its key is on (`line 12: thresholds.x: …`), when it can be found.

    tomllib gives no positions, so the key is looked up in the text: first its table header, then the key after it.
    """
    parts = problem.location.split(".")
    if not parts or not parts[0]:
        return problem
    lines = text.splitlines()
    table = parts[0]
    start = next((i for i, line in enumerate(lines) if line.strip() == f"[{table}]"), None)
    if start is None:
        return problem
    if len(parts) == 1:
        return Problem(f"line {start + 1}: {problem.location}", problem.message)
    key = parts[1].split("[")[0].strip('"')
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if pattern.match(lines[i]):
            return Problem(f"line {i + 1}: {problem.location}", problem.message)
    return problem


def _read_thresholds(criteria: tuple[Any, ...], flags: tuple[Any, ...]) -> set[str]:
    """Every threshold the pathway or an enabled rule reads (required or optional)."""
    return {
        *registry.PATHWAY_THRESHOLDS,
        *(name for rule in (*criteria, *flags) for name in (*rule.thresholds, *rule.optional_thresholds)),
    }
