"""Composition root: the one place that picks the catalog, rule sets and inputs, and reads them from disk."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from sijpath.domain.document import DocumentFormat, parse_episode
from sijpath.domain.episode import Episode
from sijpath.domain.upgrade import EpisodeUpgrade, upgrade_episode_text
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import (
    FhirDocumentError,
    RuleSetValidationError,
    UnknownRuleSetError,
    UnreadableInputError,
    UsageError,
)
from sijpath.evidence.catalog import Catalog, parse_catalog
from sijpath.evidence.value_sets import parse_value_sets
from sijpath.fhir.bulk import open_ndjson_folder
from sijpath.fhir.bundle import parse_bundle
from sijpath.fhir.reader import ImportedEpisode
from sijpath.limits import check_json, check_yaml
from sijpath.outcomes.published import PublishedResult, parse_published
from sijpath.rulesets.loader import MEDICARE_CONTRACTORS, parse_document, parse_ruleset

__all__ = [
    "DEFAULT_RULESET",
    "MEDICARE_CONTRACTORS",
    "BuiltinVersion",
    "InputFormat",
    "builtin_ruleset_ids",
    "builtin_versions",
    "input_format_of",
    "load_catalog",
    "load_episode",
    "load_published_results",
    "load_record",
    "load_ruleset",
    "upgrade_episode_file",
]

DEFAULT_RULESET = "source-articles"


@dataclass(frozen=True)
class BuiltinVersion:
    """One version of a built-in rule set, as found in its file."""

    id: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    file: str
    text: str
    document: dict[str, Any]
    contractors: tuple[str, ...] = ()

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def applies_to(self, contractor: str | None) -> bool:
        """A version adopted by named contractors applies to them only (an unknown contractor is not one)."""
        return not self.contractors or contractor in self.contractors


@functools.cache
def load_catalog() -> Catalog:
    """The evidence catalog shipped with sijpath."""
    evidence = resources.files("sijpath.evidence")
    value_sets = parse_value_sets(
        evidence.joinpath("value-sets.toml").read_text(encoding="utf-8"), "sijpath/evidence/value-sets.toml"
    )
    text = evidence.joinpath("sources.toml").read_text(encoding="utf-8")
    return parse_catalog(text, "sijpath/evidence/sources.toml", value_sets)


@functools.cache
def load_published_results() -> tuple[PublishedResult, ...]:
    """The published results the outcomes report shows beside the local cohort, checked against the catalog."""
    text = resources.files("sijpath.outcomes").joinpath("published.toml").read_text(encoding="utf-8")
    return tuple(parse_published(text, load_catalog(), "sijpath/outcomes/published.toml"))


@functools.cache
def _builtin_files() -> tuple[BuiltinVersion, ...]:
    versions = []
    for item in sorted(resources.files("sijpath.rulesets").iterdir(), key=lambda i: i.name):
        if not item.name.endswith(".toml"):
            continue
        origin = f"sijpath/rulesets/{item.name}"
        text = item.read_text(encoding="utf-8")
        document = parse_document(text, origin)
        header = document.get("ruleset", {})
        try:
            versions.append(
                BuiltinVersion(
                    header["id"],
                    str(header["version"]),
                    header["effective_from"],
                    header.get("effective_to"),
                    origin,
                    text,
                    document,
                    tuple(header.get("contractors", ())),
                )
            )
        except KeyError as exc:
            raise RuleSetValidationError(f"{origin}: [ruleset] lacks {exc.args[0]}") from None
    return tuple(versions)


def builtin_versions(ruleset_id: str) -> list[BuiltinVersion]:
    """Every shipped version of a rule set, oldest first."""
    return sorted((v for v in _builtin_files() if v.id == ruleset_id), key=lambda v: v.effective_from)


def builtin_ruleset_ids() -> list[str]:
    """Ids of the rule sets shipped with sijpath, sorted."""
    return sorted({v.id for v in _builtin_files()})


def _parent(ruleset_id: str, child_from: dt.date, child_id: str) -> dict[str, Any] | None:
    """For `extends`: the version of `ruleset_id` in force on the day the child takes effect, or, for a new
    version extending its own rule set, the version before it."""
    versions = builtin_versions(ruleset_id)
    if ruleset_id == child_id:
        earlier = [v for v in versions if v.effective_from < child_from]
        return earlier[-1].document if earlier else None
    in_force = [v for v in versions if v.in_force(child_from)]
    return in_force[-1].document if in_force else None


@functools.cache
def _parsed(ruleset_id: str, version: str) -> RuleSet:
    chosen = next(v for v in builtin_versions(ruleset_id) if v.version == version)
    return parse_ruleset(chosen.text, chosen.file, load_catalog(), _parent)


def load_ruleset(
    id_or_path: str = DEFAULT_RULESET, as_of: dt.date | None = None, contractor: str | None = None
) -> RuleSet:
    """A built-in rule set by id, in the version in force on `as_of` (the latest without a date), or a user's
    rule-set file by path; both go through the same parser, and a user's file may extend a built-in one.

    Where versions in force were adopted by some Medicare contractors only, `contractor` (the patient's MAC)
    chooses; without it the latest version is used and the assessment says which contractors it holds for.
    """
    if contractor is not None and contractor not in MEDICARE_CONTRACTORS:
        raise UsageError(f"unknown Medicare contractor `{contractor}` (known: {', '.join(MEDICARE_CONTRACTORS)})")
    versions = builtin_versions(id_or_path)
    if versions:
        candidates = [v for v in versions if as_of is None or v.in_force(as_of)]
        if not candidates:
            spans = ", ".join(f"{v.version} {v.effective_from}…{v.effective_to or ''}" for v in versions)
            raise UnknownRuleSetError(f"no version of `{id_or_path}` is in force on {as_of} (versions: {spans})")
        if contractor is not None:
            return _parsed(id_or_path, [v for v in candidates if v.applies_to(contractor)][-1].version)
        return _unspecified_contractor(id_or_path, candidates)
    path = Path(id_or_path)
    if path.suffix == ".toml" or path.exists():
        ruleset = parse_ruleset(_read_text(path), str(path), load_catalog(), _parent)
        ends = ruleset.effective_to
        if as_of is not None and not (ruleset.effective_from <= as_of and (ends is None or as_of <= ends)):
            raise UnknownRuleSetError(
                f"{path}: `{ruleset.id}` {ruleset.version} is in force {ruleset.effective_from} "
                f"… {ends or 'now'}, not on {as_of}"
            )
        return ruleset
    known = ", ".join(builtin_ruleset_ids())
    raise UnknownRuleSetError(f"no rule set `{id_or_path}` (built-in: {known}; or give the path of a .toml file)")


def _unspecified_contractor(ruleset_id: str, candidates: list[BuiltinVersion]) -> RuleSet:
    """The latest version in force, saying so when a contractor would have chosen another."""
    chosen = candidates[-1]
    others = [v for v in candidates if v is not chosen and not v.contractors]
    if not (chosen.contractors and others):
        return _parsed(ruleset_id, chosen.version)
    note = (
        f"Medicare contractor not given: assessed under version {chosen.version}, adopted by "
        f"{', '.join(MEDICARE_CONTRACTORS[c] for c in chosen.contractors)}; other contractors may still apply version "
        f"{others[-1].version} (give the patient's contractor to choose)"
    )
    return _noted(ruleset_id, chosen.version, note)


@functools.cache
def _noted(ruleset_id: str, version: str, applicability: str) -> RuleSet:
    return dataclasses.replace(_parsed(ruleset_id, version), applicability=applicability)


def load_episode(path: Path) -> Episode:
    """Read a native episode file; the format comes from the extension (.json, .yaml, .yml)."""
    data, document_format = _episode_bytes(path)
    return parse_episode(data, document_format, str(path))


def upgrade_episode_file(path: Path) -> EpisodeUpgrade:
    """A native episode file rewritten as the current format (the file itself is not touched)."""
    data, document_format = _episode_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableInputError(f"{path}: not UTF-8 text") from None
    return upgrade_episode_text(text, document_format, str(path))


def _episode_bytes(path: Path) -> tuple[bytes, DocumentFormat]:
    """A native episode file's bytes and format, checked against the document limits before parsing."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise UnreadableInputError(f"{path}: unknown file type `{suffix}` (expected .json, .yaml or .yml)")
    data = _read_bytes(path)
    if suffix == ".json":
        check_json(data, f"episode file {path}")
        return data, "json"
    # a YAML alias repeats a whole node: a few hundred bytes can expand to gigabytes
    check_yaml(data.decode("utf-8", errors="replace"), f"episode file {path}")
    return data, "yaml"


InputFormat = Literal["auto", "episode", "fhir-bundle", "fhir-ndjson"]


def input_format_of(path: Path) -> InputFormat:
    """What a path holds: a folder is a bulk NDJSON export; JSON with a top-level `resourceType` is FHIR."""
    if path.is_dir():
        return "fhir-ndjson"
    if path.suffix.lower() == ".json":
        head = _read_bytes(path)[:4096]
        return "fhir-bundle" if b'"resourceType"' in head else "episode"
    return "episode"


def load_record(path: Path, input_format: InputFormat = "auto", patient: str | None = None) -> ImportedEpisode:
    """One patient's episode from a native file, a FHIR Bundle or a bulk NDJSON folder, with what reading the
    record found; `patient` picks one where the input holds several."""
    chosen = input_format_of(path) if input_format == "auto" else input_format
    if chosen == "episode":
        episode = load_episode(path)
        if patient is not None and patient != episode.patient.id:
            raise UsageError(f"{path}: holds patient `{episode.patient.id}`, not `{patient}`")
        return ImportedEpisode(episode, ())
    if chosen == "fhir-ndjson":
        with open_ndjson_folder(path) as folder:
            if patient is None:
                ids = folder.patient_ids()
                return folder.read(_only_patient(path, ids))
            return folder.read(patient)
    groups = parse_bundle(_read_bytes(path), str(path))
    chosen_id = patient if patient is not None else _only_patient(path, list(groups.patients))
    if chosen_id not in groups.patients:
        raise UsageError(f"{path}: no patient `{chosen_id}` (patients: {_listing(list(groups.patients))})")
    return groups.read(chosen_id)


def _only_patient(path: Path, ids: list[str]) -> str:
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise FhirDocumentError(f"{path}: no resources about a patient")
    raise UsageError(f"{path}: holds {len(ids)} patients; choose one with --patient ({_listing(ids)})")


def _listing(ids: list[str]) -> str:
    return ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableInputError(f"{path}: cannot read ({exc.strerror})") from None


def _read_text(path: Path) -> str:
    try:
        return _read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableInputError(f"{path}: not UTF-8 text") from None


# The service side (database, web app, CDS Hooks) lives in `sijpath.wiring.server`, imported on first use, so
# `sijpath assess` does not load SQLAlchemy, FastAPI and their 600 modules.
_SERVER_NAMES = frozenset(
    {"App", "Settings", "cds_service", "open_database", "seed_examples", "server_app", "settings_from", "web_services"}
)


def __getattr__(name: str) -> Any:
    if name in _SERVER_NAMES:
        from sijpath.wiring import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
