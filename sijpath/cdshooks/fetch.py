"""Reading from the client's fhirServer with its access token: reads and searches, pages followed, bounded in
time, in bytes per answer and in resources per call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from sijpath.errors import DataUnavailableError, InputError
from sijpath.limits import check_json

__all__ = ["MAX_PAGES", "Entries", "FhirServer", "bundle_entries", "next_link"]

Entries = list[tuple[Mapping[str, Any], str | None]]
"""Resources with the fullUrl they came under (None when they had none)."""

MAX_PAGES = 50  # a search of one patient's resources longer than this is not a record we can read in time


def bundle_entries(bundle: Mapping[str, Any]) -> Entries:
    """The resources of a Bundle; `search.mode = outcome` entries (OperationOutcome notes) are left out."""
    entries: Entries = []
    for entry in bundle.get("entry") or ():
        if not isinstance(entry, dict):
            continue
        resource = entry.get("resource")
        search = entry.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            full_url = entry.get("fullUrl")
            entries.append((resource, full_url if isinstance(full_url, str) else None))
    return entries


def next_link(bundle: Mapping[str, Any]) -> str | None:
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None


class FhirServer:
    """The client's FHIR server, as named in the request; the token goes only to URLs under its base."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base: str,
        token: str | None,
        *,
        max_bytes: int = 16 * 1024 * 1024,
        max_resources: int = 20_000,
    ) -> None:
        self.client = client
        self.base = base.rstrip("/")
        self.max_bytes, self.max_resources = max_bytes, max_resources
        self.resources = 0  # read so far in this call, over every key (the keys are fetched concurrently)
        self.headers = {"Accept": "application/fhir+json, application/json"}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    async def query(self, key: str, query: str) -> Entries:
        """A read (`Patient/123`: absent means no data) or a search (every page)."""
        is_read = "?" not in query
        return await self._pages(key, f"{self.base}/{query}", is_read)

    async def more(self, key: str, url: str) -> Entries:
        """The rest of a search the client began in the prefetch (from its `next` link)."""
        return await self._pages(key, url, False)

    def _absolute(self, url: str) -> str:
        return url if "://" in url else f"{self.base}/{url.lstrip('/')}"

    async def _pages(self, key: str, url: str, is_read: bool) -> Entries:
        entries: Entries = []
        for _ in range(MAX_PAGES):
            document = await self._get(key, url, is_read)
            if document is None:
                return entries
            if document.get("resourceType") == "OperationOutcome":
                raise DataUnavailableError(f"prefetch `{key}`: fhirServer answered with an OperationOutcome")
            if document.get("resourceType") != "Bundle":
                if is_read:
                    return [(document, None)]
                raise DataUnavailableError(f"prefetch `{key}`: fhirServer answered a search without a Bundle")
            found = bundle_entries(document)
            self.resources += len(found)
            if self.resources > self.max_resources:
                raise DataUnavailableError(
                    f"prefetch `{key}`: fhirServer sent more than {self.max_resources:,} resources for this call"
                )
            entries += found
            following = next_link(document)
            if following is None:
                return entries
            url = self._absolute(following)
        raise DataUnavailableError(f"prefetch `{key}`: more than {MAX_PAGES} pages of search results")

    async def _get(self, key: str, url: str, is_read: bool) -> dict[str, Any] | None:
        url = self._absolute(url)
        if not (url == self.base or url.startswith(self.base + "/") or url.startswith(self.base + "?")):
            # A next link elsewhere would take the client's access token to a server it was not meant for.
            raise DataUnavailableError(f"prefetch `{key}`: a next link points outside fhirServer; not followed")
        try:
            body = await self._body(key, url, is_read)
        except httpx.TimeoutException:
            raise DataUnavailableError(f"prefetch `{key}`: fhirServer did not answer in time") from None
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            # ValueError/UnicodeError: a token or host httpx cannot put on the wire; still "cannot be reached".
            raise DataUnavailableError(
                f"prefetch `{key}`: fhirServer cannot be reached ({type(exc).__name__})"
            ) from None
        if body is None:
            return None
        try:
            check_json(body, f"fhirServer answer for `{key}`")
        except InputError as exc:
            raise DataUnavailableError(f"prefetch `{key}`: {exc.message}") from None
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise DataUnavailableError(f"prefetch `{key}`: fhirServer did not answer with JSON") from None
        if not isinstance(document, dict):
            raise DataUnavailableError(f"prefetch `{key}`: fhirServer did not answer with a FHIR resource")
        return document

    async def _body(self, key: str, url: str, is_read: bool) -> bytes | None:
        """The answer's body, read no further than `max_bytes` (counted after decompression, so a gzip bomb is cut
        off too); None for a read that found nothing."""
        too_big = DataUnavailableError(
            f"prefetch `{key}`: fhirServer answered with more than {self.max_bytes // (1024 * 1024)} MB"
        )
        async with self.client.stream("GET", url, headers=self.headers) as response:
            if is_read and response.status_code in (404, 410):
                return None
            if response.status_code != 200:
                raise DataUnavailableError(f"prefetch `{key}`: fhirServer answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise too_big
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise too_big
        return bytes(body)
