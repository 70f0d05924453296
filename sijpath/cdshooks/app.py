"""The CDS Hooks HTTP surface: routes, CORS, the JWT on every call, and the one mapping from errors to responses."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sijpath.cdshooks.discovery import SERVICES, Service, discovery
from sijpath.cdshooks.feedback import store_feedback
from sijpath.cdshooks.models import CdsRequest, FeedbackRequest, parse
from sijpath.cdshooks.security import Caller
from sijpath.cdshooks.service import CdsService, Invocation, actor
from sijpath.errors import (
    AuthenticationError,
    DataUnavailableError,
    InputError,
    NotFoundError,
    RequestTooLargeError,
    SijpathError,
    StoreError,
    UsageError,
)

__all__ = ["CDS_STATUS", "PREFIX", "create_cds_app", "operation_outcome", "with_cds_hooks"]

log = logging.getLogger("sijpath.cdshooks")
PREFIX = "/cds-services"

# The one mapping from errors to CDS Hooks responses (most specific first): status and OperationOutcome issue code.
# A 401 is bare, as the spec's best practice asks: the caller learns nothing about why.
CDS_STATUS: tuple[tuple[type[SijpathError], int, str], ...] = (
    (AuthenticationError, 401, "security"),
    (DataUnavailableError, 412, "incomplete"),
    (RequestTooLargeError, 413, "too-costly"),
    (InputError, 400, "invalid"),
    (UsageError, 400, "invalid"),
    (NotFoundError, 404, "not-found"),
    (StoreError, 503, "transient"),
    (SijpathError, 500, "exception"),
)


def operation_outcome(code: str, message: str, problems: Any = ()) -> dict[str, Any]:
    issues: list[dict[str, Any]] = [{"severity": "error", "code": code, "diagnostics": message}]
    issues += [
        {
            "severity": "error",
            "code": code,
            "diagnostics": p.message,
            **({"expression": [p.location]} if p.location else {}),
        }
        for p in problems
    ]
    return {"resourceType": "OperationOutcome", "issue": issues}


def _json(document: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(document), status_code=status, media_type="application/json")


def _error(exc: SijpathError) -> Response:
    status, code = next((s, c) for kind, s, c in CDS_STATUS if isinstance(exc, kind))
    if status == 401:
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(
        orjson.dumps(operation_outcome(code, exc.message, exc.problems)),
        status_code=status,
        media_type="application/fhir+json",
    )


def create_cds_app(service: CdsService) -> Starlette:
    """The ASGI app serving {baseUrl}/cds-services (discovery, the two services, their feedback)."""
    for name in ("httpx", "httpcore"):
        # Their request logs carry fhirServer URLs with patient ids: kept out of the logs.
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = service.settings

    def audiences(request: Request, *paths: str) -> list[str]:
        base = (
            settings.cds_base_url or f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"
        )
        urls = [base.rstrip("/") + path for path in paths]
        return urls + [url + "/" for url in urls]

    async def caller_of(request: Request, *paths: str) -> Caller:
        return await service.verifier.verify(request.headers.get("authorization"), audiences(request, *paths))

    async def list_services(request: Request) -> Response:
        try:
            await caller_of(request, PREFIX)
        except SijpathError as exc:
            return _refused(request, exc)
        return _json(discovery(settings.cds_spec_version))

    async def call(request: Request) -> Response:
        started = time.perf_counter()
        service_id = request.path_params["service_id"]
        remote = request.client.host if request.client else ""
        try:
            if not settings.cds_development_mode and not _bearer(request):
                raise AuthenticationError("no bearer token")  # refused before reading a body nobody signed for
            # The body first: waiting for it before any work keeps calls in arrival order on the event loop.
            body = await _body(request, settings.max_request_bytes)
            caller = await caller_of(request, f"{PREFIX}/{service_id}")
        except AuthenticationError as exc:
            return _refused(request, exc)
        except SijpathError as exc:
            return _error(exc)
        hook, hook_instance, patient_id = "(unknown)", "(none)", None
        outcome = Invocation()
        try:
            definition = _service(service_id)
            cds_request = parse(CdsRequest, body, "CDS Hooks request")
            hook, hook_instance = cds_request.hook, cds_request.hookInstance
            patient_id = cds_request.context.patientId
            outcome, gathered, orders = await service.invoke(definition, cds_request, caller)
            if gathered is not None:
                outcome = service.assess(definition, cds_request, gathered, orders)
                await service.write(partial(service.remember, definition, cds_request, outcome, caller, remote))
            else:
                audit = partial(
                    service.audit_call, service_id, hook, hook_instance, patient_id, caller, 200, outcome, remote
                )
                await service.write(audit)
            response = _json({"cards": outcome.cards})
        except SijpathError as exc:
            response = _error(exc)
            outcome.note = exc.message[:300]
            if not isinstance(exc, StoreError):
                await _audit_quietly(
                    service,
                    partial(
                        service.audit_call,
                        service_id,
                        hook,
                        hook_instance,
                        patient_id,
                        caller,
                        response.status_code,
                        outcome,
                        remote,
                    ),
                )
        except Exception as exc:  # a bug: an OperationOutcome, and a log line naming no patient data
            response = _error(SijpathError("internal error in the CDS service"))
            log.error("CDS call to %s failed: %s at %s", service_id, type(exc).__name__, _where(exc))
        elapsed = (time.perf_counter() - started) * 1000
        level = logging.DEBUG if response.status_code == 200 else logging.INFO
        log.log(
            level,
            "%s %s hookInstance=%s → %s in %.1f ms",
            service_id,
            hook[:40],
            hook_instance[:80],
            response.status_code,
            elapsed,
        )
        return response

    async def feedback(request: Request) -> Response:
        service_id = request.path_params["service_id"]
        try:
            caller = await caller_of(request, f"{PREFIX}/{service_id}/feedback", f"{PREFIX}/{service_id}")
        except SijpathError as exc:
            return _refused(request, exc)
        try:
            _service(service_id)
            items = parse(FeedbackRequest, await _body(request, settings.max_request_bytes), "feedback")
            store = partial(
                store_feedback,
                service.engine,
                service_id,
                items,
                actor=actor(caller.issuer),
                remote=request.client.host if request.client else "",
                at=service.now(),
            )
            await service.write(store)
        except SijpathError as exc:
            log.info("feedback to %s refused: %s", service_id, type(exc).__name__)
            return _error(exc)
        return Response(status_code=200)

    return Starlette(
        routes=[
            Route(PREFIX, list_services, methods=["GET"]),
            Route(PREFIX + "/{service_id}", call, methods=["POST"]),
            Route(PREFIX + "/{service_id}/feedback", feedback, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cds_cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        ],
    )


def _service(service_id: str) -> Service:
    if service_id not in SERVICES:
        raise NotFoundError(f"no CDS service `{service_id[:80]}` (services: {', '.join(SERVICES)})")
    return SERVICES[service_id]


def _refused(request: Request, exc: SijpathError) -> Response:
    # The reason goes to the log (never the token); the caller gets a bare 401.
    log.warning("CDS call refused: %s %s: %s", request.method, request.url.path[:120], exc.message)
    return _error(exc)


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


async def _body(request: Request, limit: int) -> bytes:
    """The body, up to the server's limit (wiring's RequestSizeLimit enforces it in front of every route; this keeps
    the CDS app bounded when it is served on its own)."""
    too_large = RequestTooLargeError(f"the request body is over {limit // (1024 * 1024)} MB")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()  # appending to bytes copies it each time: quadratic in the body's size
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _audit_quietly(service: CdsService, write: Callable[[], None]) -> None:
    try:
        await service.write(write)
    except SijpathError as exc:
        log.error("CDS call could not be audited: %s", type(exc).__name__)


def _where(exc: BaseException) -> str:
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return f"{frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}" if frame else "?"


def with_cds_hooks(cds: ASGIApp, other: ASGIApp) -> ASGIApp:
    """One ASGI app: {baseUrl}/cds-services… to the CDS service, everything else (and lifespan) to `other`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await cds(scope, receive, send)
        else:
            await other(scope, receive, send)

    return app
