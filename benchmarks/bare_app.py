"""The bare endpoint of benchmarks/cdshooks_load.py: the same server stack (uvicorn, its workers, wiring's edges)
answering a CDS-sized POST with an empty card list, so the ratio to the real service is sijpath's own cost."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sijpath.wiring.proxies import ClientAddress
from sijpath.wiring.request_limits import RequestSizeLimit


async def bare(request: Request) -> Response:
    await request.body()  # received like a hook call's body, then nothing is done with it
    return Response(b'{"cards":[]}', media_type="application/json")


def main() -> None:
    """`python benchmarks/bare_app.py PORT WORKERS`: served as `sijpath serve --workers` serves (wiring.workers)."""
    import sys

    from sijpath.wiring.workers import run_workers

    port, workers = int(sys.argv[1]), int(sys.argv[2])
    options = {"access_log": False, "log_level": "warning", "proxy_headers": False}
    run_workers("bare_app:app", workers, "127.0.0.1", port, **options)  # type: ignore[arg-type]


def app() -> Any:
    """uvicorn factory: `uvicorn bare_app:app --factory --app-dir benchmarks`."""
    routes = [Route("/cds-services/sij-pathway", bare, methods=["POST"])]
    return ClientAddress(RequestSizeLimit(Starlette(routes=routes), 32 * 1024 * 1024), ())


if __name__ == "__main__":
    main()
