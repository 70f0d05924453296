"""Composing a batch re-assessment of the store: the database from the settings, built-in rule sets by id."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Sequence

from sijpath import wiring
from sijpath.errors import UnknownRuleSetError, UsageError
from sijpath.screening.reassess import ReassessRequest, ReassessSummary, reassess_store
from sijpath.screening.run import Progress
from sijpath.settings import Settings
from sijpath.wiring.screening import load_rulesets, screen_ruleset_ids
from sijpath.wiring.server import open_database

__all__ = ["reassess_database"]


def reassess_database(
    settings: Settings,
    ruleset_ids: Sequence[str],
    as_of: dt.date,
    actor: str,
    *,
    changed_since: dt.date | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> ReassessSummary:
    """Re-assess the stored patients under built-in rule sets (the ones the web list shows; default: every one in
    force on the day), on `workers` processes (default: one per core)."""
    ids = screen_ruleset_ids(ruleset_ids, as_of)
    known = wiring.builtin_ruleset_ids()
    for ruleset_id in ids:
        if ruleset_id not in known:
            raise UnknownRuleSetError(f"no built-in rule set `{ruleset_id[:80]}` (built-in: {', '.join(known)})")
    load_rulesets(ids, as_of)  # one not in force on the day stops the run before it starts
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    engine = open_database(settings)
    try:
        request = ReassessRequest(
            engine=engine,
            load_rulesets=functools.partial(load_rulesets, tuple(ids), as_of),
            as_of=as_of,
            actor=actor,
            now=now or (lambda: dt.datetime.now(dt.UTC)),
            changed_since=changed_since,
            workers=workers or os.cpu_count() or 1,
            keep_dates=settings.assessment_cache_dates,
        )
        return reassess_store(request, progress)
    finally:
        engine.dispose()
