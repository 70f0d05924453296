"""A patient's single-use questionnaire link: random token stored hashed, expiring, dead once answered, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from sijpath.errors import AccessError, UsageError
from sijpath.outcomes.eq5d import Eq5dValueSet
from sijpath.outcomes.registry import record_entry
from sijpath.outcomes.schedule import SCHEDULES, Procedure
from sijpath.store import audit
from sijpath.store import outcome_links as link_rows
from sijpath.store import outcomes as rows

__all__ = ["LINK_ACTOR", "LINK_LIFETIME", "LinkView", "create_link", "open_link", "submit_link"]

LINK_ACTOR = "patient-link"  # the actor of what a patient enters: the patient has no account
# How long a link works: sijpath's own choice (a week for a patient to find the message and a quiet moment), not a
# clinical threshold; a deployment sends a new link when one lapses.
LINK_LIFETIME = dt.timedelta(days=7)
_DEAD = "This link cannot be used any more. It may have been used already or have expired. Please ask the clinic."


@dataclass(frozen=True, slots=True)
class LinkView:
    """What the patient's page may show: the questionnaire's time point, nothing about the record."""

    link_id: int
    procedure_id: int
    procedure: Procedure
    time_point: str
    time_point_label: str
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes for what was stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def create_link(
    connection: Connection,
    procedure_id: int,
    time_point: str,
    *,
    actor: str,
    now: dt.datetime,
    lifetime: dt.timedelta = LINK_LIFETIME,
    remote: str = "local",
) -> str:
    """A new link's token (shown once, never stored: only its SHA-256 is kept); audited without the token."""
    procedure = rows.procedure_row(connection, procedure_id)
    codes = [t.code for t in SCHEDULES[procedure.procedure]]
    if time_point not in codes:
        raise UsageError(f"time point {time_point[:20]!r} is not on the {procedure.procedure} schedule ({codes})")
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    link_id = link_rows.add_link(
        connection,
        token_hash=_digest(token),
        procedure_id=procedure_id,
        time_point=time_point,
        created_by=actor,
        created_at=now,
        expires_at=expires,
    )
    detail = orjson.dumps({"link": link_id, "procedure_id": procedure_id, "time_point": time_point})
    audit.record(
        connection,
        actor=actor,
        action="outcome-link-created",
        patient_id=procedure.patient_id,
        detail=detail.decode() + f" expires {expires.isoformat()}",
        remote=remote,
        at=now,
    )
    return token


def open_link(connection: Connection, token: str, now: dt.datetime) -> LinkView:
    """The link's view while it is unused and unexpired; AccessError (the same plain message whatever the reason,
    so a guesser learns nothing) otherwise."""
    row = link_rows.link_by_hash(connection, _digest(token))
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now:
        raise AccessError(_DEAD)
    procedure = rows.procedure_row(connection, row.procedure_id)
    point = next(t for t in SCHEDULES[procedure.procedure] if t.code == row.time_point)
    return LinkView(row.id, row.procedure_id, procedure.procedure, point.code, point.label, _aware(row.expires_at))


def submit_link(
    connection: Connection,
    token: str,
    answers: Mapping[str, Any],
    *,
    now: dt.datetime,
    value_set: Eq5dValueSet | None = None,
    remote: str = "local",
) -> None:
    """Store the patient's answers as an entry dated today and kill the link, in the caller's one transaction:
    invalid answers (OutcomeEntryError) store nothing and leave the link usable; a second submission is refused."""
    view = open_link(connection, token, now)
    # Claimed first, on the condition that nobody claimed it in between: two submissions cannot both get through.
    if not link_rows.claim_link(connection, view.link_id, now):
        raise AccessError(_DEAD)
    values = {**answers, "measured_on": now.date().isoformat()}
    record_entry(connection, view.procedure_id, values, actor=LINK_ACTOR, now=now, value_set=value_set, remote=remote)
    procedure = rows.procedure_row(connection, view.procedure_id)
    audit.record(
        connection,
        actor=LINK_ACTOR,
        action="outcome-link-used",
        patient_id=procedure.patient_id,
        detail=orjson.dumps({"link": view.link_id, "time_point": view.time_point}).decode(),
        remote=remote,
        at=now,
    )
