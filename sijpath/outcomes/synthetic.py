"""Synthetic outcomes for the examples, the demo and the benchmarks: deterministic from a seed, labelled synthetic.

Every number here is invented to give the report something to show. None comes from a study, and none may be
read as what a procedure achieves: stored rows carry `synthetic = true` and every report over them says so.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from sijpath.errors import ConflictError
from sijpath.outcomes.entries import EntryInput, entry_row
from sijpath.outcomes.schedule import SCHEDULES, Procedure
from sijpath.store import audit
from sijpath.store.outcomes import add_entries
from sijpath.store.tables import outcome_procedures

__all__ = ["SYNTHETIC_ACTOR", "SYNTHETIC_FIRST_DAY", "store_synthetic", "synthetic_cohort"]

SYNTHETIC_ACTOR = "synthetic"
SYNTHETIC_FIRST_DAY = dt.date(2023, 1, 1)  # procedures fall between this day and `as_of`
_PAYERS = ("synthetic-payer-a", "synthetic-payer-b", "synthetic-payer-c")
# The rule set each synthetic payer's decisions were made under (built-in rule set ids), so the report's rule-set
# filter has something to choose; taken from the payer, not drawn, so every seed's cohort stays as it was.
_RULESETS = dict(zip(_PAYERS, ("source-articles", "commercial-strict", "aspn-2024"), strict=True))


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def synthetic_cohort(
    patients: int, *, seed: int = 15, first: dt.date = SYNTHETIC_FIRST_DAY, as_of: dt.date = dt.date(2026, 11, 1)
) -> Iterator[tuple[dict[str, Any], list[EntryInput]]]:
    """One index procedure per synthetic patient, with a baseline and the scheduled follow-ups that fall before
    `as_of` (about one in seven missing, as a registry loses patients)."""
    rng = random.Random(seed)  # noqa: S311 -- invented demo data, reproducible from its seed; no secret
    span = (as_of - first).days
    for number in range(patients):
        procedure: Procedure = "fusion" if rng.random() < 0.6 else "rfa"
        performed_on = first + dt.timedelta(days=rng.randrange(span))
        odi0, nrs0 = rng.gauss(55, 12), rng.gauss(7, 1.3)
        benefit = rng.random()  # how much this synthetic patient improves, 0–1
        on_opioids = rng.random() < 0.7
        joint = rng.choice(("left", "right"))
        payer = rng.choice(_PAYERS)  # drawn after the joint, as always: the same seed gives the same cohort
        head = {
            "patient_id": f"SYN-{number:06d}",
            "joint": joint,
            "procedure": procedure,
            "performed_on": performed_on,
            "payer": payer,
            "ruleset_id": _RULESETS[payer],
        }
        entries = []
        for t in SCHEDULES[procedure]:
            day = t.target_day + rng.randint(-10, 10) if t.code != "baseline" else -rng.randint(0, 30)
            measured_on = performed_on + dt.timedelta(days=day)
            if measured_on > as_of or (t.code != "baseline" and rng.random() < 0.14):
                continue
            effect = 0.0 if t.code == "baseline" else benefit * min(1.0, t.target_day / 180)
            item_level = _clamp((odi0 * (1 - 0.6 * effect)) / 20, 0, 5)
            items: list[int | None] = [_clamp(item_level + rng.choice((-1, 0, 0, 1)), 0, 5) for _ in range(10)]
            if rng.random() < 0.1:
                items[7] = None  # sex life, the section most often left out
            entries.append(
                EntryInput(
                    measured_on=measured_on,
                    nrs_back=_clamp(nrs0 * (1 - 0.6 * effect) + rng.gauss(0, 0.8), 0, 10),
                    nrs_leg=_clamp(nrs0 * 0.5 * (1 - 0.5 * effect) + rng.gauss(0, 0.8), 0, 10),
                    odi_items=items,
                    opioid_use=on_opioids and rng.random() > effect * 0.6,
                    ct_bridging=(
                        rng.choice(("bridged", "bridged", "not-bridged", "indeterminate"))
                        if procedure == "fusion" and t.code == "12m"
                        else None
                    ),
                    revision=True if t.code != "baseline" and rng.random() < 0.01 else None,
                )
            )
        yield head, entries


def store_synthetic(connection: Connection, patients: int, *, seed: int, now: dt.datetime, as_of: dt.date) -> int:
    """Write a synthetic cohort (validated like any entry) in the caller's transaction; returns entries stored."""
    next_id = (connection.execute(select(func.max(outcome_procedures.c.id))).scalar() or 0) + 1
    procedures, rows = [], []
    for head, entries in synthetic_cohort(patients, seed=seed, as_of=as_of):
        procedures.append({**head, "id": next_id, "synthetic": True, "created_at": now, "created_by": SYNTHETIC_ACTOR})
        for entry in entries:
            values = entry_row(entry, head["performed_on"])
            rows.append({**values, "procedure_id": next_id, "entered_by": SYNTHETIC_ACTOR, "entered_at": now})
        next_id += 1
    if procedures:
        try:
            connection.execute(insert(outcome_procedures), procedures)
        except IntegrityError:
            # The same seed (or an overlapping one) stored before: the caller's transaction rolls back whole.
            raise ConflictError(
                f"synthetic patients SYN-000000 … SYN-{patients - 1:06d} (seed {seed}) are already in the registry "
                "with the same procedures; nothing was stored"
            ) from None
    add_entries(connection, rows)
    audit.record(
        connection,
        actor=SYNTHETIC_ACTOR,
        action="outcome-synthetic",
        patient_id=None,
        detail=f'{{"patients": {patients}, "seed": {seed}, "entries": {len(rows)}}}',
        remote="local",
        at=now,
    )
    return len(rows)
