"""What a step needs under a rule set (its gates), and the gaps one unit's assessment leaves, with what settles each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sijpath.engine.assessment import CriterionResult, UnitAssessment
from sijpath.engine.decision import Step
from sijpath.engine.results import Status, unknown
from sijpath.engine.rule import Criterion
from sijpath.engine.ruleset import RuleSet

__all__ = ["Gap", "Requirement", "gaps", "requirements"]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A criterion a request needs, and the status it needs (`met`, or `not-met` for e.g. lasting relief)."""

    criterion: Criterion[Any]
    needed: Status


@dataclass(frozen=True, slots=True)
class Gap:
    """A requirement the record does not (yet) satisfy for one unit, and what would settle it."""

    criterion: CriterionResult
    needed: Status

    @property
    def settle(self) -> list[str]:
        if self.criterion.status == "unknown" and self.criterion.missing:
            return list(self.criterion.missing)
        return [self.criterion.remedy or "documentation that meets this criterion"]

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {
            "criterion": c.id,
            "title": c.title,
            "status": c.status,
            "needed": self.needed,
            "summary": c.summary,
            "settle": self.settle,
        }


def requirements(ruleset: RuleSet, steps: Sequence[Step]) -> list[Requirement]:
    """Every enabled criterion a request for any of `steps` needs under `ruleset`, in the rule set's order."""
    needed: dict[Criterion[Any], Status] = {}
    for step in steps:
        for criterion, status in ruleset.gates_for(step):
            needed.setdefault(criterion, status)
    return [Requirement(c, needed[c]) for c in ruleset.criteria if c in needed]


def gaps(unit: UnitAssessment, ruleset: RuleSet, steps: Sequence[Step]) -> list[Gap]:
    """Every requirement of `steps` the unit's assessment does not show as needed; a requirement not evaluated at
    the unit's stage (after a fusion only post-fusion rules run) is never a pass."""
    found = []
    for requirement in requirements(ruleset, steps):
        rule = requirement.criterion
        try:
            criterion = unit.criterion(rule.id)
        except KeyError:
            outcome = unknown(
                f"not assessed at this joint's current stage ({unit.stage})",
                [f"{rule.title[:1].lower()}{rule.title[1:]}, assessed at the current stage"],
            )
            criterion = CriterionResult(rule.id, rule.title, rule.stage, rule.role, outcome, (), rule.remedy)
        if criterion.status != requirement.needed:
            found.append(Gap(criterion, requirement.needed))
    return found
