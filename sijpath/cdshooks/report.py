"""The feedback report: per service and rule set, cards issued, accepted and overridden, and the reasons given."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine

from sijpath.cdshooks.vocabulary import OVERRIDE_REASONS
from sijpath.store.feedback import issued_counts, outcomes

__all__ = ["REPORT_FORMAT", "feedback_report"]

REPORT_FORMAT = "sijpath-cds-feedback-report/1"
_DISPLAYS = {(r["system"], r["code"]): r["display"] for r in OVERRIDE_REASONS}


def feedback_report(engine: Engine) -> dict[str, Any]:
    """Everything in the store, grouped by service and rule set (`ruleset` is null for feedback on a card this
    store never issued)."""
    with engine.connect() as connection:
        issued = issued_counts(connection)
        rows = outcomes(connection)
    groups: dict[tuple[str, str | None], dict[str, Any]] = {}

    def group(service: str, ruleset: str | None) -> dict[str, Any]:
        return groups.setdefault(
            (service, ruleset),
            {
                "service": service,
                "ruleset": ruleset,
                "cards_issued": 0,
                "cards_with_feedback": set(),
                "accepted": 0,
                "overridden": 0,
                "suggestions_accepted": 0,
                "reasons": Counter(),
                "comments": 0,
            },
        )

    for service, ruleset, count in issued:
        group(service, ruleset)["cards_issued"] = count
    for row in rows:
        entry = group(row.service_id, row.ruleset_id)
        entry["cards_with_feedback"].add(row.card_uuid)
        entry[row.outcome] += 1
        entry["suggestions_accepted"] += len(row.detail.get("acceptedSuggestions", ()))
        if row.outcome == "overridden":
            reason = row.detail.get("reason") or {}
            entry["reasons"][(reason.get("system"), reason.get("code"), reason.get("display"))] += 1
        entry["comments"] += 1 if row.detail.get("userComment") else 0
    return {"format": REPORT_FORMAT, "services": [_finish(g) for _, g in sorted(groups.items(), key=_order)]}


def _order(item: tuple[tuple[str, str | None], dict[str, Any]]) -> tuple[str, str]:
    (service, ruleset), _ = item
    return service, ruleset or ""


def _finish(entry: dict[str, Any]) -> dict[str, Any]:
    decided = entry["accepted"] + entry["overridden"]
    reasons: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for (system, code, display), count in entry["reasons"].items():
        known = reasons.setdefault(
            (system, code),
            {
                "system": system,
                "code": code,
                "display": _DISPLAYS.get((system, code)) or display or ("no reason given" if code is None else code),
                "count": 0,
            },
        )
        known["count"] += count
    return {
        "service": entry["service"],
        "ruleset": entry["ruleset"],
        "cards_issued": entry["cards_issued"],
        "cards_with_feedback": len(entry["cards_with_feedback"]),
        "accepted": entry["accepted"],
        "overridden": entry["overridden"],
        "acceptance_rate": round(entry["accepted"] / decided, 3) if decided else None,
        "suggestions_accepted": entry["suggestions_accepted"],
        "override_reasons": sorted(reasons.values(), key=lambda r: (-r["count"], r["code"] or "")),
        "comments": entry["comments"],
    }
