"""The real client behind trusted reverse proxies: X-Forwarded-For is believed only from addresses configured."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ClientAddress", "client_behind"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.7:443
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_behind(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client address: the peer itself unless it is a trusted proxy; then the right-most X-Forwarded-For hop
    that is not a trusted proxy (hops further left were written by the client and prove nothing)."""
    peer_address = _address(peer)
    if peer_address is None or not any(peer_address in network for network in trusted):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return peer  # a hop that is no address: the chain cannot be read, so only the peer is known
        if not any(address in network for network in trusted):
            return str(address)
    return str(_address(hops[0])) if hops else peer


class ClientAddress:
    """ASGI middleware: `scope["client"]` (what the apps and the audit read) becomes the real client, and the scheme
    the one the trusted proxy received (X-Forwarded-Proto); from any other peer both headers are ignored."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app, self.trusted = app, tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and self._trusted(client[0]):
            headers = scope.get("headers", ())
            forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
            scope = {**scope, "client": (client_behind(client[0], forwarded, self.trusted), 0)}
            protos = [v.decode("latin-1").split(",")[-1].strip() for k, v in headers if k == b"x-forwarded-proto"]
            if protos and protos[-1] in ("http", "https"):
                scope["scheme"] = protos[-1]
        await self.app(scope, receive, send)

    def _trusted(self, peer: str) -> bool:
        address = _address(peer)
        return address is not None and any(address in network for network in self.trusted)
