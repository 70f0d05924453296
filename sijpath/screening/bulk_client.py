"""A FHIR Bulk Data `$export` client: kick-off, polling as the server asks, the manifest, resumable downloads.

It follows the Bulk Data Access IG's asynchronous flow: the kick-off (`Prefer: respond-async`) is answered 202 with
the status URL in `Content-Location`; the status URL answers 202 while the export runs (`X-Progress`, `Retry-After`),
429 when polled too often (`Retry-After`), and 200 with the completion manifest. The files it lists are downloaded
with the access token only when the manifest says `requiresAccessToken`. What the job has reached is kept in
`bulk-state.json` in the output folder, so the same command run again goes on polling the same job, or downloading
the files not yet complete (a partial file goes on from its last byte where the file server allows ranges).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
import orjson

from sijpath.errors import BulkExportError, UsageError
from sijpath.screening.backend_auth import TokenSource, outcome_text

__all__ = ["ExportRequest", "ExportResult", "run_export"]

_STATE = "bulk-state.json"
_FIRST_WAIT, _LONGEST_WAIT = 1.0, 120.0  # seconds: the exponential backoff when the server names no delay
_TRANSIENT_TRIES = 5
Pause = Callable[[float], None]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ExportRequest:
    """What to export from which server into which folder; `group` exports one Group, `patients` all patients."""

    base_url: str
    out: Path
    types: tuple[str, ...] = ()
    since: str | None = None
    group: str | None = None
    patients: bool = False
    max_wait: dt.timedelta = dt.timedelta(hours=6)

    def kickoff_url(self) -> str:
        base = self.base_url.rstrip("/")
        path = f"/Group/{self.group}/$export" if self.group else "/Patient/$export" if self.patients else "/$export"
        query: dict[str, str] = {"_outputFormat": "application/fhir+ndjson"}
        if self.types:
            query["_type"] = ",".join(self.types)
        if self.since:
            query["_since"] = self.since
        return f"{base}{path}?{urlencode(query)}"


@dataclass
class ExportResult:
    """The files the export gave (in the output folder), the server's error files, and how the run went."""

    files: list[Path] = field(default_factory=list)
    errors: list[Path] = field(default_factory=list)
    transaction_time: str | None = None
    polls: int = 0
    resumed: bool = False
    waited_seconds: float = 0.0


@dataclass
class _Session:
    http: httpx.Client
    tokens: TokenSource | None
    pause: Pause
    now: Callable[[], dt.datetime]

    def send(self, method: str, url: str, accept: str, authorize: bool = True, **more: Any) -> httpx.Response:
        """One request; a 401 with a token fetches a new token and tries once more (it may have expired early)."""
        headers = {"Accept": accept, **more.pop("headers", {})}
        auth = self.tokens.header() if self.tokens is not None and authorize else {}
        try:
            response = self.http.request(method, url, headers={**headers, **auth}, **more)
            if response.status_code == 401 and auth and self.tokens is not None:
                response = self.http.request(method, url, headers={**headers, **self.tokens.renew()}, **more)
        except httpx.HTTPError as exc:
            raise BulkExportError(f"{method} {url}: {type(exc).__name__} ({exc})") from None
        return response

    def stream(self, url: str, headers: dict[str, str], authorize: bool) -> Iterator[httpx.Response]:
        auth = self.tokens.header() if self.tokens is not None and authorize else {}
        try:
            with self.http.stream("GET", url, headers={**headers, **auth}) as response:
                if response.status_code == 401 and auth and self.tokens is not None:
                    response.close()
                    with self.http.stream("GET", url, headers={**headers, **self.tokens.renew()}) as again:
                        yield again
                    return
                yield response
        except httpx.HTTPError as exc:
            raise BulkExportError(f"GET {url}: {type(exc).__name__} ({exc})") from None


def _problem(step: str, response: httpx.Response) -> BulkExportError:
    try:
        said = outcome_text(orjson.loads(response.content)) or response.text[:300]
    except orjson.JSONDecodeError:
        said = response.text[:300]
    return BulkExportError(f"{step}: HTTP {response.status_code}" + (f": {said}" if said else ""))


def _transient(response: httpx.Response) -> bool:
    """A server error the IG lets a client retry: 503, or an OperationOutcome whose issues are all `transient`."""
    if response.status_code == 503:
        return True
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return False
    issues = body.get("issue") if isinstance(body, dict) else None
    if not isinstance(issues, list) or not issues:
        return False
    return all(isinstance(i, dict) and i.get("code") == "transient" for i in issues)


