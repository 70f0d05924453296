"""The flag about a decision itself: a next step whose procedure the rule set's issuer does not cover."""

from __future__ import annotations

from sijpath.engine.decision import Decision
from sijpath.engine.results import Evidence, FlagResult
from sijpath.engine.rule import DecisionFlag
from sijpath.engine.ruleset import RuleSet
from sijpath.pathway.facts import JointFacts

__all__ = ["COVERAGE_CONFLICT"]


def coverage_conflict(j: JointFacts, decision: Decision, ruleset: RuleSet) -> FlagResult | None:
    """The clinical next step stands; the flag says its procedure is not covered (or investigational) here."""
    procedure = decision.next_step.procedure
    statement = ruleset.coverage.get(procedure) if procedure else None
    if statement is None or statement.status not in ("not-covered", "investigational"):
        return None
    note = f" ({statement.note})" if statement.note else ""
    message = (
        f"{decision.next_step.step.name[:1].upper()}{decision.next_step.step.name[1:]} (CPT {procedure}, "
        f"{j.joint} joint) is {statement.status.replace('-', ' ')} under {ruleset.title} {ruleset.version}{note}; "
        "the clinical pathway still points to it."
    )
    return FlagResult(
        "warning", message, (Evidence(None, f"coverage of {procedure}: {statement.status}", None),), statement.cites
    )


COVERAGE_CONFLICT = DecisionFlag[JointFacts](
    id="coverage",
    title="Next step not covered by the rule set's issuer",
    code="coverage-conflict",
    cites=(),
    check=coverage_conflict,
)
