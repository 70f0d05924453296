"""The shape of CDS Hooks 2.0.1 documents as JSON Schema (what the spec allows), and sijpath's stricter card policy."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt

NON_EMPTY = {"type": "string", "minLength": 1}
CODING = {
    "type": "object",
    "properties": {"system": NON_EMPTY, "code": NON_EMPTY, "display": NON_EMPTY},
}
ACTION = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"enum": ["create", "update", "delete"]},
        "description": NON_EMPTY,
        "resource": {"type": "object", "required": ["resourceType"]},
        "resourceId": NON_EMPTY,
        "extension": {"type": "object", "minProperties": 1},
    },
}
LINK = {
    "type": "object",
    "required": ["label", "url", "type"],
    "properties": {
        "label": NON_EMPTY,
        "url": NON_EMPTY,
        "type": {"enum": ["absolute", "smart"]},
        "appContext": NON_EMPTY,
        "autolaunchable": {"type": "boolean"},
    },
}
CARD = {
    "type": "object",
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": NON_EMPTY,
        "summary": {"type": "string", "minLength": 1, "maxLength": 139},
        "detail": NON_EMPTY,
        "indicator": {"enum": ["info", "warning", "critical"]},
        "source": {
            "type": "object",
            "required": ["label"],
            "properties": {"label": NON_EMPTY, "url": NON_EMPTY, "icon": NON_EMPTY, "topic": CODING},
        },
        "suggestions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["label"],
                "properties": {
                    "label": NON_EMPTY,
                    "uuid": NON_EMPTY,
                    "isRecommended": {"type": "boolean"},
                    "actions": {
                        "type": "array",
                        "minItems": 1,
                        "items": {**ACTION, "required": ["type", "description"]},
                    },
                },
            },
        },
        "selectionBehavior": {"enum": ["at-most-one", "any"]},
        "overrideReasons": {"type": "array", "minItems": 1, "items": {**CODING, "required": ["code", "display"]}},
        "links": {"type": "array", "minItems": 1, "items": LINK},
        "extension": {"type": "object", "minProperties": 1},
    },
    "dependentRequired": {"suggestions": ["selectionBehavior"]},
}
RESPONSE = {
    "type": "object",
    "required": ["cards"],
    "properties": {
        "cards": {"type": "array", "items": CARD},
        "systemActions": {"type": "array", "minItems": 1, "items": ACTION},
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["hook", "description", "id"],
                "properties": {
                    "hook": NON_EMPTY,
                    "title": NON_EMPTY,
                    "description": NON_EMPTY,
                    "id": NON_EMPTY,
                    "prefetch": {"type": "object", "additionalProperties": NON_EMPTY},
                    "usageRequirements": NON_EMPTY,
                    "version": NON_EMPTY,
                    "extension": {"type": "object"},
                },
            },
        }
    },
}


def problems(document: Any, schema: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in Draft202012Validator(schema).iter_errors(document)]


def no_empty_values(document: Any, where: str = "") -> list[str]:
    """The spec's JSON rule: no null and no empty string, array or object (except `cards: []`)."""
    found = []
    if document is None or document in ("", [], {}):
        return [where or "(root)"]
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "cards" and value == []:
                continue
            found += no_empty_values(value, f"{where}/{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += no_empty_values(value, f"{where}/{index}")
    return found


_GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def raw_html(markdown: str) -> list[str]:
    """HTML blocks or inline HTML a GFM renderer would pass through."""
    found = []
    for token in _GFM.parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        for child in token.children or ():
            if child.type == "html_inline":
                found.append(child.content)
    return found


def policy(card: dict[str, Any]) -> list[str]:
    """What sijpath promises beyond the spec: CH-07 … CH-13 on one card."""
    found = problems(card, CARD)
    if not card.get("uuid"):
        found.append("card without uuid")
    for suggestion in card.get("suggestions", ()):
        if not suggestion.get("uuid"):
            found.append("suggestion without uuid")
        for action in suggestion.get("actions", ()):
            if action["type"] == "delete" and (
                "resource" in action or not re.fullmatch(r"[A-Z]\w+/[\w\-.]+", action.get("resourceId", ""))
            ):
                found.append("delete action without a Type/id resourceId, or with a resource")
            if action["type"] in ("create", "update") and "resource" not in action:
                found.append(f"{action['type']} action without a resource")
    recommended = sum(1 for s in card.get("suggestions", ()) if s.get("isRecommended"))
    if card.get("selectionBehavior") == "at-most-one" and recommended > 1:
        found.append("at-most-one with several recommended suggestions")
    for link in card.get("links", ()):
        if "appContext" in link and link["type"] != "smart":
            found.append("appContext on a link that is not smart")
        if not re.match(r"https?://[^/\s]+", link["url"]):
            found.append(f"link url {link['url']!r} is not absolute")
    if "url" in card["source"] and not re.match(r"https?://", card["source"]["url"]):
        found.append("source.url is not absolute")
    for reason in card.get("overrideReasons", ()):
        if not (reason.get("system") and reason.get("code") and reason.get("display")):
            found.append("override reason without system, code and display")
    if "detail" not in card:
        found.append("card without detail")
    else:
        found += [f"raw HTML in detail: {html!r}" for html in raw_html(card["detail"])]
        if "supports clinical decisions; it does not make them" not in card["detail"]:
            found.append("detail does not say sijpath supports decisions and does not make them")
    found += no_empty_values(card)
    return found
