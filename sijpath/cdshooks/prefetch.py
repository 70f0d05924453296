"""Prefetch resolution: use what the client sent, fetch what it left out, and answer 412 when neither works."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from sijpath.cdshooks.fetch import Entries, FhirServer, bundle_entries, next_link
from sijpath.cdshooks.models import Context
from sijpath.errors import DataUnavailableError, InputError, Problem

__all__ = ["Gathered", "KeySource", "gather", "render"]

KeySource = Literal["prefetch", "null", "fetched"]
_TOKEN = re.compile(r"\{\{\s*([A-Za-z.]+)\s*\}\}")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


@dataclass
class Gathered:
    """The resources of every prefetch key (deduplicated by type and id), and where each key's data came from."""

    entries: Entries = field(default_factory=list)
    sources: dict[str, KeySource] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, key: str, entries: Entries, source: KeySource) -> None:
        for resource, full_url in entries:
            rid = resource.get("id")
            if isinstance(rid, str):
                name = f"{resource.get('resourceType')}/{rid}"
                if name in self._seen:
                    continue
                self._seen.add(name)
            self.entries.append((resource, full_url))
        self.sources[key] = source

    @property
    def summary(self) -> str:
        """`prefetch 5, fetched 1, null 1`: how the data came, for the audit trail."""
        counts = {kind: sum(1 for s in self.sources.values() if s == kind) for kind in ("prefetch", "fetched", "null")}
        return ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)


def render(template: str, context: Context) -> str:
    """Fill `{{context.x}}` and `{{userXId}}` tokens; each value is URL-encoded, so it cannot add query terms."""

    def value(match: re.Match[str]) -> str:
        token = match[1]
        found: object = None
        if token.startswith("context."):
            found = getattr(context, token.removeprefix("context."), None)
        elif token in _USER_TOKENS and context.userId:
            kind, _, rid = context.userId.partition("/")
            found = rid if kind == _USER_TOKENS[token] else None
        if not isinstance(found, str):
            raise DataUnavailableError(f"the prefetch token {{{{{token}}}}} has no value in this request's context")
        return quote(found, safe="")

    return _TOKEN.sub(value, template)


async def gather(
    templates: Mapping[str, str],
    prefetch: Mapping[str, Any] | None,
    context: Context,
    server: Callable[[], FhirServer | None],
) -> Gathered:
    """Every key's data: sent (a resource, a Bundle, or null for 'no data'), or fetched from fhirServer when the
    key is absent, holds an OperationOutcome (the client's error), or is a Bundle with more pages."""
    gathered = Gathered()
    sent = prefetch or {}
    work: list[tuple[str, Callable[[FhirServer], Awaitable[Entries]]]] = []
    for key, template in templates.items():
        if key not in sent:
            work.append((key, _query(key, render(template, context))))
            continue
        value = sent[key]
        if value is None:
            gathered.add(key, [], "null")
            continue
        if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
            raise InputError(
                "the prefetch is not valid", [Problem(f"prefetch.{key}", "must be a FHIR resource, a Bundle or null")]
            )
        kind = value["resourceType"]
        if kind == "OperationOutcome":
            work.append((key, _query(key, render(template, context))))
        elif kind == "Bundle":
            following = next_link(value)
            if following is None:
                gathered.add(key, bundle_entries(value), "prefetch")
            else:
                work.append((key, _rest(key, bundle_entries(value), following)))
        else:
            gathered.add(key, [(value, None)], "prefetch")
    if not work:
        return gathered
    fhir = server()
    if fhir is None:
        keys = ", ".join(f"`{key}`" for key, _ in work)
        raise DataUnavailableError(
            f"prefetch {keys} not sent (or sent incomplete or as an error), and no fhirServer to read it from"
        )
    results = await asyncio.gather(*(job(fhir) for _, job in work), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    for (key, _), entries in zip(work, results, strict=True):
        gathered.add(key, entries, "fetched")  # type: ignore[arg-type]
    return gathered


def _query(key: str, query: str) -> Callable[[FhirServer], Awaitable[Entries]]:
    async def run(fhir: FhirServer) -> Entries:
        return await fhir.query(key, query)

    return run


def _rest(key: str, first: Entries, following: str) -> Callable[[FhirServer], Awaitable[Entries]]:
    async def run(fhir: FhirServer) -> Entries:
        return first + await fhir.more(key, following)

    return run
