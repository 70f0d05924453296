"""Function after a therapeutic injection, where a rule set counts it as lasting relief or requires it besides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sijpath.domain.injections import InjectionReading, function_contradiction
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.pathway import thresholds as th
from sijpath.pathway.facts import JointFacts

__all__ = ["function_lasting", "function_required"]


def function_lasting(
    j: JointFacts, reading: InjectionReading, lasting_needed: dt.date, span: str, evidence: Callable[[], list[Evidence]]
) -> Outcome | None:
    """Where the rule set counts improved function as lasting relief (the Medicare SI-joint injections LCD: "at least
    50% sustained pain or functional improvement for at least 3 months"): met when function stayed improved for the
    span, whatever the pain did; unknown when it improved for a time not recorded, or is still improved at the last
    record short of the span. None where function does not count, is not recorded as improved, or improved for
    less than the span: the pain relief decides.

    Days recorded without the flag, or against a flag of false, are not read as improvement (no default asserts a
    fact), nor set aside: where those days would meet the span, the outcome is unknown until the record says."""
    injection = reading.injection
    if not j.t.get(th.INJECTION_FUNCTION_IMPROVEMENT_COUNTS_FLAG):
        return None
    improved, injected, days = injection.functional_improvement, injection.date, injection.functional_improvement_days
    if improved is not True:
        would = _function_for(j, injected, days, lasting_needed, span, evidence) if days else None
        if would is None:
            return None
        conflict = function_contradiction(injection)
        question = (
            f"which is right: {conflict}"
            if conflict
            else f"whether function improved after the injection of {injected} (functional_improvement; "
            f"{days} days of improvement are recorded without it)"
        )
        return unknown(
            f"function after the injection of {injected}: {days} days of improvement recorded, but "
            + ("also recorded as not improved" if conflict else "not whether it improved"),
            [question],
            evidence,
        )
    if days is None:
        return unknown(
            f"function improved after the injection of {injected}; for how long is not recorded",
            [f"how long function stayed improved after the injection of {injected} (functional_improvement_days)"],
            evidence,
        )
    return _function_for(j, injected, days, lasting_needed, span, evidence)


def _function_for(
    j: JointFacts,
    injected: dt.date,
    days: int,
    lasting_needed: dt.date,
    span: str,
    evidence: Callable[[], list[Evidence]],
) -> Outcome | None:
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


def function_required(
    j: JointFacts, reading: InjectionReading, text: str, evidence: Callable[[], list[Evidence]]
) -> Outcome:
    """Where the rule set requires improved function besides lasting pain relief: met, not met, or unknown when it
    is not recorded or its fields contradict each other (`text` says what the pain relief was)."""
    injection = reading.injection
    injected, function = injection.date, injection.functional_improvement
    conflict = function_contradiction(injection)
    if function is None or conflict:
        return unknown(
            f"{text}; functional improvement after it " + ("recorded both ways" if conflict else "not recorded"),
            [
                f"whether function improved (or medication or service use fell) after the injection of {injected}"
                + (f" ({conflict})" if conflict else "")
            ],
            evidence,
        )
    if not function:
        return not_met(f"{text}, but function did not improve", evidence)
    return met(f"{text}, with improved function", evidence)
