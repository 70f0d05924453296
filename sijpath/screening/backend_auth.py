"""SMART Backend Services: an access token for a system client, by a client-assertion JWT signed with its own key.

The client's private key comes from a JWKS file (the public half is what the server registered). The assertion is
signed RS384 or ES384 (the two algorithms Backend Services clients SHALL support), with `iss` and `sub` the client
id, `aud` the token endpoint, a fresh `jti` and `exp` five minutes on at most. A token is reused until shortly
before it expires, and fetched again when the server answers 401 (an early revocation).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson

from sijpath.errors import BulkExportError, UnreadableInputError, UsageError

__all__ = ["ASSERTION_LIFETIME", "BackendClient", "SigningKey", "TokenSource", "load_signing_key", "outcome_text"]

ASSERTION_LIFETIME = dt.timedelta(minutes=5)  # Backend Services: `exp` no more than five minutes in the future
_EARLY = dt.timedelta(seconds=30)  # a token this close to expiry is renewed before use, not sent to fail
_ALGORITHMS: dict[tuple[object, object], str] = {("RSA", None): "RS384", ("EC", "P-384"): "ES384"}
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class SigningKey:
    """A private key from a JWKS file, with its key id and the algorithm it signs with."""

    key: Any
    kid: str | None
    algorithm: str


def load_signing_key(path: Path, kid: str | None = None) -> SigningKey:
    """The private key to sign with: the one with `kid`, else the only RSA or P-384 private key in the file."""
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise UnreadableInputError(f"{path}: cannot read the key file ({exc.strerror})") from None
    except orjson.JSONDecodeError:
        raise UnreadableInputError(f'{path}: not JSON (a JWKS file: {{"keys": [...]}})') from None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise UsageError(f'{path}: no `keys` list (a JWKS file: {{"keys": [...]}})')
    usable = []
    for item in keys:
        if not isinstance(item, dict) or "d" not in item:
            continue  # a public key: nothing to sign with
        algorithm = _ALGORITHMS.get((item.get("kty"), item.get("crv") if item.get("kty") == "EC" else None))
        if algorithm is not None and (kid is None or item.get("kid") == kid):
            usable.append((item, algorithm))
    if not usable:
        wanted = f"with kid `{kid}`" if kid else "(RSA for RS384, or EC P-384 for ES384)"
        raise UsageError(f"{path}: no private key {wanted}")
    if len(usable) > 1:
        kids = ", ".join(str(item.get("kid")) for item, _ in usable)
        raise UsageError(f"{path}: {len(usable)} private keys ({kids}); name one with --kid")
    item, algorithm = usable[0]
    try:
        key = jwt.PyJWK(item, algorithm).key
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError) as exc:
        raise UsageError(f"{path}: the key {item.get('kid') or ''} cannot be used ({exc})") from None
    return SigningKey(key, item.get("kid") if isinstance(item.get("kid"), str) else None, algorithm)


@dataclass(frozen=True)
class BackendClient:
    """A registered system client: its id, its signing key, the scopes it asks for and where tokens come from."""

    client_id: str
    key: SigningKey
    token_url: str
    scope: str = "system/*.read"

    def assertion(self, now: dt.datetime) -> str:
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "exp": int((now + ASSERTION_LIFETIME).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        headers = {"typ": "JWT", **({"kid": self.key.kid} if self.key.kid else {})}
        return jwt.encode(claims, self.key.key, algorithm=self.key.algorithm, headers=headers)


@dataclass
class TokenSource:
    """Access tokens for one client, kept until shortly before they expire."""

    client: BackendClient
    http: httpx.Client
    now: Clock
    _token: str | None = None
    _until: dt.datetime | None = None
    fetched: int = field(default=0)

    def header(self) -> dict[str, str]:
        """The Authorization header with a token that is good now."""
        now = self.now()
        if self._token is None or self._until is None or now >= self._until - _EARLY:
            self._fetch(now)
        return {"Authorization": f"Bearer {self._token}"}

    def renew(self) -> dict[str, str]:
        """A new token, after the server refused the one it had (401)."""
        self._token = None
        return self.header()

    def _fetch(self, now: dt.datetime) -> None:
        form = {
            "grant_type": "client_credentials",
            "scope": self.client.scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.client.assertion(now),
        }
        try:
            response = self.http.post(self.client.token_url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise BulkExportError(f"token endpoint {self.client.token_url}: {type(exc).__name__} ({exc})") from None
        body = _json(response)
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            said = body.get("error_description") or body.get("error") or outcome_text(body) or response.text[:200]
            raise BulkExportError(f"token endpoint {self.client.token_url}: HTTP {response.status_code}: {said}")
        lifetime = body.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int | float) and lifetime > 0 else 300
        self._token, self._until = body["access_token"], now + dt.timedelta(seconds=seconds)
        self.fetched += 1


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def outcome_text(body: Any) -> str:
    """What an OperationOutcome says (each issue's diagnostics or details text), or '' for anything else."""
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        return ""
    said = []
    for issue in body.get("issue") or []:
        if isinstance(issue, dict):
            details = issue.get("details")
            text = issue.get("diagnostics") or (details.get("text") if isinstance(details, dict) else None)
            text = text or issue.get("code")
            if text:
                said.append(str(text)[:300])
    return "; ".join(said)
