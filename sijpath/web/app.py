"""The web application: security headers, the one error-to-HTTP-status mapping, and the routers mounted."""

from __future__ import annotations

import logging
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from sijpath.errors import (
    AccessError,
    ConflictError,
    InputError,
    NotFoundError,
    RequestTooLargeError,
    RuleSetError,
    SchemaBehindError,
    SijpathError,
    StoreError,
    UnknownRuleSetError,
    UsageError,
)
from sijpath.web import (
    admin_pages,
    aid_pages,
    api,
    api_docs,
    audit_pages,
    change_pages,
    fact_pages,
    outcome_pages,
    pages,
    patient_link_pages,
    patient_page,
    prior_auth,
    worklist_pages,
)
from sijpath.web.security import LoginThrottle, NotSignedIn
from sijpath.web.services import App

__all__ = ["HTTP_STATUS", "create_app"]

log = logging.getLogger("sijpath.web")

# The one mapping from errors to HTTP statuses (most specific first).
HTTP_STATUS: tuple[tuple[type[SijpathError], int], ...] = (
    (UnknownRuleSetError, 404),
    (NotFoundError, 404),
    (ConflictError, 409),
    (SchemaBehindError, 503),
    (StoreError, 503),
    (AccessError, 403),
    (RequestTooLargeError, 413),  # also answered by wiring's RequestSizeLimit before a route runs
    (InputError, 422),
    (RuleSetError, 400),
    (UsageError, 400),
    (SijpathError, 500),
)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: object, hsts: bool) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.hsts = hsts

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # Same-origin: patient ids in URLs never reach another site, and our own forms carry a real Origin.
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"  # patient data never sits in a shared or browser cache
        if self.hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


def create_app(services: App) -> FastAPI:
    """The ASGI app over the given services (store, rule sets, settings, clock)."""
    app = FastAPI(
        title="sijpath",
        version="1",
        description="Clinical decision support for SI-joint pain. Supports clinical decisions; does not make them.",
        docs_url=None,  # Swagger UI loads from a CDN, which the CSP (rightly) blocks: api_docs renders /api/docs
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.sijpath = services
    app.state.throttle = LoginThrottle(services.settings)
    app.add_middleware(SecurityHeaders, hsts=services.settings.secure_cookies)
    static = resources.files("sijpath.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api.router)
    app.include_router(worklist_pages.api_router)
    app.include_router(api_docs.router)
    app.include_router(pages.router)
    app.include_router(patient_page.router)  # before the fact forms: /patients/{id}/coverage is not a fact
    app.include_router(outcome_pages.router)  # before the fact forms: /patients/{id}/outcomes/… is not a fact
    app.include_router(patient_link_pages.router)
    app.include_router(aid_pages.router)  # before fact_pages, whose /patients/{id}/{kind} would catch its posts
    app.include_router(fact_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(prior_auth.router)
    app.include_router(change_pages.router)
    app.include_router(worklist_pages.router)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(SijpathError)
    async def sijpath_error(request: Request, exc: SijpathError) -> Response:
        status = next(code for kind, code in HTTP_STATUS if isinstance(exc, kind))
        if status >= 500:
            route = getattr(request.scope.get("route"), "path", "(no route)")  # the template: no patient id
            log.error("request failed: %s %s: %s", request.method, route, type(exc).__name__)
        body = {"error": exc.message, "problems": [str(p) for p in exc.problems]}
        if request.url.path.startswith("/api/"):
            return JSONResponse(body, status_code=status)
        return pages.error_page(request, status, exc)

    return app
