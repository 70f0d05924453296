"""`evaluate(episode, ruleset, as_of) -> Assessment`: pure, deterministic, and never reads the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.domain.timeline import episode_as_of
from sijpath.engine.assessment import Assessment, Criterion, Flag, MissingData
from sijpath.engine.results import Evidence, Outcome
from sijpath.engine.rule import CriterionRule, FlagRule
from sijpath.engine.ruleset import RuleSet
from sijpath.evidence.catalog import Source

__all__ = ["evaluate"]

FactsT = TypeVar("FactsT")


def evaluate(
    episode: Episode, ruleset: RuleSet[FactsT], as_of: dt.date, record_issues: Sequence[DataIssue] = ()
) -> Assessment:
    """Assess an episode under a rule set as of a date.

    Facts dated after `as_of` are set aside (each noted as a data issue), so re-running a past date
    reproduces what could have been concluded then. `record_issues` are what reading the source record found
    (a FHIR resource that could not be imported, say); they lead the assessment's data issues.
    """
    visible, cut = episode_as_of(episode, as_of)
    issues = [*record_issues, *cut]
    facts = ruleset.derive(visible, as_of)
    issues.extend(getattr(facts, "data_issues", ()))

    def sources(ids: tuple[str, ...]) -> tuple[Source, ...]:
        return tuple(ruleset.catalog[i] for i in ids)

    stages = ruleset.stages(facts)
    outcomes: dict[str, Outcome] = {}
    criteria = []
    for rule in ruleset.criteria:
        if rule.stage not in stages:
            continue
        outcome = rule.check(facts)
        if outcome is None:
            continue
        outcomes[rule.id] = outcome
        criteria.append(
            Criterion(
                rule.id,
                rule.title,
                rule.stage,
                rule.role,
                outcome.status,
                outcome.summary,
                outcome.evidence,
                outcome.missing if outcome.status == "unknown" else (),
                _citations(ruleset, rule, outcome.cites),
            )
        )

    flags = []
    for flag_rule in ruleset.flags:
        if flag_rule.stage not in stages:
            continue
        fired = flag_rule.check(facts)
        if fired is not None:
            flags.append(
                Flag(
                    flag_rule.code,
                    flag_rule.id,
                    fired.severity,
                    fired.message,
                    fired.evidence,
                    _citations(ruleset, flag_rule, fired.cites),
                )
            )

    decision = ruleset.decide(facts, outcomes)
    coverage_flag = _coverage_conflict(ruleset, decision.next_step.procedure, decision.next_step.title, sources)
    if coverage_flag is not None:
        flags.append(coverage_flag)

    return Assessment(
        patient_id=episode.patient.id,
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        ruleset_title=ruleset.title,
        as_of=as_of,
        stage=decision.stage,
        next_step=decision.next_step,
        next_step_citations=sources(decision.next_step.cites),
        other_actions=tuple((a, sources(a.cites)) for a in decision.other_actions),
        criteria=tuple(criteria),
        flags=tuple(flags),
        missing_data=_missing_data(criteria),
        data_issues=tuple(_unique(issues)),
        measurements=tuple((m, sources(m.cites)) for m in ruleset.measure(facts)),
    )


def _coverage_conflict(
    ruleset: RuleSet[FactsT],
    procedure: str | None,
    step_title: str,
    sources: Callable[[tuple[str, ...]], tuple[Source, ...]],
) -> Flag | None:
    """Flag a next step whose procedure the rule set's issuer does not cover."""
    statement = ruleset.coverage.get(procedure) if procedure else None
    if statement is None or statement.status not in ("not-covered", "investigational"):
        return None
    note = f" ({statement.note})" if statement.note else ""
    message = (
        f"{step_title} (CPT {procedure}) is {statement.status.replace('-', ' ')} under "
        f"{ruleset.title} {ruleset.version}{note}; the clinical pathway still points to it."
    )
    return Flag(
        "coverage-conflict",
        "coverage",
        "warning",
        message,
        (Evidence(None, f"coverage of {procedure}: {statement.status}", None),),
        sources(statement.cites),
    )


def _missing_data(criteria: list[Criterion]) -> tuple[MissingData, ...]:
    needed: dict[str, list[str]] = {}
    for criterion in criteria:
        if criterion.status == "unknown":
            for item in criterion.missing:
                needed.setdefault(item, []).append(criterion.id)
    return tuple(MissingData(item, tuple(ids)) for item, ids in needed.items())


def _unique(issues: list[DataIssue]) -> list[DataIssue]:
    return list(dict.fromkeys(issues))


def _citations(
    ruleset: RuleSet[FactsT], rule: CriterionRule[FactsT] | FlagRule[FactsT], dynamic: tuple[str, ...]
) -> tuple[Source, ...]:
    """The rule's sources, then any its outcome adds (for example a steroid's dose equivalence), without repeats."""
    static = ruleset.sources_for(rule)
    if not dynamic:
        return static
    own = ruleset.cites_for(rule)
    return static + tuple(ruleset.catalog[i] for i in dict.fromkeys(dynamic) if i not in own)
