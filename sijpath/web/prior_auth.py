"""Prior authorization in the web app: gaps per procedure and payer, the letter's preview, its PDF and the packet,
and the physician's narrative kept with the record (every view, download and change audited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sijpath.engine.assessment import Assessment
from sijpath.errors import NotFoundError, RequestNotSupportedError, UsageError
from sijpath.pathway.assess import evaluate
from sijpath.pathway.requests import request_gaps
from sijpath.pathway.vocabulary import PROCEDURES
from sijpath.store import episodes as store
from sijpath.store.coverage import load_coverage
from sijpath.store.database import transaction
from sijpath.store.letters import load_narrative, save_narrative
from sijpath.web.letter_service import LetterRequest, LetterWriter
from sijpath.web.pages import render, services_of
from sijpath.web.security import Principal, authorize, check_csrf, principal, remote_of
from sijpath.web.services import App

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
NARRATIVE_MAX_CHARS = 20_000


class _Choice:
    """The procedure, rule set, joint and date a request asks about, checked against what exists."""

    def __init__(self, services: App, params: Any) -> None:
        self.procedure = params.get("procedure") or "27279"
        if self.procedure not in PROCEDURES:
            raise UsageError(f"procedure {self.procedure[:20]!r} is not one of {', '.join(PROCEDURES)}")
        self.ruleset_id = params.get("ruleset") or services.settings.default_ruleset
        if self.ruleset_id not in services.ruleset_ids:  # ids only: a path would make the server read a file
            raise UsageError(f"no rule set `{self.ruleset_id[:80]}`")
        text = params.get("as_of")
        try:
            self.as_of = dt.date.fromisoformat(text) if text else services.today()
        except ValueError:
            raise UsageError(f"as_of {text[:20]!r} is not a date (YYYY-MM-DD)") from None
        self.joint = params.get("joint") or ""
        self.paper = "a4" if params.get("paper") == "a4" else "letter"

    def query(self, **more: str) -> str:
        values = {"procedure": self.procedure, "ruleset": self.ruleset_id, "joint": self.joint}
        return urlencode({**values, "as_of": self.as_of.isoformat(), **more})


def _writer(services: App) -> LetterWriter:
    if services.letters is None:
        raise NotFoundError("this deployment makes no letters")
    return services.letters


def _letter(
    services: App, who: Principal, request: Request, patient_id: str, action: str
) -> tuple[LetterRequest, _Choice]:
    """What the letter a request asks for is made from, audited as `action`."""
    choice = _Choice(services, request.query_params)
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        coverage = load_coverage(connection, patient_id)
        contractor = coverage.medicare_contractor if coverage else None
        ruleset = services.load_ruleset(choice.ruleset_id, choice.as_of, contractor or None)
        assessment = evaluate(stored.episode, ruleset, choice.as_of, stored.record_issues)
        unit = _unit(assessment, choice)
        narrative = load_narrative(connection, patient_id, choice.procedure, unit.key)
        detail = f"CPT {choice.procedure} {unit.key} {choice.ruleset_id}"
        services.audit(connection, who.user, action, patient_id, remote_of(request), detail)
    practice = services.settings.practice
    episode = stored.episode
    if coverage is not None and coverage.member_id:
        # The member ID staff recorded from the card is the payer's; it does not change the assessment.
        episode = episode.model_copy(
            update={"patient": episode.patient.model_copy(update={"member_id": coverage.member_id})}
        )
    return LetterRequest(assessment, unit, ruleset, choice.procedure, episode, practice, narrative), choice


def _unit(assessment: Assessment, choice: _Choice) -> Any:
    for unit in assessment.units:
        if unit.key == choice.joint or not choice.joint:
            choice.joint = unit.key
            return unit
    keys = ", ".join(u.key for u in assessment.units)
    raise UsageError(f"joint {choice.joint[:10]!r} is not assessed for this patient (assessed: {keys})")


@router.get("/patients/{patient_id}/prior-auth", response_class=HTMLResponse)
def prior_auth_page(request: Request, patient_id: str, saved: str = "") -> HTMLResponse:
    """Gaps for the procedure under every rule set and joint, and the letter under the chosen one."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "letters")
    choice = _Choice(services, request.query_params)
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
    payers = []
    for ruleset_id in services.ruleset_ids:
        try:
            ruleset = services.load_ruleset(ruleset_id, choice.as_of)
        except Exception:  # noqa: S112 - a rule set not in force on the date has no criteria to show
            continue
        assessment = evaluate(stored.episode, ruleset, choice.as_of, stored.record_issues)
        coverage = ruleset.coverage.get(choice.procedure)
        for unit in assessment.units:
            payers.append((ruleset, unit, coverage, request_gaps(unit, ruleset, choice.procedure)))
    writer = _writer(services)
    view, refusal, narrative = None, None, None
    try:
        letter, choice = _letter(services, who, request, patient_id, "view-letter")
        narrative = letter.narrative
        view = writer.view(letter)
    except RequestNotSupportedError as exc:  # a red flag: no letter, not even a draft
        refusal = exc
    return render(
        request,
        "prior_auth.html",
        who,
        stored=stored,
        choice=choice,
        payers=payers,
        view=view,
        narrative=narrative,
        refusal=refusal,
        procedures=PROCEDURES,
        rulesets=services.ruleset_ids,
        can_write=who.user.role == "clinician",
        saved=saved == "1",
        base=f"/patients/{quote(patient_id, safe='')}/prior-auth",
    )


