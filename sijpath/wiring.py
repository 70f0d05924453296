"""Composition root: the one place that picks the catalog, rule sets and inputs, and reads them from disk."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from sijpath.domain.document import parse_episode
from sijpath.domain.episode import Episode
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import UnknownRuleSetError, UnreadableInputError
from sijpath.evidence.catalog import Catalog, parse_catalog
from sijpath.rules.facts import Facts
from sijpath.rules.loader import parse_ruleset

__all__ = ["DEFAULT_RULESET", "builtin_ruleset_ids", "load_catalog", "load_episode", "load_ruleset"]

DEFAULT_RULESET = "source-articles"


@functools.cache
def load_catalog() -> Catalog:
    """The evidence catalog shipped with sijpath."""
    text = resources.files("sijpath.evidence").joinpath("sources.toml").read_text(encoding="utf-8")
    return parse_catalog(text, "sijpath/evidence/sources.toml")


def builtin_ruleset_ids() -> list[str]:
    """Ids of the rule sets shipped with sijpath, sorted."""
    folder = resources.files("sijpath.rulesets")
    return sorted(item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml"))


@functools.cache
def _builtin(ruleset_id: str) -> RuleSet[Facts]:
    text = resources.files("sijpath.rulesets").joinpath(f"{ruleset_id}.toml").read_text(encoding="utf-8")
    return parse_ruleset(text, f"sijpath/rulesets/{ruleset_id}.toml", load_catalog())


def load_ruleset(id_or_path: str = DEFAULT_RULESET) -> RuleSet[Facts]:
    """A built-in rule set by id, or a user's rule-set file by path; both go through the same parser."""
    if id_or_path in builtin_ruleset_ids():
        return _builtin(id_or_path)
    path = Path(id_or_path)
    if path.suffix == ".toml" or path.exists():
        return parse_ruleset(_read_text(path), str(path), load_catalog())
    known = ", ".join(builtin_ruleset_ids())
    raise UnknownRuleSetError(f"no rule set `{id_or_path}` (built-in: {known}; or give the path of a .toml file)")


def load_episode(path: Path) -> Episode:
    """Read a native episode file; the format comes from the extension (.json, .yaml, .yml)."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise UnreadableInputError(f"{path}: unknown file type `{suffix}` (expected .json, .yaml or .yml)")
    return parse_episode(_read_bytes(path), "json" if suffix == ".json" else "yaml", str(path))


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
