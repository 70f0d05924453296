"""Reading an episode document (JSON or YAML text) into an `Episode`, with errors that name each field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import orjson
import yaml
from pydantic import ValidationError

from sijpath.domain.episode import Episode
from sijpath.errors import EpisodeValidationError, InputError, Problem, UnreadableInputError

__all__ = [
    "DocumentFormat",
    "episode_json_schema",
    "load_document",
    "load_json",
    "parse_episode",
    "problems_from_validation",
]

DocumentFormat = Literal["json", "yaml"]


def parse_episode(text: str | bytes, document_format: DocumentFormat, origin: str = "<input>") -> Episode:
    """Parse and validate an episode document; raise with every problem located by its field path."""
    data = load_document(text, document_format, origin)
    if not isinstance(data, dict):
        raise EpisodeValidationError(
            f"{origin}: an episode document must be a mapping at the top level, not {type(data).__name__}"
        )
    try:
        return Episode.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc)
        raise EpisodeValidationError(f"{origin}: not a valid sijpath episode", problems) from None


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    """Translate pydantic errors into `Problem`s with dotted paths (`diagnostic_blocks[0].post_block_nrs`)."""
    problems = []
    for error in exc.errors(include_url=False):
        path = ""
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against `sijpath schema`)"
        elif "input" in error and error["type"] not in {"missing"} and not isinstance(error["input"], dict | list):
            message = f"{message} (got {error['input']!r})"
        problems.append(Problem(path, message))
    return problems


def load_document(text: str | bytes, document_format: DocumentFormat, origin: str = "<input>") -> Any:
    """The document's data as parsed (JSON, or YAML with dates left as text), before any validation.

    A key given twice in one mapping is refused (both parsers would silently keep the last value: a block's side
    flipped, a post-block score replaced), naming the key and where it is."""
    if document_format == "json":
        return load_json(text, origin)
    loader = _StringDatesLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_duplicate_yaml_keys(node, "", origin)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise UnreadableInputError(f"{origin}: not valid YAML ({exc})") from None
    finally:
        loader.dispose()


def load_json(
    data: str | bytes, origin: str = "<input>", refuse: Callable[[str, list[Problem]], InputError] | None = None
) -> Any:
    """JSON parsed by orjson, then refused if any object gives one key twice. The second pass (the standard
    library's parser with a pairs hook) costs about three times orjson's parse, so it is kept to documents read
    once per request or file (episodes, FHIR Bundles), not to the CDS Hooks or bulk-export paths. `refuse` builds
    the error for a duplicate (by default: not a valid sijpath episode)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise UnreadableInputError(f"{origin}: not valid JSON ({exc})") from None
    found: list[tuple[int, str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(pairs)
        if len(mapping) != len(pairs) and not found:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    found.append((id(mapping), key))
                    break
                seen.add(key)
        return mapping

    parsed = json.loads(data, object_pairs_hook=pairs_hook)
    if found:
        target, key = found[0]
        problem = _duplicate(_json_path(parsed, target, "") or "", key)
        raise (refuse or _not_an_episode)(origin, [problem])
    return document


def _json_path(value: Any, target: int, path: str) -> str | None:
    """The dotted path of the object whose id is `target` inside `value` (only walked once a duplicate is found)."""
    if id(value) == target:
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        found = _json_path(item, target, where)
        if found is not None:
            return found
    return None


def _refuse_duplicate_yaml_keys(node: yaml.Node, path: str, origin: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[tuple[str, Any]] = set()
        for key_node, value_node in node.value:
            key = (key_node.tag, key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            name = str(key_node.value) if key is not None else "?"
            if key is not None and key[0] != "tag:yaml.org,2002:merge":
                if key in seen:
                    raise _not_an_episode(origin, [_duplicate(path, name, key_node.start_mark.line + 1)])
                seen.add(key)
            _refuse_duplicate_yaml_keys(value_node, f"{path}.{name}" if path else name, origin)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _refuse_duplicate_yaml_keys(item, f"{path}[{index}]", origin)


def _duplicate(path: str, key: str, line: int | None = None) -> Problem:
    at = f" (line {line})" if line is not None else ""
    where = f"{path}.{key}" if path else key
    return Problem(where, f"the key `{key}` is given twice in one mapping{at}: keep the one that is right")


def _not_an_episode(origin: str, problems: list[Problem]) -> InputError:
    return EpisodeValidationError(f"{origin}: not a valid sijpath episode", problems)


class _StringDatesLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves timestamps as text, so JSON and YAML validate identically."""


_StringDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def episode_json_schema() -> str:
    """The published JSON Schema of the episode format, as stable, sorted JSON text."""
    schema = Episode.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://sijpath.org/schema/episode-2.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
