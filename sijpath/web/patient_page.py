"""The patient page (banner, summary first, timeline, rule sets side by side, criteria, record), its coverage form."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sijpath.domain.disputes import disputes
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import InputError, Problem
from sijpath.outcomes.local_results import at_decision
from sijpath.pathway.thresholds import MIN_LASTING_INJECTION_RELIEF_MONTHS, MIN_LASTING_INJECTION_RELIEF_PERCENT
from sijpath.rulesets.loader import MEDICARE_CONTRACTORS
from sijpath.store import episodes as store
from sijpath.store import removals
from sijpath.store.coverage import Coverage, load_coverage, save_coverage
from sijpath.store.database import transaction
from sijpath.web.chart import timeline_svg
from sijpath.web.fact_pages import form_fields
from sijpath.web.forms import FACT_FORMS
from sijpath.web.pages import as_of_of, render, ruleset_of, services_of
from sijpath.web.patient_view import (
    OTHER_PAYER,
    References,
    banner,
    joint_summary,
    matrix_cell,
    payer_rulesets,
)
from sijpath.web.record import record_groups, removed_rows
from sijpath.web.security import authorize, check_csrf, principal, remote_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
COVERAGE_LIMITS = {"plan": 120, "member_id": 64}


def _message(saved: str, removed: str, restored: str, resolved: str = "") -> str:
    """The confirmation comes from a code, never from text in the URL (a link could plant any message)."""
    if resolved:
        return "Dispute resolved: the value chosen counts again"
    if saved == "coverage":
        return "Coverage saved"
    if saved in FACT_FORMS:
        return f"{FACT_FORMS[saved].noun.capitalize()} saved"
    return "Fact removed: it no longer counts in the assessment" if removed else "Fact restored" if restored else ""


def _number(ruleset: RuleSet, name: str) -> float | None:
    threshold = ruleset.thresholds.get(name)
    value = threshold.value if threshold is not None else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _chart(stored: store.StoredEpisode, as_of: dt.date, ruleset: RuleSet) -> str:
    """The timeline with the rule set's own numbers: relief that counts, and for how long it must last."""
    months = _number(ruleset, MIN_LASTING_INJECTION_RELIEF_MONTHS.name)
    relief = _number(ruleset, MIN_LASTING_INJECTION_RELIEF_PERCENT.name)
    return timeline_svg(stored.episode, as_of, relief, int(months) if months is not None else None)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request, patient_id: str, saved: str = "", removed: str = "", restored: str = "", resolved: str = ""
) -> HTMLResponse:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "read")
    params = request.query_params
    as_of = as_of_of(request, services)
    payers = services.settings.payer_rulesets
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        coverage = load_coverage(connection, patient_id)
        own = payer_rulesets(payers, coverage)
        # The payer's first rule set by default; the clinical pathway for another payer or none.
        chosen_id = ruleset_of(request, services) if params.get("ruleset") else None
        ruleset_id = chosen_id or (own[0] if own else services.settings.default_ruleset)
        contractor = coverage.medicare_contractor if coverage else None
        assessment = services.assess(connection, stored, ruleset_id, as_of, contractor)
        removed_facts = removed_rows(removals.removed(connection, patient_id))
        services.audit(connection, who.user, "view-patient", patient_id, remote_of(request), ruleset_id)
    ruleset = services.load_ruleset(ruleset_id, as_of, contractor)
    compare = params.get("compare", "")
    comparison = None
    if compare:
        # The payer's rule sets beside the clinical pathway by default; every rule set on request.
        chosen = () if compare == "all" or not own else (services.settings.default_ruleset, *own)
        comparison = services.comparison(stored, as_of, tuple(dict.fromkeys(chosen)), contractor)
    local = services.local_results(as_of) if services.local_results else None  # this clinic's own, cached
    keep = [(k, v) for k, v in params.multi_items() if k not in ("compare", "saved", "removed", "restored")]
    return render(
        request,
        "patient.html",
        who,
        stored=stored,
        a=assessment,
        ruleset=ruleset,
        ruleset_id=ruleset_id,
        as_of=as_of,
        rulesets=services.ruleset_ids,
        banner=banner(stored.episode, as_of, coverage, ruleset, payers, MEDICARE_CONTRACTORS),
        summaries=[joint_summary(u, ruleset) for u in assessment.units],
        refs=References(assessment),
        chart=_chart(stored, as_of, ruleset),
        comparison=comparison,
        compare_all=compare == "all" or not own,
        compare_query=urlencode([*keep, ("compare", "1")]),
        compare_all_query=urlencode([*keep, ("compare", "all")]),
        cell=matrix_cell,
        clinic={u.key: at_decision(local, u.next_step.code, services.published) for u in assessment.units},
        local=local,
        labels=services.source_labels,
        coverage=coverage,
        payers=[*payers, OTHER_PAYER],
        contractors=MEDICARE_CONTRACTORS,
        record=record_groups(stored.episode),
        removed_facts=removed_facts,
        disputes=disputes(stored.record_issues),
        # Undo is offered for the removal just made, by its id (only an open removal of this patient matches).
        undo=next((r for r in removed_facts if str(r.removal_id) == removed), None),
        forms=FACT_FORMS,
        message=_message(saved, removed, restored, resolved),
        can_write=who.user.role == "clinician",
        can_cover=who.user.role in ("clinician", "staff"),
        can_audit=who.user.role in ("admin", "auditor"),
    )


def coverage_from(fields: dict[str, list[str]], payers: list[str]) -> Coverage:
    """The coverage form's fields as a Coverage; every problem named by its field."""

    def text(name: str) -> str:
        return (fields.get(name) or [""])[-1].strip()

    problems = []
    payer, contractor = text("payer"), text("medicare_contractor")
    if payer not in payers:
        problems.append(Problem("payer", f"choose one of: {', '.join(payers)}"))
    if contractor and contractor not in MEDICARE_CONTRACTORS:
        known = ", ".join(MEDICARE_CONTRACTORS)
        problems.append(Problem("medicare_contractor", f"not a Medicare contractor (known: {known})"))
    for name, limit in COVERAGE_LIMITS.items():
        if len(text(name)) > limit:
            problems.append(Problem(name, f"at most {limit} characters"))
    if problems:
        raise InputError("the coverage cannot be saved as entered", problems)
    return Coverage(payer, text("plan"), text("member_id"), contractor)


@router.post("/patients/{patient_id}/coverage")
async def coverage_form(request: Request, patient_id: str) -> Response:
    """Record the patient's coverage (clinicians and prior-authorization staff); the change is audited."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "coverage")
    fields = await form_fields(request)
    check_csrf(who, (fields.get("csrf_token") or [""])[-1])
    coverage = coverage_from(fields, [*services.settings.payer_rulesets, OTHER_PAYER])
    with transaction(services.engine) as connection:
        store.load_episode(connection, patient_id)  # an unknown patient is a 404, not a row
        before = save_coverage(connection, patient_id, coverage, who.user.username, services.now())
        if before is None or before.fields() != coverage.fields():
            # The audit says what changed, never the member ID itself: the trail is read more widely than the chart.
            contractor = coverage.medicare_contractor
            detail = f"payer {coverage.payer}" + (f", contractor {contractor}" if contractor else "")
            services.audit(connection, who.user, "update-coverage", patient_id, remote_of(request), detail)
    return RedirectResponse(f"/patients/{quote(patient_id, safe='')}?saved=coverage", status_code=303)
