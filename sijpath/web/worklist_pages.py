"""The worklist: who needs action today under a rule set, from the stored batch assessments, as a page, CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel

from sijpath.domain.base import JOINTS
from sijpath.errors import SijpathError, UsageError
from sijpath.pathway.vocabulary import NEXT_STEPS
from sijpath.pathway.worklist import REASONS
from sijpath.store import worklist as store
from sijpath.store.database import transaction
from sijpath.web.pages import FLAG_CODES, render, ruleset_of, services_of
from sijpath.web.patient_view import OTHER_PAYER
from sijpath.web.security import Principal, authorize, principal, remote_of
from sijpath.web.services import App

__all__ = ["api_router", "csv_cell", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])
_STEPS = {s.code: s.title for s in NEXT_STEPS}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading apostrophe (CSV injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _filter(request: Request, services: App, ruleset_id: str) -> tuple[store.WorklistFilter | None, dt.date | None]:
    params = request.query_params
    chosen = {name: params.get(name, "") for name in ("reason", "joint", "step", "flag")}
    known = {"reason": REASONS, "joint": JOINTS, "step": _STEPS, "flag": FLAG_CODES}
    for name, value in chosen.items():
        if value and value not in known[name]:
            raise UsageError(f"no {name} `{value[:60]}` (one of: {', '.join(known[name])})")
    payers = [*services.settings.payer_rulesets, OTHER_PAYER]
    if (payer := params.get("payer", "")) and payer not in payers:
        raise UsageError(f"no payer `{payer[:60]}` (one of: {', '.join(payers)})")
    with transaction(services.engine) as connection:
        day = store.worklist_day(connection, ruleset_id, services.today())
    if day is None:
        return None, None
    try:
        version = services.load_ruleset(ruleset_id, day).version
    except SijpathError:  # the rule set was not in force on the batch's day: nothing of it to show
        return None, day
    return store.WorklistFilter(ruleset_id, version, day, **chosen, payer=payer), day


@dataclass(frozen=True, slots=True)
class _Asked:
    """A worklist request: who asks, under which rule set, what they filter (None: nothing stored), its day."""

    services: App
    who: Principal
    ruleset_id: str
    wanted: store.WorklistFilter | None
    day: dt.date | None


def _asked(request: Request) -> _Asked:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    ruleset_id = ruleset_of(request, services)
    return _Asked(services, who, ruleset_id, *_filter(request, services, ruleset_id))


def _after(request: Request) -> str | None:
    after = request.query_params.get("after", "")
    return after[:128] or None


def _viewed(services: App, who: Principal, request: Request, detail: str) -> None:
    with transaction(services.engine) as connection:
        services.audit(connection, who.user, "view-worklist", None, remote_of(request), detail)


@router.get("/worklist", response_class=HTMLResponse)
def worklist_page(request: Request) -> HTMLResponse:
    asked = _asked(request)
    services, who, ruleset_id, wanted, day = asked.services, asked.who, asked.ruleset_id, asked.wanted, asked.day
    page = None
    if wanted is not None:
        with transaction(services.engine) as connection:
            page = store.worklist_page(connection, wanted, _after(request))
    _viewed(services, who, request, f"{ruleset_id}: {page.total_text if page else 0} shown")
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
    return render(
        request,
        "worklist.html",
        who,
        page=page,
        day=day,
        ruleset_id=ruleset_id,
        rulesets=services.ruleset_ids,
        params=request.query_params,
        query=query,
        reasons=REASONS,
        joints=JOINTS,
        steps=_STEPS,
        flags=FLAG_CODES,
        payers=[*services.settings.payer_rulesets, OTHER_PAYER],
    )


@router.get("/worklist.csv")
def worklist_csv(request: Request) -> Response:
    asked = _asked(request)
    services, who, ruleset_id, wanted, day = asked.services, asked.who, asked.ruleset_id, asked.wanted, asked.day
    _viewed(services, who, request, f"{ruleset_id}: CSV export")

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        out = csv.writer(buffer)
        out.writerow(["patient_id", "ruleset", "as_of", "joint", "reason", "detail", "next_step", "flags"])
        after: str | None = None
        while wanted is not None:
            with transaction(services.engine) as connection:
                page = store.worklist_page(connection, wanted, after, limit=500)
            for row in page.rows:
                steps = dict(row.steps)
                for joint, reason, detail in row.items:
                    cells = [row.patient_id, ruleset_id, str(day), joint, reason, detail, steps.get(joint, "")]
                    out.writerow([csv_cell(c) for c in (*cells, " ".join(row.flags))])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if page.after is None:
                break
            after = page.after
        yield buffer.getvalue()

    name = f"worklist-{ruleset_id}-{day or 'none'}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)


class WorkItemOut(BaseModel):
    joint: str
    reason: str
    detail: str


class WorklistPatient(BaseModel):
    patient_id: str
    next_steps: dict[str, str]
    flags: list[str]
    items: list[WorkItemOut]


class Worklist(BaseModel):
    ruleset: str
    as_of: dt.date | None
    total: int
    total_capped: bool
    next_after: str | None
    patients: list[WorklistPatient]


Filter = Annotated[str, Query(max_length=80)]


@api_router.get("/worklist", response_model=Worklist, summary="Worklist")
def worklist_api(
    request: Request,
    ruleset: Filter = "",
    reason: Filter = "",
    joint: Filter = "",
    step: Filter = "",
    flag: Filter = "",
    payer: Filter = "",
    after: Annotated[str, Query(max_length=128, description="Next page: the `next_after` of this one.")] = "",
) -> Worklist:
    """Who needs action under a rule set (and, with `payer`, only patients whose stored coverage names that payer),
    from the latest stored batch: new next steps, evidence to refresh, data issues, decisions waiting for
    documentation."""
    asked = _asked(request)
    services, who, ruleset_id, wanted, day = asked.services, asked.who, asked.ruleset_id, asked.wanted, asked.day
    page = store.WorklistPage((), 0, None)
    if wanted is not None:
        with transaction(services.engine) as connection:
            page = store.worklist_page(connection, wanted, after or None)
    _viewed(services, who, request, f"{ruleset_id}: {page.total_text} shown (API)")
    patients = [
        WorklistPatient(
            patient_id=r.patient_id,
            next_steps=dict(r.steps),
            flags=list(r.flags),
            items=[WorkItemOut(joint=j, reason=w, detail=d) for j, w, d in r.items],
        )
        for r in page.rows
    ]
    capped = page.total > store.COUNT_CAP
    total = min(page.total, store.COUNT_CAP)
    return Worklist(
        ruleset=ruleset_id, as_of=day, total=total, total_capped=capped, next_after=page.after, patients=patients
    )
