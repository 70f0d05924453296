"""The changes page: patients whose next step the latest `sijpath reassess` run changed, per rule set."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sijpath.pathway.vocabulary import NEXT_STEPS
from sijpath.store import reassess
from sijpath.store.database import transaction
from sijpath.web.pages import PAGE_SIZE, page_number, render, ruleset_of, services_of
from sijpath.web.security import authorize, principal, remote_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request) -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    ruleset_id = ruleset_of(request, services)
    page = page_number(request)
    with transaction(services.engine) as connection:
        run = reassess.latest_run(connection, ruleset_id)
        total, changes = 0, list[reassess.StepChange]()
        if run is not None:
            total, changes = reassess.run_changes(
                connection, run.id, ruleset_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
        detail = f"run {run.id}: {total} shown" if run is not None else "no run"
        services.audit(connection, who.user, "list-step-changes", None, remote_of(request), detail)
    return render(
        request,
        "changes.html",
        who,
        run=run,
        changes=changes,
        total=total,
        page=page,
        pages=max(math.ceil(total / PAGE_SIZE), 1),
        ruleset_id=ruleset_id,
        rulesets=services.ruleset_ids,
        step_titles={s.code: s.title for s in NEXT_STEPS},
    )
