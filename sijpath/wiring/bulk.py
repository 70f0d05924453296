"""Composing a Bulk Data export from a FHIR server: the HTTP client, the SMART Backend Services key, the run."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import httpx
import orjson

from sijpath.errors import BulkExportError
from sijpath.screening.backend_auth import BackendClient, TokenSource, load_signing_key
from sijpath.screening.bulk_client import ExportRequest, ExportResult, Progress, run_export

__all__ = ["export_from_server", "token_endpoint"]

_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def token_endpoint(http: httpx.Client, base_url: str) -> str:
    """The token endpoint the server advertises in `.well-known/smart-configuration`."""
    url = f"{base_url.rstrip('/')}/.well-known/smart-configuration"
    try:
        response = http.get(url, headers={"Accept": "application/json"})
        found = orjson.loads(response.content).get("token_endpoint") if response.status_code == 200 else None
    except (httpx.HTTPError, orjson.JSONDecodeError, AttributeError):
        found = None
    if not isinstance(found, str):
        raise BulkExportError(f"{url}: no token_endpoint (give it with --token-url)")
    return found


def export_from_server(
    request: ExportRequest,
    *,
    client_id: str | None = None,
    key_file: Path | None = None,
    kid: str | None = None,
    token_url: str | None = None,
    scope: str = "system/*.read",
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ExportResult:
    """Export into `request.out`; with a client id and key file, authorized by SMART Backend Services."""
    with httpx.Client(timeout=_TIMEOUT, transport=transport, follow_redirects=True) as http:
        tokens = None
        if client_id is not None or key_file is not None:
            if client_id is None or key_file is None:
                raise BulkExportError("SMART Backend Services needs both --client-id and --key")
            key = load_signing_key(key_file, kid)
            client = BackendClient(client_id, key, token_url or token_endpoint(http, request.base_url), scope)
            tokens = TokenSource(client, http, lambda: dt.datetime.now(dt.UTC))
        return run_export(http, request, tokens, time.sleep, lambda: dt.datetime.now(dt.UTC), progress)
