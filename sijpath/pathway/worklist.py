"""What puts a joint on the day's worklist: evidence past the rule set's currency window, data issues, documentation."""

from __future__ import annotations

from typing import Literal, NamedTuple

from sijpath.domain.timeline import add_months
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.explained import CriterionResult
from sijpath.engine.ruleset import RuleSet
from sijpath.pathway import vocabulary as v
from sijpath.pathway.definition import SIJ_PATHWAY

__all__ = ["REASONS", "Reason", "WorkItem", "work_items"]

Reason = Literal["new-step", "stale-evidence", "data-issues", "needs-documentation"]
REASONS: dict[str, str] = {
    "new-step": "New next step since the run before",
    "stale-evidence": "Evidence to refresh",
    "data-issues": "Data issues",
    "needs-documentation": "Decision waiting for documentation",
}
# A joint whose step is held for missing facts: what is missing is the documentation the decision waits for.
_HELD = frozenset({v.GATHER_INFORMATION.code, v.RECORD_SIDE.code})
# Per criterion, the currency windows (thresholds in months) its evidence must fall within to count.
_WINDOWS = {
    c.id: tuple(s.name for s in (*c.reads, *c.optional_reads) if s.name.endswith("_age_months"))
    for c in SIJ_PATHWAY.criteria
}
_GATES = {c.id: frozenset(g.step.code for g in c.required_for) for c in SIJ_PATHWAY.criteria}


class WorkItem(NamedTuple):
    """One reason a joint (`joint`) needs action, in words a worklist shows (a plain tuple for the store)."""

    joint: str
    reason: Reason
    detail: str


def work_items(assessment: Assessment, ruleset: RuleSet) -> tuple[WorkItem, ...]:
    """Why each joint of an assessment needs action today (deterministic, in joint order; none: nothing to do).

    Evidence to refresh: a criterion still unknown although its record holds a dated fact, because that fact is
    older than the rule set's currency window for it (the imaging, score, smoking status or contraindication review
    a decision may rest on); counted when the criterion gates the joint's next step, gates nothing (post-fusion
    follow-up) or the step is held for missing facts. Data issues: the record's warnings, shown with every joint.
    A decision waiting for documentation: the step is held for missing facts other than the stale ones."""
    items: list[WorkItem] = []
    issues = [i for i in assessment.data_issues if i.severity == "warning"]  # "info" issues need nothing done
    for unit in assessment.units:
        stale = [c for c in unit.criteria if _stale(c, unit, assessment, ruleset)]
        items += [WorkItem(unit.key, "stale-evidence", f"{c.title}: {c.summary}") for c in stale]
        if issues:
            first = f"{issues[0].location}: {issues[0].message}"
            more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
            items.append(WorkItem(unit.key, "data-issues", f"{first}{more}"))
        if unit.next_step.code in _HELD:
            stale_ids = {c.id for c in stale}
            missing = [m.item for m in unit.missing_data if not set(m.needed_for) <= stale_ids]
            if missing:
                more = f"; and {len(missing) - 3} more" if len(missing) > 3 else ""
                items.append(WorkItem(unit.key, "needs-documentation", "; ".join(missing[:3]) + more))
    return tuple(items)


def _stale(criterion: CriterionResult, unit: UnitAssessment, assessment: Assessment, ruleset: RuleSet) -> bool:
    windows = [ruleset.thresholds[n].value for n in _WINDOWS.get(criterion.id, ()) if n in ruleset.thresholds]
    if criterion.status != "unknown" or not windows:
        return False
    gates = _GATES.get(criterion.id, frozenset())
    if gates and unit.next_step.code not in gates and unit.next_step.code not in _HELD:
        return False
    months = min(int(w) for w in windows)
    return any(e.date is not None and add_months(e.date, months) < assessment.as_of for e in criterion.evidence)
