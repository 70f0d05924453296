"""The REST API (OpenAPI at /api/openapi.json): episodes, FHIR import, assessments, comparisons, rule sets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from sijpath.domain.document import load_json, problems_from_validation
from sijpath.domain.episode import Episode
from sijpath.errors import EpisodeValidationError, NotFoundError, UnreadableInputError, UsageError
from sijpath.limits import check_json
from sijpath.store import episodes as store
from sijpath.store.database import transaction
from sijpath.web.security import authorize, check_csrf, principal, remote_of
from sijpath.web.services import App

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])
AsOf = Annotated[dt.date | None, Query(description="Assess as of this date (default: today).")]
RulesetId = Annotated[str | None, Query(max_length=200, description="Rule-set id (default: the configured one).")]


class JointSummary(BaseModel):
    joint: str
    stage: str
    next_step: str


class PatientSummary(BaseModel):
    patient_id: str
    version: int
    joints: list[JointSummary] | None = Field(
        description="Each assessed joint's stage and next step; null when not yet assessed under this rule set."
    )
    flags: list[str]


class PatientList(BaseModel):
    total: int
    patients: list[PatientSummary]


class ImportedFacts(BaseModel):
    new: int = Field(description="Facts added to the record.")
    matched: int = Field(description="Facts already in the record (the same event, the same values): kept once.")
    conflicting: int = Field(
        description="The same event as a fact in the record, with a different value: the record's fact is kept and a "
        "data issue names both sources."
    )
    skipped: int = Field(description="Events a clinician removed from the record here: not imported again.")


class ImportedPatient(BaseModel):
    patient_id: str
    created: bool
    unchanged: bool
    version: int
    data_issues: int
    facts: ImportedFacts


def _services(request: Request) -> App:
    services: App = request.app.state.sijpath
    return services


def _ruleset(services: App, ruleset: str | None) -> str:
    chosen = ruleset or services.settings.default_ruleset
    if chosen not in services.ruleset_ids:
        raise NotFoundError(f"no rule set `{chosen}` (known: {', '.join(services.ruleset_ids)})")
    return chosen


@router.get("/patients", response_model=PatientList)
def list_patients(
    request: Request,
    ruleset: RulesetId = None,
    as_of: AsOf = None,
    q: Annotated[str, Query(max_length=128)] = "",
    step: Annotated[str | None, Query(max_length=64)] = None,
    flag: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PatientList:
    services = _services(request)
    who = principal(services, request)
    authorize(who, "read")
    ruleset_id, day = _ruleset(services, ruleset), as_of or services.today()
    with transaction(services.engine) as connection:
        total, rows = store.list_patients(
            connection,
            ruleset_id=ruleset_id,
            as_of=day,
            ruleset_version=services.load_ruleset(ruleset_id, day).version,
            search=q,
            next_step=step,
            flag=flag,
            limit=limit,
            offset=offset,
        )
        services.audit(connection, who.user, "list-patients", None, remote_of(request), f"api, {total} matched")
    return PatientList(
        total=total,
        patients=[
            PatientSummary(
                patient_id=r.patient_id,
                version=r.version,
                joints=None
                if r.joints is None
                else [JointSummary(joint=j.joint, stage=j.stage, next_step=j.next_step) for j in r.joints],
                flags=list(r.flags),
            )
            for r in rows
        ],
    )


@router.get("/patients/{patient_id}")
def get_episode(request: Request, patient_id: str) -> Response:
    """The patient's episode (sijpath-episode/1); the ETag is its version, for If-Match on PUT."""
    services = _services(request)
    who = principal(services, request)
    authorize(who, "read")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        services.audit(connection, who.user, "read-episode", patient_id, remote_of(request), "api")
    body = stored.episode.model_dump(mode="json", exclude_defaults=True)
    return JSONResponse(body, headers={"ETag": f'"{stored.version}"'})


def _version(if_match: str) -> int:
    version = if_match.strip().strip('"')
    if not (version.isascii() and version.isdigit() and len(version) <= 18):  # a version the database can hold
        raise UsageError("If-Match must be the version (ETag) the episode was read at")
    return int(version)


def _episode(body: Any) -> Episode:
    if not isinstance(body, dict):
        raise EpisodeValidationError("the request body must be an episode object (sijpath-episode/1)")
    try:
        return Episode.model_validate(body)
    except ValidationError as exc:
        raise EpisodeValidationError("not a valid sijpath episode", problems_from_validation(exc)) from None


async def _json(request: Request) -> Any:
    body = await request.body()  # at most the server's request-size limit (wiring's RequestSizeLimit)
    check_json(body, "request body")
    try:
        return load_json(body, "request body")  # a key given twice is refused, naming it
    except UnreadableInputError:
        raise EpisodeValidationError("the request body is not JSON") from None


