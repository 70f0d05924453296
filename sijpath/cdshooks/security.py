"""The JWT every CDS client call carries: trusted issuer, its keys, audience, expiry, and a jti never seen before."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson

from sijpath.errors import AuthenticationError, InputError, UsageError
from sijpath.limits import check_json

__all__ = [
    "ALGORITHMS",
    "DEVELOPMENT_CALLER",
    "LEEWAY",
    "Caller",
    "FirstUse",
    "KeySet",
    "Keys",
    "ReplayCache",
    "Verifier",
    "parse_jwks",
]

log = logging.getLogger("sijpath.cdshooks.security")

DEVELOPMENT_CALLER = "development-mode"  # the caller of every call when JWTs are not checked
ALGORITHMS = ("ES384", "RS384")  # the spec's recommended pair; never `none`, never a symmetric (HS*) algorithm
LEEWAY = 30  # seconds of clock difference tolerated on exp and iat
MAX_LIFETIME = 3600  # longest a token may still be valid for: its jti is remembered until then
JWKS_TTL, JWKS_RETRY = 3600.0, 60.0  # keep a fetched JWKS an hour; refetch for an unknown kid at most once a minute
JWKS_MAX_BYTES = 1024 * 1024  # a JWKS is a few kilobytes; a bigger answer is not read
# JWK members only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who called: the verified issuer (or `development-mode`), and the token's jti and tenant for the audit."""

    issuer: str
    jti: str | None = None
    tenant: str | None = None


Keys = dict[str | None, tuple[jwt.PyJWK, str | None]]
"""Public keys by kid, each with the `alg` its JWK names (None when it names none)."""


