"""Bounds on untrusted JSON and YAML: too deep or too many values is refused before anything is built."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.errors import InputError
from sijpath.limits import check_json, check_yaml

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_example_bundles_and_episodes_pass() -> None:
    for path in sorted((EXAMPLES / "fhir").glob("*.json")):
        check_json(path.read_bytes(), path.name)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        check_yaml(path.read_text(), path.name)


def test_json_nested_deeper_than_the_limit_is_refused_but_brackets_in_strings_do_not_count() -> None:
    with pytest.raises(InputError, match="nested more than 64 levels"):
        check_json(b"[" * 65 + b"]" * 65, "body")
    check_json(b"[" * 64 + b"]" * 64, "body")
    check_json(json.dumps({"note": "[[[[" * 100 + '\\"{{{' * 100}).encode(), "body")


# Strings full of what a depth count must not be fooled by: brackets, quotes, backslashes (escaped or not).
_TRICKY_TEXT = st.text(alphabet='[]{}"\\,ab/\n', max_size=8)
_JSON_VALUES = st.recursive(
    st.none() | st.integers(-(2**53), 2**53) | _TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY_TEXT, inner, max_size=3),
    max_leaves=40,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(_JSON_VALUES, st.integers(1, 6), st.booleans())
def test_json_is_refused_exactly_when_it_nests_deeper_than_the_limit(value: object, limit: int, escaped: bool) -> None:
    raw = json.dumps(value).encode() if escaped else orjson.dumps(value)  # \u escapes, or UTF-8 as is
    if _depth(value) > limit:
        with pytest.raises(InputError, match=f"nested more than {limit} levels"):
            check_json(raw, "body", max_depth=limit)
    else:
        check_json(raw, "body", max_depth=limit)


@pytest.mark.parametrize("document", [b"[[[[", b"[[[[]", b"{[{[}"])
def test_json_whose_brackets_do_not_balance_is_refused_when_its_running_depth_passes_the_limit(document: bytes) -> None:
    with pytest.raises(InputError, match="nested more than 3"):
        check_json(document, "body", max_depth=3)


@pytest.mark.parametrize("document", [b"]]]]]", b"}" * 70, b"[[[", b"]]]][[[["])
def test_json_whose_brackets_do_not_balance_but_stay_shallow_is_left_to_the_parser(document: bytes) -> None:
    check_json(document, "body", max_depth=3)


@pytest.mark.parametrize("document", [b"[" + b"{}," * 2_000_000 + b"{}]", b"[" + b"1," * 2_000_001 + b"1]"])
def test_json_with_more_values_than_the_limit_is_refused(document: bytes) -> None:
    with pytest.raises(InputError, match="more than 2,000,000 values"):
        check_json(document, "FHIR Bundle")


def test_the_billion_laughs_yaml_is_refused_from_its_few_hundred_bytes() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[n]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    document = "\n".join(lines)
    assert len(document) < 1000

    with pytest.raises(InputError, match="aliases counted in full"):
        check_yaml(document, "episode file")


def test_deep_yaml_is_refused_and_an_episode_file_with_it_is_an_input_error(tmp_path: Path) -> None:
    deep = "x: " + "[" * 70 + "]" * 70
    with pytest.raises(InputError, match="nested more than 64"):
        check_yaml(deep, "episode")
    path = tmp_path / "deep.yaml"
    path.write_text(deep)
    with pytest.raises(InputError):
        wiring.load_episode(path)