def _retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    """`Retry-After` in seconds: a number of seconds, or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0) if when.tzinfo else None


def run_export(
    http: httpx.Client,
    request: ExportRequest,
    tokens: TokenSource | None,
    pause: Pause,
    now: Callable[[], dt.datetime],
    progress: Progress | None = None,
) -> ExportResult:
    """Run (or resume) an export into `request.out`: NDJSON files named `<Type>.<n>.ndjson` and `manifest.json`."""
    session = _Session(http, tokens, pause, now)
    request.out.mkdir(parents=True, exist_ok=True)
    state_path = request.out / _STATE
    state = orjson.loads(state_path.read_bytes()) if state_path.exists() else {}
    if state and state.get("kickoff") != request.kickoff_url():
        raise UsageError(f"{request.out} holds another export ({state.get('kickoff')}); choose another folder")
    if not state and any(request.out.glob("*.ndjson")):
        raise UsageError(f"{request.out} already holds NDJSON files; export into an empty folder")
    result = ExportResult(resumed=bool(state))
    if not result.resumed:
        state = {"kickoff": request.kickoff_url(), "status_url": _kick_off(session, request, result)}
        state_path.write_bytes(orjson.dumps(state))
    if "manifest" not in state:
        state["manifest"] = _poll(session, state["status_url"], request, result, progress)
        state_path.write_bytes(orjson.dumps(state))
    manifest = state["manifest"]
    result.transaction_time = manifest.get("transactionTime")
    _download_all(session, manifest, request.out, result, progress)
    return result


def _kick_off(session: _Session, request: ExportRequest, result: ExportResult) -> str:
    url = request.kickoff_url()
    headers = {"Prefer": "respond-async"}
    response = _patiently(session, "GET", url, "application/fhir+json", request, result, headers=headers)
    if response.status_code != 202:
        raise _problem(f"export kick-off {url}", response)
    location = response.headers.get("Content-Location")
    if not location:
        raise BulkExportError(f"export kick-off {url}: HTTP 202 without a Content-Location (the status URL)")
    return str(urljoin(url, location))


def _patiently(
    session: _Session, method: str, url: str, accept: str, request: ExportRequest, result: ExportResult, **more: Any
) -> httpx.Response:
    """A request repeated after 429 and transient server errors, waiting as the server asks (else backing off);
    any other answer is returned, 202 included."""
    wait, transient, deadline = _FIRST_WAIT, 0, session.now() + request.max_wait
    while True:
        response = session.send(method, url, accept, **more)
        if response.status_code == 429 or (response.status_code >= 500 and _transient(response)):
            transient += response.status_code >= 500
            if transient > _TRANSIENT_TRIES:
                raise _problem(f"{url} (after {_TRANSIENT_TRIES} retries)", response)
        else:
            return response
        wait = _sleep(session, response, wait, deadline, url, result)


def _sleep(
    session: _Session, response: httpx.Response, wait: float, deadline: dt.datetime, url: str, result: ExportResult
) -> float:
    """Wait as the response asks (`Retry-After`), else the backoff; returns the next backoff."""
    asked = _retry_after(response, session.now())
    seconds = asked if asked is not None else wait
    if session.now() + dt.timedelta(seconds=seconds) > deadline:
        raise BulkExportError(
            f"{url}: the export is not finished within the time allowed; run the same command again to go on"
        )
    session.pause(seconds)
    result.waited_seconds += seconds
    return min(wait * 2, _LONGEST_WAIT)


def _poll(
    session: _Session, status_url: str, request: ExportRequest, result: ExportResult, progress: Progress | None
) -> dict[str, Any]:
    wait, deadline = _FIRST_WAIT, session.now() + request.max_wait
    while True:
        response = _patiently(session, "GET", status_url, "application/json", request, result)
        result.polls += 1
        if response.status_code == 200:
            try:
                manifest = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                manifest = None
            if not isinstance(manifest, dict) or not isinstance(manifest.get("output"), list):
                raise BulkExportError(f"export status {status_url}: HTTP 200 without a manifest (no `output` list)")
            return manifest
        if response.status_code != 202:
            problem = _problem(f"export status {status_url}", response)
            if result.resumed and response.status_code == 404:
                problem = BulkExportError(
                    f"{problem.message}; the server no longer knows this export: remove "
                    f"{request.out / _STATE} to start a new one"
                )
            raise problem
        if progress is not None:
            progress(f"export in progress: {response.headers.get('X-Progress') or 'no progress given'}")
        wait = _sleep(session, response, wait, deadline, status_url, result)


def _download_all(
    session: _Session, manifest: dict[str, Any], out: Path, result: ExportResult, progress: Progress | None
) -> None:
    authorize = manifest.get("requiresAccessToken") is True  # never send the token to a file server that did not ask
    numbers: dict[str, int] = {}
    local: dict[str, list[dict[str, Any]]] = {"output": [], "error": []}
    for kind in ("output", "error"):
        for item in manifest.get(kind) or []:
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                raise BulkExportError(f"the export manifest lists an {kind} entry without a url: {item!r:.200}")
            resource_type = str(item.get("type") or "Unknown")
            number = numbers.get(resource_type, 0)
            numbers[resource_type] = number + 1
            name = f"{resource_type}.{number:03d}.ndjson"
            path = out / name if kind == "output" else out / "errors" / name
            if not path.exists():
                if progress is not None:
                    progress(f"downloading {name}")
                _download(session, item["url"], path, authorize)
            (result.files if kind == "output" else result.errors).append(path)
            entry = {"type": resource_type, "url": str(path.relative_to(out))}
            local[kind].append({**entry, **({"count": item["count"]} if "count" in item else {})})
    copy = {k: manifest[k] for k in ("transactionTime", "request", "requiresAccessToken") if k in manifest}
    (out / "manifest.json").write_bytes(orjson.dumps({**copy, **local}, option=orjson.OPT_INDENT_2))


def _download(session: _Session, url: str, path: Path, authorize: bool) -> None:
    """One file, streamed to `<name>.partial` and renamed when complete; a partial file goes on from where it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    have = partial.stat().st_size if partial.exists() else 0
    headers = {"Accept": "application/fhir+ndjson", **({"Range": f"bytes={have}-"} if have else {})}
    for response in session.stream(url, headers, authorize):
        if response.status_code not in (200, 206):
            response.read()
            raise _problem(f"download {url}", response)
        mode = "ab" if response.status_code == 206 else "wb"  # 200: the server sent the whole file again
        with partial.open(mode) as stream:
            for chunk in response.iter_bytes():
                stream.write(chunk)
    partial.replace(path)
