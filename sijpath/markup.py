"""Record text made inert for the outputs: Markdown markup escaped, terminal control codes removed.

Text from a record (patient and fact ids, diagnosis displays, free-text notes, and every message that quotes them)
reaches Markdown reports, letters, CDS cards and the terminal. There it must stay text: no HTML (`<img onerror>`),
no link (`[x](javascript:…)`), no table cell boundary (`|`), no terminal escape sequence (`ESC [2J`).
"""

from __future__ import annotations

import re

__all__ = ["TABLE_PIPE", "markdown_code", "markdown_plain", "markdown_text", "terminal_text"]

_MARKUP = re.compile(r"([\\`*_\[\]<>|~&#])")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|~&#])")
# C0 controls but tab and newline, DEL and C1 (CSI is U+009B): the bytes that start terminal escape sequences.
TABLE_PIPE = re.compile(r"(?<!\\)\|")
"""A table's own cell boundary: a pipe that `markdown_text` did not escape."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(value: str) -> str:
    """Text with every control character removed (tab and newline kept), so it prints as itself."""
    return _CONTROL.sub("", value)


def markdown_text(value: str) -> str:
    """Plain text as (GitHub-flavoured) Markdown: control characters removed, whitespace collapsed to single
    spaces (a newline could start a heading or a list), and markup characters backslash-escaped (`<` stays a
    character, never the start of an HTML tag; `|` never ends a table cell)."""
    return _MARKUP.sub(r"\\\1", " ".join(terminal_text(value).split()))


def markdown_code(value: str) -> str:
    """Text as a Markdown code span that it cannot close: the fence is longer than any run of backticks in it."""
    text = " ".join(terminal_text(value).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def markdown_plain(markdown: str) -> str:
    """Markdown text with the backslash escapes of `markdown_text` undone, for a renderer that lays out our own
    Markdown as HTML (escaped again there) or PDF."""
    return _ESCAPED.sub(r"\1", markdown)
