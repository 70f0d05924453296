"""`evaluate(record, pathway, ruleset, as_of) -> Assessment`: pure, deterministic, and never reads the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sijpath.domain.issues import DataIssue
from sijpath.engine.assessment import Assessment, CriterionResult, Explanation, RaisedFlag, UnitAssessment
from sijpath.engine.decision import Decision
from sijpath.engine.outcomes import UnitOutcomes
from sijpath.engine.pathway import Pathway, Unit
from sijpath.engine.results import FlagResult, Outcome
from sijpath.engine.rule import Criterion, DecisionFlag, Flag
from sijpath.engine.ruleset import RuleSet
from sijpath.evidence.catalog import Source

__all__ = ["evaluate"]

R = TypeVar("R")
U = TypeVar("U")


def evaluate(
    record: R, pathway: Pathway[R, U], ruleset: RuleSet, as_of: dt.date, record_issues: Sequence[DataIssue] = ()
) -> Assessment:
    """Assess a record under a rule set as of a date, one unit (joint) at a time.

    The pathway turns the record into units; for each, its flags run, then the pathway's decision table and the
    flags about the decision, and each criterion is checked the first time one of them (or the explanation) asks.
    A `shared` rule reads only what every unit has in common, so it is checked once and its outcome reused.
    `record_issues` are what reading the source record found (a FHIR resource that could not be
    imported); they lead the assessment's data issues.
    """
    derived = pathway.derive(record, ruleset, as_of)
    shared: dict[object, Any] = {}
    # Facts two sources record differently: what rests on them is unknown until the dispute is resolved.
    disputed = frozenset(i.dispute.ref for i in record_issues if i.dispute is not None)
    units = tuple(_assess(unit, pathway, ruleset, shared, disputed) for unit in derived.units)
    # Which version applies can depend on an input the caller did not give (a Medicare contractor): say so.
    applies = (DataIssue("info", "rule set", ruleset.applicability),) if ruleset.applicability else ()
    issues = list(dict.fromkeys([*record_issues, *applies, *derived.issues]))
    return Assessment(
        patient_id=derived.subject_id,
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        ruleset_title=ruleset.title,
        as_of=as_of,
        units=units,
        data_issues=tuple(issues),
        unit_label=pathway.unit_label,
    )


def _assess(
    unit: Unit[U], pathway: Pathway[Any, U], ruleset: RuleSet, shared: dict[object, Any], disputed: frozenset[str]
) -> UnitAssessment:
    facts, stages = unit.facts, unit.stages
    # Criteria are checked when the decision (or a flag, or the explanation) first asks for them.
    outcomes = UnitOutcomes(facts, stages, ruleset, shared, disputed)

    flags: list[RaisedFlag] = []
    for flag_rule in ruleset.flags_at(stages):
        if flag_rule.shared and flag_rule in shared:
            fired: FlagResult | None = shared[flag_rule]
        else:
            fired = flag_rule.check(facts, outcomes)
            if flag_rule.shared:
                shared[flag_rule] = fired
        if fired is not None:
            flags.append(_flag(ruleset, flag_rule, fired))

    decision: Decision = pathway.decision.decide(facts, outcomes, ruleset, unit.key)
    for applies, run in ruleset.decision_flag_runs:
        if applies is not None and not applies(facts):
            continue  # a test these flags share fails: none of them can fire
        for decision_rule in run:
            raised = decision_rule.check(facts, decision, ruleset)
            if raised is not None:
                flags.append(_flag(ruleset, decision_rule, raised))

    def explain() -> Explanation:
        def sources(ids: tuple[str, ...]) -> tuple[Source, ...]:
            return tuple(ruleset.catalog[i] for i in dict.fromkeys(ids))

        return Explanation(
            criteria=tuple(_criterion(ruleset, rule, outcome) for rule, outcome in outcomes.items()),
            next_step_citations=sources(decision.next_step.cites),
            other_actions=tuple((a, sources(a.cites)) for a in decision.other_actions),
            measure=lambda: tuple((m, sources(m.cites)) for m in pathway.measure(facts)),
        )

    return UnitAssessment(
        key=unit.key,
        title=unit.title,
        presentation=unit.presentation,
        stage=decision.stage,
        next_step=decision.next_step,
        flags=tuple(flags),
        explain=explain,
        decision_row=decision.row,
    )


def _criterion(ruleset: RuleSet, rule: Criterion[Any], outcome: Outcome) -> CriterionResult:
    return CriterionResult(
        rule.id, rule.title, rule.stage, rule.role, outcome, _citations(ruleset, rule, outcome.cites), rule.remedy
    )


def _flag(ruleset: RuleSet, rule: Flag[Any] | DecisionFlag[Any], fired: FlagResult) -> RaisedFlag:
    return RaisedFlag(rule.code, rule.id, fired, _citations(ruleset, rule, fired.cites))


def _citations(
    ruleset: RuleSet, rule: Criterion[Any] | Flag[Any] | DecisionFlag[Any], dynamic: tuple[str, ...]
) -> tuple[Source, ...]:
    """The rule's sources, then any its outcome adds (for example a steroid's dose equivalence), without repeats."""
    static = ruleset.sources_for(rule)
    if not dynamic:
        return static
    own = ruleset.cites_for(rule)
    return static + tuple(ruleset.catalog[i] for i in dict.fromkeys(dynamic) if i not in own)