def _pdf(request: Request, patient_id: str, packet: bool) -> Response:
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "letters")
    writer = _writer(services)
    letter, choice = _letter(services, who, request, patient_id, "download-packet" if packet else "download-letter")
    data = writer.pdf(letter, "a4" if choice.paper == "a4" else "letter", packet)
    name = f"{'packet' if packet else 'letter'}-{choice.procedure}-{letter.unit.key}.pdf"
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/patients/{patient_id}/prior-auth/letter.pdf")
def letter_download(request: Request, patient_id: str) -> Response:
    return _pdf(request, patient_id, packet=False)


@router.get("/patients/{patient_id}/prior-auth/packet.pdf")
def packet_download(request: Request, patient_id: str) -> Response:
    return _pdf(request, patient_id, packet=True)


@router.post("/patients/{patient_id}/prior-auth/narrative")
def narrative_form(
    request: Request,
    patient_id: str,
    procedure: Annotated[str, Form(max_length=10)],
    joint: Annotated[str, Form(max_length=5)],
    narrative: Annotated[str, Form(max_length=NARRATIVE_MAX_CHARS)] = "",
    ruleset: Annotated[str, Form(max_length=80)] = "",
    as_of: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Keep the ordering physician's narrative for this procedure and joint; the audit trail records the change."""
    services = services_of(request)
    who = principal(services, request)
    authorize(who, "write")
    check_csrf(who, csrf_token)
    if procedure not in PROCEDURES or joint not in ("left", "right"):
        raise UsageError("the narrative needs a known procedure and a joint (left or right)")
    with transaction(services.engine) as connection:
        store.load_episode(connection, patient_id)  # an unknown patient is 404, never a stray narrative
        changed = save_narrative(connection, patient_id, procedure, joint, narrative, who.user.username, services.now())
        if changed:
            detail = f"CPT {procedure} {joint}: " + (
                f"{len(narrative.strip())} characters" if narrative.strip() else "cleared"
            )
            services.audit(connection, who.user, "letter-narrative", patient_id, remote_of(request), detail)
    query = urlencode({"procedure": procedure, "joint": joint, "ruleset": ruleset, "as_of": as_of, "saved": "1"})
    return RedirectResponse(f"/patients/{quote(patient_id, safe='')}/prior-auth?{query}", status_code=303)
