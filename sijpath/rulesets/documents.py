"""Rule-set documents before validation: TOML parsed, `extends` merged over its parent, problems placed on lines."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from typing import Any

from sijpath.errors import Problem, RuleSetValidationError

__all__ = ["MAX_EXTENDS_DEPTH", "ParentLookup", "merge_documents", "parse_document", "resolve_extends", "with_line"]

# (parent id, child's effective date, child id) → the raw document of the parent version in force then; when a
# rule set extends its own id (a new version), the version before it.
ParentLookup = Callable[[str, dt.date, str], dict[str, Any] | None]
MAX_EXTENDS_DEPTH = 8


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


def resolve_extends(
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
    merged = merge_documents(resolve_extends(parent, lookup, problems, depth + 1), data)
    parent_end = parent.get("ruleset", {}).get("effective_to")
    if parent_id != header.get("id") and "effective_to" not in header and parent_end is not None:
        merged["ruleset"]["effective_to"] = parent_end  # it rests on a version that ends: so does it
    return merged


def with_line(text: str, problem: Problem) -> Problem:
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
