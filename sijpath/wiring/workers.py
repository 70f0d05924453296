"""Several server processes on one listening socket: uvicorn's supervisor, with a socket that keeps Nagle off."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

__all__ = ["listening_socket", "run_workers"]


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port, inheritable by the workers. Made with proto=IPPROTO_TCP on purpose: asyncio
    turns Nagle's algorithm off (TCP_NODELAY) only on connections of such a socket, and uvicorn's own (proto 0)
    left it on, so every answer waited about 40 ms for the client's delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run_workers(factory: str, count: int, host: str, port: int, **options: Any) -> None:
    """Serve the app that `factory` ("module:function") makes, in `count` processes, until told to stop."""
    config = uvicorn.Config(factory, factory=True, workers=count, host=host, port=port, **options)
    Multiprocess(config, sockets=[listening_socket(host, port)]).run()
