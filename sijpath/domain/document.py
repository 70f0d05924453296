"""Reading an episode document (JSON or YAML text) into an `Episode`, with errors that name each field."""

from __future__ import annotations

import json
from typing import Any, Literal

import orjson
import yaml
from pydantic import ValidationError

from sijpath.domain.episode import Episode
from sijpath.errors import EpisodeValidationError, Problem, UnreadableInputError

__all__ = ["DocumentFormat", "episode_json_schema", "load_document", "parse_episode", "problems_from_validation"]

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
    """The document's data as parsed (JSON, or YAML with dates left as text), before any validation."""
    try:
        if document_format == "json":
            return orjson.loads(text)
        # Safe loader: no arbitrary Python objects. Dates stay strings so pydantic validates them.
        return yaml.load(text, Loader=_StringDatesLoader)  # noqa: S506 - a SafeLoader subclass
    except orjson.JSONDecodeError as exc:
        raise UnreadableInputError(f"{origin}: not valid JSON ({exc})") from None
    except yaml.YAMLError as exc:
        raise UnreadableInputError(f"{origin}: not valid YAML ({exc})") from None


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
