"""The audit page across patients: filtered by user, action, patient, days and kind, and the chain's verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sijpath.errors import UsageError
from sijpath.store import audit
from sijpath.store.database import transaction
from sijpath.web.pages import render, services_of
from sijpath.web.security import authorize, principal, remote_of

__all__ = ["ChainCheck", "router"]

router = APIRouter(include_in_schema=False)
PAGE_ROWS = 100


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The last verification of the whole chain (it reads every row: run on request, kept for the page)."""

    at: dt.datetime
    by: str
    checked: int
    problems: tuple[str, ...]
    anchor: str  # the SEQ:HASH it was checked against, or ""


def _day(request: Request, name: str) -> dt.date | None:
    text = request.query_params.get(name, "")
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise UsageError(f"{name} {text[:40]!r} is not a date (YYYY-MM-DD)") from None


def _query(request: Request) -> audit.AuditQuery:
    params = request.query_params
    kind = params.get("kind") or "writes"
    if kind not in audit.KINDS:
        raise UsageError(f"no kind `{kind[:40]}` (one of: {', '.join(audit.KINDS)})")
    before = params.get("before", "")
    return audit.AuditQuery(
        actor=params.get("user", "")[:64],
        action=params.get("action", "")[:40],
        patient_id=params.get("patient", "")[:128],
        since=_day(request, "since"),
        until=_day(request, "until"),
        kind=kind,
        before=int(before) if before.isascii() and before.isdigit() and len(before) <= 18 else None,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_trail(request: Request) -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "audit")
    query = _query(request)
    with transaction(services.engine) as connection:
        rows = audit.search(connection, query, limit=PAGE_ROWS + 1)
        services.audit(connection, who.user, "view-audit", None, remote_of(request), f"{len(rows[:PAGE_ROWS])} shown")
    head = audit.head(services.engine)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("before", "verified")]
    more = f"/audit?{urlencode([*kept, ('before', rows[PAGE_ROWS - 1]['seq'])])}" if len(rows) > PAGE_ROWS else ""
    return render(
        request,
        "audit_trail.html",
        who,
        rows=rows[:PAGE_ROWS],
        params=request.query_params,
        kinds=audit.KINDS,
        kind=query.kind,
        more=more,
        head=head,
        check=getattr(request.app.state, "chain_check", None),
    )


@router.get("/audit/verify", response_class=HTMLResponse)
def verify_chain(request: Request) -> HTMLResponse:
    """Re-compute the whole chain now (against a head recorded earlier, when given as SEQ:HASH) and show the result."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "audit")
    expect = request.query_params.get("expect", "").strip()
    anchor = None
    if expect:
        seq, _, digest = expect.partition(":")
        if not (seq.isascii() and seq.isdigit() and len(digest) == 64):
            raise UsageError("expect: give SEQ:HASH as this page or `sijpath audit verify` printed it")
        anchor = (int(seq), digest)
    checked, problems = audit.verify(services.engine, anchor)
    check = ChainCheck(services.now(), who.user.username, checked, tuple(problems[:50]), expect[:140])
    request.app.state.chain_check = check
    with transaction(services.engine) as connection:
        detail = f"{checked} rows, {len(problems)} problem(s)"
        services.audit(connection, who.user, "view-audit-verify", None, remote_of(request), detail)
    return audit_trail(request)
