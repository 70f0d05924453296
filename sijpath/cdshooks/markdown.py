"""GitHub-flavoured Markdown for card details: text from records escaped, so none of it becomes markup or HTML."""

from __future__ import annotations

from collections.abc import Iterable

from sijpath.engine.assessment import NOTICE, Assessment, RaisedFlag, UnitAssessment
from sijpath.evidence.catalog import Source
from sijpath.markup import markdown_text

__all__ = [
    "bullets",
    "clip",
    "flags_section",
    "issues_section",
    "missing_section",
    "notice",
    "source_labels",
    "sources_line",
    "text",
]


def text(value: str) -> str:
    """Plain text as GFM: whitespace collapsed to single spaces and markup characters backslash-escaped (`<` stays
    a character, never the start of an HTML tag); `sijpath.markup` holds the one escaping every output uses."""
    return markdown_text(value)


def clip(value: str, limit: int = 139) -> str:
    """At most `limit` characters (a card summary must stay under 140), cut at a word with an ellipsis."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def bullets(lines: Iterable[str]) -> list[str]:
    return [f"- {line}" for line in lines]


def flags_section(flags: Iterable[RaisedFlag]) -> list[str]:
    shown = list(flags)
    if not shown:
        return ["**Flags:** none."]
    return ["**Flags**", "", *bullets(f"**{f.severity}**: {text(f.message)}" for f in shown)]


def missing_section(unit: UnitAssessment) -> list[str]:
    """The data that would settle one joint's criteria still unknown, and which criteria each item settles."""
    if not unit.missing_data:
        return ["**Data missing:** none for the criteria assessed."]
    titles = {c.id: c.title for c in unit.criteria}
    lines = [
        f"{text(m.item)} (for: {text('; '.join(titles.get(c, c) for c in m.needed_for))})" for m in unit.missing_data
    ]
    return ["**Data missing** (these criteria are unknown until it is recorded)", "", *bullets(lines)]


def issues_section(assessment: Assessment, limit: int = 5) -> list[str]:
    warnings = [d for d in assessment.data_issues if d.severity == "warning"]
    if not warnings:
        return []
    shown = [f"{text(d.location)}: {text(d.message)}" for d in warnings[:limit]]
    more = [f"and {len(warnings) - limit} more"] if len(warnings) > limit else []
    return ["**Record problems** (facts that could not be used as recorded)", "", *bullets([*shown, *more])]


def source_labels(sources: Iterable[Source]) -> str:
    """Short citations, each once, UNVERIFIED and secondary sources marked."""
    return "; ".join(dict.fromkeys(text(s.label()) for s in sources))


def sources_line(sources: Iterable[Source]) -> str:
    labels = source_labels(sources)
    return f"**Sources:** {labels}." if labels else "**Sources:** none cited."


def notice() -> str:
    return f"*{text(NOTICE)}*"
