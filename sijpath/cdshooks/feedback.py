"""Feedback on cards: stored durably (a repeat changes nothing), audited, and the cards remembered when issued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine

from sijpath.cdshooks.models import CdsRequest, FeedbackRequest
from sijpath.store import audit
from sijpath.store.database import transaction
from sijpath.store.feedback import IssuedCard, Outcome, record_outcomes

__all__ = ["issued", "store_feedback"]


def issued(cards: Iterable[Mapping[str, Any]], request: CdsRequest, ruleset_version: str) -> list[IssuedCard]:
    """What is remembered of each card sent: the invocation, the rule-set version, and the suggestion uuids."""
    remembered = []
    for card in cards:
        detail: dict[str, Any] = {
            "hook": request.hook,
            "hookInstance": request.hookInstance,
            "ruleset_version": ruleset_version,
            "indicator": card["indicator"],
            "suggestions": [s["uuid"] for s in card.get("suggestions", ())],
        }
        associated = card.get("extension", {}).get("davinci-crd.associated-resource")
        if associated:
            detail["order"] = associated[0]["reference"]
        remembered.append(IssuedCard(card["uuid"], detail))
    return remembered


def store_feedback(
    engine: Engine,
    service_id: str,
    feedback: FeedbackRequest,
    *,
    actor: str,
    remote: str,
    at: dt.datetime,
) -> int:
    """Store every item in one transaction with its audit row; returns how many were new."""
    items = []
    for item in feedback.feedback:
        detail: dict[str, Any] = {}
        if item.acceptedSuggestions:
            detail["acceptedSuggestions"] = [s.id for s in item.acceptedSuggestions]
        reason = item.overrideReason
        if reason is not None and reason.reason is not None:
            detail["reason"] = reason.reason.model_dump(exclude_none=True)
        if reason is not None and reason.userComment:
            detail["userComment"] = reason.userComment
        items.append(Outcome(item.card, item.outcome, item.timestamp, detail))
    with transaction(engine) as connection:
        stored = record_outcomes(connection, service_id=service_id, items=items, at=at)
        counts = {o: sum(1 for i in items if i.outcome == o) for o in ("accepted", "overridden")}
        audit.record(
            connection,
            actor=actor,
            action="cds-feedback",
            patient_id=None,
            detail=f"service={service_id} accepted={counts['accepted']} overridden={counts['overridden']} "
            f"new={stored} cards={','.join(sorted({i.card_uuid for i in items}))[:4000]}",
            remote=remote[:64],
            at=at,
        )
    return stored
