"""A small Bulk Data server for the tests (an httpx MockTransport): SMART Backend Services tokens, `$export`,
status polling, files; each test scripts the answers the status URL gives and checks what the client sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx
import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric import ec, rsa

BASE = "https://ehr.example/fhir"
TOKEN_URL = "https://auth.example/token"
CLIENT_ID = "sijpath-screening"
FILES = {
    "Patient": b'{"resourceType":"Patient","id":"p1"}\n',
    "Observation": b'{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},'
    b'"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]}}\n',
}


def jwks(kind: str = "rsa", kid: str = "key-1") -> tuple[dict[str, object], object]:
    """A JWKS file's content with one private key, and the public key the server registered."""
    if kind == "rsa":
        key: object = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = orjson.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))  # type: ignore[arg-type]
    else:
        key = ec.generate_private_key(ec.SECP384R1())
        jwk = orjson.loads(jwt.algorithms.ECAlgorithm.to_jwk(key))  # type: ignore[arg-type]
    return {"keys": [{**jwk, "kid": kid}]}, key.public_key()  # type: ignore[attr-defined]


def outcome(code: str, text: str) -> bytes:
    issue = {"severity": "error", "code": code, "diagnostics": text}
    return orjson.dumps({"resourceType": "OperationOutcome", "issue": [issue]})


@dataclass
class Clock:
    """The client's clock and its pause: a pause moves the clock on and is recorded, nothing really waits."""

    now: dt.datetime = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    pauses: list[float] = field(default_factory=list)

    def __call__(self) -> dt.datetime:
        return self.now

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class BulkServer:
    """The server's state; `status` is the script of answers the status URL gives, one per poll (the last repeats)."""

    public_key: object
    clock: Clock
    status: list[Callable[[BulkServer], httpx.Response]] = field(default_factory=list)
    kickoff: Callable[[BulkServer], httpx.Response] | None = None
    requires_token: bool = True
    token_seconds: int = 300
    tokens: dict[str, dt.datetime] = field(default_factory=dict)  # issued token -> expiry
    revoked: set[str] = field(default_factory=set)
    jtis: set[str] = field(default_factory=set)
    seen: list[httpx.Request] = field(default_factory=list)
    polls: int = 0
    ranges_allowed: bool = True

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        url = str(request.url)
        if url == TOKEN_URL:
            return self._token(request)
        if url == f"{BASE}/.well-known/smart-configuration":
            return httpx.Response(200, json={"token_endpoint": TOKEN_URL})
        if url.startswith("https://files.example/"):
            if self.requires_token and not self._authorized(request):
                return httpx.Response(401)
            if not self.requires_token and "Authorization" in request.headers:
                return httpx.Response(400, text="a file server that asked for no token was sent one")
            body = FILES[url.rsplit("/", 1)[-1]]
            wanted = request.headers.get("Range")
            if wanted and self.ranges_allowed:
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                return httpx.Response(206, content=body[start:])
            return httpx.Response(200, content=body)
        if not self._authorized(request):
            return httpx.Response(401, content=outcome("login", "no valid access token"))
        if "/$export" in url:
            if self.kickoff is not None:
                return self.kickoff(self)
            assert request.headers["Prefer"] == "respond-async"
            return httpx.Response(202, headers={"Content-Location": "/fhir/jobs/42"})
        if url == f"{BASE}/jobs/42":
            self.polls += 1
            return self.status[min(self.polls, len(self.status)) - 1](self)
        return httpx.Response(404, content=outcome("not-found", url))

    def _authorized(self, request: httpx.Request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return token in self.tokens and self.clock.now < self.tokens[token] and token not in self.revoked

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["grant_type"] == "client_credentials"
        assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        try:
            claims = jwt.decode(
                form["client_assertion"],
                self.public_key,  # type: ignore[arg-type]
                algorithms=["RS384", "ES384"],
                audience=TOKEN_URL,
                issuer=CLIENT_ID,
                options={"require": ["exp", "jti", "sub"], "verify_exp": False},
            )
        except jwt.InvalidTokenError as exc:
            return httpx.Response(401, json={"error": "invalid_client", "error_description": str(exc)})
        expiry = dt.datetime.fromtimestamp(claims["exp"], dt.UTC)
        if claims["sub"] != CLIENT_ID or claims["jti"] in self.jtis or not self.clock.now < expiry:
            return httpx.Response(401, json={"error": "invalid_client", "error_description": "bad assertion"})
        if expiry - self.clock.now > dt.timedelta(minutes=5):
            return httpx.Response(401, json={"error": "invalid_client", "error_description": "exp too far"})
        self.jtis.add(claims["jti"])
        token = f"token-{len(self.tokens) + 1}"
        self.tokens[token] = self.clock.now + dt.timedelta(seconds=self.token_seconds)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.token_seconds,
                "scope": form["scope"],
            },
        )


def in_progress(retry_after: str | None = "5", progress: str = "50%") -> Callable[[BulkServer], httpx.Response]:
    headers = {"X-Progress": progress, **({"Retry-After": retry_after} if retry_after else {})}
    return lambda server: httpx.Response(202, headers=headers)


def too_many(retry_after: str = "30") -> Callable[[BulkServer], httpx.Response]:
    return lambda server: httpx.Response(429, headers={"Retry-After": retry_after})


def complete(server: BulkServer) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "transactionTime": "2026-11-01T09:00:00Z",
            "request": f"{BASE}/$export",
            "requiresAccessToken": server.requires_token,
            "output": [{"type": t, "url": f"https://files.example/{t}", "count": 1} for t in FILES],
            "error": [],
        },
    )
