"""CDS Hooks cards and feedback in `cds_feedback`: each card issued, then what clinicians did with it.

A card issued is kept as a row with outcome `issued` (and an empty `outcome_at`), so that feedback, which names only
the card's uuid, finds the rule set the card was made under, and the report can count cards without feedback.
Every row is unique on (service, card, outcome, outcome time, particulars): a repeated call or report is stored once,
and a second, different item on the same card (another reason, a comment) is kept beside the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from sijpath.store.tables import cds_feedback

__all__ = [
    "ISSUED",
    "FeedbackRow",
    "IssuedCard",
    "Outcome",
    "issued_counts",
    "outcomes",
    "record_issued",
    "record_outcomes",
]

ISSUED = "issued"


@dataclass(frozen=True, slots=True)
class IssuedCard:
    """A card as sent: its uuid, and what the report wants to know about it (hook instance, kind, suggestions)."""

    card_uuid: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One feedback item: `accepted` or `overridden`, at the time the client gave, with its particulars."""

    card_uuid: str
    outcome: str
    outcome_at: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    service_id: str
    ruleset_id: str | None
    card_uuid: str
    outcome: str
    outcome_at: str
    detail: dict[str, Any]


def record_issued(
    connection: Connection, *, service_id: str, ruleset_id: str, cards: Iterable[IssuedCard], at: dt.datetime
) -> None:
    """Remember the cards of one invocation (a card already remembered is left as it is)."""
    for card in cards:
        _insert_once(
            connection,
            service_id=service_id,
            card_uuid=card.card_uuid,
            outcome=ISSUED,
            outcome_at="",
            ruleset_id=ruleset_id,
            detail=orjson.dumps(card.detail).decode(),
            received_at=at,
            detail_digest="",  # a card is issued once however often it is sent
        )


def record_outcomes(connection: Connection, *, service_id: str, items: Iterable[Outcome], at: dt.datetime) -> int:
    """Store feedback items under the rule set their card was issued with; returns how many were new."""
    stored = 0
    for item in items:
        ruleset_id = connection.execute(
            select(cds_feedback.c.ruleset_id)
            .where(
                cds_feedback.c.service_id == service_id,
                cds_feedback.c.card_uuid == item.card_uuid,
                cds_feedback.c.outcome == ISSUED,
            )
            .limit(1)
        ).scalar()
        stored += _insert_once(
            connection,
            service_id=service_id,
            card_uuid=item.card_uuid,
            outcome=item.outcome,
            outcome_at=item.outcome_at,
            ruleset_id=ruleset_id,
            detail=orjson.dumps(item.detail).decode(),
            received_at=at,
            detail_digest=_digest(item.detail),
        )
    return stored


def _digest(detail: Mapping[str, Any]) -> str:
    """The item's particulars (accepted suggestions, reason, comment) as canonical JSON, hashed."""
    return hashlib.sha256(orjson.dumps(detail, option=orjson.OPT_SORT_KEYS)).hexdigest()


def issued_counts(connection: Connection) -> list[tuple[str, str | None, int]]:
    """(service, rule set, cards issued), for every service and rule set that issued cards."""
    rows = connection.execute(
        select(
            cds_feedback.c.service_id, cds_feedback.c.ruleset_id, func.count(func.distinct(cds_feedback.c.card_uuid))
        )
        .where(cds_feedback.c.outcome == ISSUED)
        .group_by(cds_feedback.c.service_id, cds_feedback.c.ruleset_id)
        .order_by(cds_feedback.c.service_id, cds_feedback.c.ruleset_id)
    )
    return [(r[0], r[1], int(r[2])) for r in rows]


def outcomes(connection: Connection) -> list[FeedbackRow]:
    """Every feedback item stored, oldest first."""
    rows = connection.execute(select(cds_feedback).where(cds_feedback.c.outcome != ISSUED).order_by(cds_feedback.c.id))
    return [
        FeedbackRow(r.service_id, r.ruleset_id, r.card_uuid, r.outcome, r.outcome_at, orjson.loads(r.detail))
        for r in rows
    ]


def _insert_once(connection: Connection, **values: Any) -> int:
    """Insert unless the (service, card, outcome, time, particulars) row exists; 1 when inserted."""
    name = connection.dialect.name
    if name in _INSERT_ONCE:
        # RETURNING says whether a row went in (rowcount is not reliable for ON CONFLICT DO NOTHING everywhere);
        # the statement is built once and given the values as parameters, which is much cheaper than .values().
        inserted = connection.execute(_INSERT_ONCE[name], values).first()
        return 0 if inserted is None else 1
    try:
        with connection.begin_nested():
            connection.execute(cds_feedback.insert(), values)
    except IntegrityError:
        return 0
    return 1


_INSERT_ONCE = {
    "sqlite": sqlite.insert(cds_feedback).on_conflict_do_nothing().returning(cds_feedback.c.id),
    "postgresql": postgresql.insert(cds_feedback).on_conflict_do_nothing().returning(cds_feedback.c.id),
}
