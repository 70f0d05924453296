"""Function improved after a therapeutic injection, where a rule set counts it as lasting relief (pain or function)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sijpath.domain.injections import InjectionReading
from sijpath.engine.results import Evidence, Outcome, met, unknown
from sijpath.pathway import thresholds as th
from sijpath.pathway.facts import JointFacts

__all__ = ["function_lasting"]


def function_lasting(
    j: JointFacts, reading: InjectionReading, lasting_needed: dt.date, span: str, evidence: Callable[[], list[Evidence]]
) -> Outcome | None:
    """Where the rule set counts improved function as lasting relief (the Medicare SI-joint injections LCD: "at least
    50% sustained pain or functional improvement for at least 3 months"): met when function stayed improved for the
    span, whatever the pain did; unknown when it improved for a time not recorded, or is still improved at the last
    record short of the span. None where function does not count, is not recorded as improved, or improved for
    less than the span: the pain relief decides."""
    injection = reading.injection
    if not j.t.get(th.INJECTION_FUNCTION_IMPROVEMENT_COUNTS_FLAG) or injection.functional_improvement is not True:
        return None
    injected, days = injection.date, injection.functional_improvement_days
    if days is None:
        return unknown(
            f"function improved after the injection of {injected}; for how long is not recorded",
            [f"how long function stayed improved after the injection of {injected} (functional_improvement_days)"],
            evidence,
        )
    if injected + dt.timedelta(days) >= lasting_needed:
        return met(
            f"latest injection ({injected}) improved function for {days / 7:.0f} weeks (at least {span})", evidence
        )
    if injected + dt.timedelta(days) >= j.as_of:
        return unknown(
            f"function still improved {days} days after the injection of {injected}, short of {span}",
            [f"whether function is still improved on {lasting_needed} ({span} after the injection)"],
            evidence,
        )
    return None