def parse_jwks(data: bytes, origin: str) -> Keys:
    """The EC and RSA keys of a JWKS by kid; other keys are left out."""
    check_json(data, f"JWKS {origin}")
    try:
        document = orjson.loads(data)
        listed = document["keys"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise UsageError(f"{origin}: not a JWKS (a JSON object with `keys`)") from None
    keys: Keys = {}
    for item in listed if isinstance(listed, list) else ():
        if isinstance(item, dict) and PRIVATE_MEMBERS & item.keys():
            # A trust anchor holding a private (or symmetric) key: whoever can read this file can sign as the EHR.
            raise UsageError(
                f"{origin}: the JWKS holds private key material ({', '.join(sorted(PRIVATE_MEMBERS & item.keys()))} "
                "of a key); register only the EHR's public keys"
            )
        if not isinstance(item, dict) or item.get("kty") not in ("EC", "RSA"):
            continue
        try:
            alg = item.get("alg")
            keys[item.get("kid")] = (jwt.PyJWK(item), alg if isinstance(alg, str) else None)
        except jwt.PyJWTError:
            continue
    if not keys:
        raise UsageError(f"{origin}: the JWKS holds no usable EC or RSA key")
    return keys


class KeySet:
    """One trusted issuer's keys: from a file (read at start) or a URL (fetched when needed, kept an hour)."""

    def __init__(self, location: str, http: Callable[[], httpx.AsyncClient], clock: Callable[[], float]) -> None:
        self.location = location
        # https only (settings refuse http://): keys fetched in clear text could be anyone's.
        self.is_url = location.startswith("https://")
        if "://" in location and not self.is_url:
            raise UsageError(f"{location[:80]}: a JWKS URL must be https://")
        self._http, self._clock = http, clock
        self._keys: Keys = {}
        self._fetched = float("-inf")
        if not self.is_url:
            path = Path(location)
            try:
                self._keys = parse_jwks(path.read_bytes(), location)
            except OSError as exc:
                raise UsageError(f"{location}: cannot read the JWKS ({exc.strerror})") from None

    async def key(self, kid: str | None) -> tuple[jwt.PyJWK, str | None] | None:
        if self.is_url:
            age = self._clock() - self._fetched
            if age > JWKS_TTL or (self._find(kid) is None and age > JWKS_RETRY):
                await self._fetch()
        return self._find(kid)

    def _find(self, kid: str | None) -> tuple[jwt.PyJWK, str | None] | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        self._fetched = self._clock()
        try:
            async with self._http() as client, client.stream("GET", self.location, headers=_ACCEPT) as response:
                response.raise_for_status()
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > JWKS_MAX_BYTES:
                        raise UsageError(f"{self.location}: the JWKS is over {JWKS_MAX_BYTES // 1024} KB")
            self._keys = parse_jwks(bytes(body), self.location)
        except (httpx.HTTPError, UsageError, InputError) as exc:
            log.warning("JWKS %s could not be fetched: %s", self.location, type(exc).__name__)


_ACCEPT = {"Accept": "application/json"}


FirstUse = Callable[[str, str, float, float], Awaitable[bool]]
"""`first_use(issuer, jti, expires, now)`: True the first time a jti is seen (the service's is in the database)."""


class ReplayCache:
    """jtis seen per issuer in this process, each kept until its token expires; a second use is a replay. The
    served service uses the database's instead (store/replays.py), which every server process shares."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._prune_at = 10_000

    async def first_use(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        with self._lock:
            if len(self._seen) > self._prune_at:
                self._seen = {k: v for k, v in self._seen.items() if v >= now}
                # Prune again only once the cache has doubled: amortized O(1) per call however many tokens live.
                self._prune_at = max(10_000, 2 * len(self._seen))
            key = (issuer, jti)
            if key in self._seen and self._seen[key] >= now:
                return False
            self._seen[key] = expires
            return True


class Verifier:
    """Checks the bearer JWT of each call; any failure is an AuthenticationError (a bare 401)."""

    def __init__(
        self,
        issuers: Mapping[str, str],
        http: Callable[[], httpx.AsyncClient],
        *,
        development: bool = False,
        clock: Callable[[], float] = time.time,
        first_use: FirstUse | None = None,
    ) -> None:
        self.development = development
        self.clock = clock
        self.keys = {iss: KeySet(location, http, clock) for iss, location in issuers.items()}
        self.first_use = first_use or ReplayCache().first_use
        if development:
            log.warning(
                "CDS Hooks DEVELOPMENT MODE: the JWT of CDS clients is NOT verified and any caller is trusted. "
                "Never run it like this with real patient data."
            )

    async def verify(self, authorization: str | None, audiences: Sequence[str]) -> Caller:
        if self.development:
            return Caller(DEVELOPMENT_CALLER)
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("no bearer token")
        try:
            return await self._verify(token.strip(), audiences)
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            # TypeError/ValueError: a key of the wrong type for the alg (an RSA key named by an ES384 token).
            raise AuthenticationError(f"JWT rejected ({type(exc).__name__})") from None

    async def _verify(self, token: str, audiences: Sequence[str]) -> Caller:
        header, claims = _unverified(token)
        if header.get("alg") not in ALGORITHMS:
            raise AuthenticationError(f"JWT alg {str(header.get('alg'))[:10]!r} is not accepted")
        issuer = claims.get("iss")
        keyset = self.keys.get(issuer) if isinstance(issuer, str) else None
        if keyset is None or not isinstance(issuer, str):
            raise AuthenticationError("JWT iss is not a trusted issuer")
        jku = header.get("jku")
        if jku is not None and keyset.is_url and jku != keyset.location:
            raise AuthenticationError("JWT jku is not the issuer's registered JWKS")
        kid = header.get("kid")
        found = await keyset.key(kid if isinstance(kid, str) else None)
        if found is None:
            raise AuthenticationError("no key of the issuer matches the JWT kid")
        key, key_alg = found
        if key_alg not in (None, header["alg"]):
            raise AuthenticationError("the JWT alg is not the key's")
        if {"EC": "ES", "RSA": "RS"}.get(str(getattr(key, "key_type", ""))) != header["alg"][:2]:
            raise AuthenticationError("the JWT alg does not fit the key's type")
        verified: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[header["alg"]],
            audience=list(audiences),
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
        expires = float(verified["exp"])
        if expires > self.clock() + MAX_LIFETIME + LEEWAY:
            raise AuthenticationError("JWT exp is further away than an hour")
        jti = str(verified["jti"])
        if not await self.first_use(issuer, jti, expires + LEEWAY, self.clock()):
            raise AuthenticationError("JWT jti was used before (replay)")
        tenant = verified.get("tenant")
        return Caller(issuer, jti, tenant if isinstance(tenant, str) else None)


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before any check, only to find the issuer's key; PyJWT then checks all of it."""
    try:
        header, payload, _ = token.split(".")
        found = [orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in (header, payload)]
    except (ValueError, orjson.JSONDecodeError):
        raise AuthenticationError("not a JWS compact serialization") from None
    if not all(isinstance(part, dict) for part in found):
        raise AuthenticationError("JWT header or claims are not JSON objects")
    return found[0], found[1]
