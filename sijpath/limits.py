"""Bounds on untrusted documents: nesting depth and entry count of JSON and YAML, checked before they are parsed.

A size limit alone does not bound memory: 32 MB of `[{},{},…]` parses into 8 million dicts (over half a gigabyte),
and a YAML alias can repeat a node a billion times. Each check here runs over the raw text in C-speed passes
(`bytes.count`, `bytes.translate`, a regex) and refuses a document before any object is built from it.
"""

from __future__ import annotations

import re
from itertools import accumulate

import yaml

from sijpath.errors import InputError

__all__ = ["MAX_DEPTH", "MAX_ENTRIES", "check_json", "check_yaml"]

MAX_DEPTH = 64  # a FHIR Bundle nests about 10 deep; an episode 5
MAX_ENTRIES = 2_000_000  # values in one document: about what a 32 MB FHIR Bundle holds

_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'",[]{}')  # what is deleted to leave the marks
_BRACKETS = bytes.maketrans(b"{}", b"[]")  # only the depth counts: an object nests as an array does
_QUOTED = re.compile(rb'"[^"]*"')  # a string of the skeleton, once its escaped quotes are gone
_STEP = {ord("["): 1, ord("]"): -1}


def check_json(data: bytes | str, what: str, *, max_depth: int = MAX_DEPTH, max_entries: int = MAX_ENTRIES) -> None:
    """Refuse JSON nested deeper than `max_depth` or with more than `max_entries` values (an upper bound: commas
    inside strings count too, which only errs on the safe side)."""
    raw = data.encode() if isinstance(data, str) else data
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")  # pairs of backslashes first, as JSON reads them
    marks = raw.translate(None, _NOT_STRUCTURE)  # quotes, commas and brackets: a few percent of the document
    entries = marks.count(b",") + marks.count(b"[") + marks.count(b"{")
    if entries > max_entries or marks.count(b"]") + marks.count(b"}") > max_entries:
        raise InputError(f"the {what} has more than {max_entries:,} values; send it in parts")
    if _deeper_than(marks.translate(_BRACKETS, b","), max_depth):
        raise InputError(f"the {what} is nested more than {max_depth} levels deep")


def _deeper_than(marks: bytes, max_depth: int) -> bool:
    """Whether the brackets outside strings nest deeper than `max_depth`, from the document's quotes and brackets
    (its escaped quotes taken out). With the strings taken out too, removing the innermost pairs `max_depth` times
    empties it unless it nests deeper (or does not balance, when the running depth decides)."""
    # Two adjacent quotes close one string and open the next (or make an empty one): without them every other
    # character is still inside or outside a string as before, and the strings left are those holding brackets.
    skeleton = left = _QUOTED.sub(b"", marks.replace(b'""', b""))
    for _ in range(max_depth):
        if not left:
            return False
        left = left.replace(b"[]", b"")  # the innermost pairs: replace does not look again at what it joins
    return bool(left) and max(accumulate(_STEP.get(b, 0) for b in skeleton)) > max_depth


def check_yaml(text: str, what: str, *, max_depth: int = MAX_DEPTH, max_entries: int = MAX_ENTRIES) -> None:
    """Refuse YAML nested deeper than `max_depth` or with more than `max_entries` nodes, counting each alias as the
    whole node it repeats (the 'billion laughs' document is a few hundred bytes)."""
    depth, nodes = 0, 0
    anchored: dict[str, int] = {}  # anchor → nodes in the anchored node
    open_anchors: list[tuple[str | None, int]] = []  # per open collection: its anchor and the node count at its start
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent):
                nodes += anchored.get(event.anchor or "", 1)
            elif isinstance(event, yaml.ScalarEvent):
                nodes += 1
                if event.anchor:
                    anchored[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                nodes += 1
                depth += 1
                open_anchors.append((event.anchor, nodes))
                if depth > max_depth:
                    raise InputError(f"the {what} is nested more than {max_depth} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                anchor, start = open_anchors.pop()
                if anchor:
                    anchored[anchor] = nodes - start + 1
            if nodes > max_entries:
                raise InputError(f"the {what} has more than {max_entries:,} values (aliases counted in full)")
    except yaml.YAMLError:
        return  # not YAML: the parser proper reports it with its location