@router.post("/patients", status_code=201)
async def create_episode(request: Request, x_csrf_token: Annotated[str | None, Header()] = None) -> Response:
    services = _services(request)
    who = principal(services, request)
    authorize(who, "write")
    check_csrf(who, x_csrf_token)
    stored = services.save(who.user, _episode(await _json(request)), None, remote_of(request), action="create")
    return JSONResponse(
        {"patient_id": stored.episode.patient.id, "version": stored.version},
        status_code=201,
        headers={"ETag": f'"{stored.version}"'},
    )


@router.put("/patients/{patient_id}")
async def replace_episode(
    request: Request,
    patient_id: str,
    if_match: Annotated[str, Header(description="The version read (its ETag).")],
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Response:
    services = _services(request)
    who = principal(services, request)
    authorize(who, "write")
    check_csrf(who, x_csrf_token)
    episode = _episode(await _json(request))
    if episode.patient.id != patient_id:
        raise UsageError(f"the body is about patient `{episode.patient.id}`, the URL about `{patient_id}`")
    stored = services.save(who.user, episode, _version(if_match), remote_of(request))
    return JSONResponse({"patient_id": patient_id, "version": stored.version}, headers={"ETag": f'"{stored.version}"'})


@router.delete("/patients/{patient_id}", status_code=204)
def delete_episode(
    request: Request,
    patient_id: str,
    x_csrf_token: Annotated[str | None, Header()] = None,
    if_match: Annotated[str | None, Header(description="The version read (its ETag); checked when given.")] = None,
) -> Response:
    """Delete a patient's record (audited); with If-Match, only the version the caller read."""
    services = _services(request)
    who = principal(services, request)
    authorize(who, "write")
    check_csrf(who, x_csrf_token)
    expected = _version(if_match) if if_match is not None else None
    with transaction(services.engine) as connection:
        version = store.delete_episode(connection, patient_id, expected)
        services.audit(connection, who.user, "delete", patient_id, remote_of(request), f"version {version}")
    return Response(status_code=204)


@router.post("/fhir/import", response_model=list[ImportedPatient])
async def import_fhir(request: Request, x_csrf_token: Annotated[str | None, Header()] = None) -> list[ImportedPatient]:
    """Import a FHIR R4 Bundle: each patient in its own transaction (all of a patient or nothing); the same Bundle
    twice changes nothing, so an import that failed part-way is finished by sending it again. Facts are merged into
    a known patient's record (docs/fhir-profile.md, "Importing into an existing record"): `facts` says how many were
    new, matched, conflicting and skipped."""
    services = _services(request)
    who = principal(services, request)
    authorize(who, "write")
    check_csrf(who, x_csrf_token)
    results = services.import_bundle(who.user, await request.body(), "request body", remote_of(request))
    return [
        ImportedPatient(
            patient_id=r.patient_id,
            created=r.created,
            unchanged=r.unchanged,
            version=r.version,
            data_issues=r.issues,
            facts=ImportedFacts(new=r.new, matched=r.matched, conflicting=r.conflicting, skipped=r.skipped),
        )
        for r in results
    ]


@router.get("/patients/{patient_id}/assessment")
def assessment(request: Request, patient_id: str, ruleset: RulesetId = None, as_of: AsOf = None) -> dict[str, Any]:
    """The assessment (sijpath-assessment/1) under a rule set, as of a date."""
    services = _services(request)
    who = principal(services, request)
    authorize(who, "read")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        result = services.assess(connection, stored, _ruleset(services, ruleset), as_of or services.today())
        services.audit(connection, who.user, "assess", patient_id, remote_of(request), f"api {result.ruleset_id}")
    return result.to_dict()


@router.get("/patients/{patient_id}/comparison")
def comparison(request: Request, patient_id: str, as_of: AsOf = None) -> dict[str, Any]:
    """The patient under every rule set in force on the date, side by side (sijpath-comparison/1)."""
    services = _services(request)
    who = principal(services, request)
    authorize(who, "read")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        services.audit(connection, who.user, "compare", patient_id, remote_of(request), "api")
    return services.comparison(stored, as_of or services.today()).to_dict()


@router.get("/rulesets")
def rulesets(request: Request) -> list[dict[str, str]]:
    services = _services(request)
    authorize(principal(services, request), "read")
    today = services.today()
    found = []
    for ruleset_id in services.ruleset_ids:
        try:
            r = services.load_ruleset(ruleset_id, today)
        except Exception:  # noqa: S112 - not in force today
            continue
        found.append({"id": r.id, "version": r.version, "title": r.title, "issuer": r.issuer})
    return found
