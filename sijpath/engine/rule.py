"""Rules as values: an id, a title, a pathway stage, the sources it cites, and a pure check over derived facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, get_args

from sijpath.engine.results import FlagResult, Outcome

__all__ = ["STAGES", "CriterionRule", "FlagRule", "Rule", "Stage"]

FactsT = TypeVar("FactsT")

Stage = Literal["diagnosis", "confirmation", "non-surgical-care", "surgical-candidacy", "post-fusion"]
STAGES: tuple[Stage, ...] = get_args(Stage)


@dataclass(frozen=True, slots=True)
class CriterionRule(Generic[FactsT]):
    """A question answered met / not met / unknown; `None` from `check` means it does not apply to this patient.

    `thresholds` names the rule-set thresholds it reads, so an assessment cites their sources too;
    `optional_thresholds` are read (and cited) only when the rule set sets them.
    `role` is `required` when the pathway gates on it, `supporting` when it only adds weight.
    """

    id: str
    title: str
    stage: Stage
    cites: tuple[str, ...]
    thresholds: tuple[str, ...]
    check: Callable[[FactsT], Outcome | None]
    role: Literal["required", "supporting"] = "required"
    optional_thresholds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlagRule(Generic[FactsT]):
    """A warning that fires (or not) on the record; `code` is the stable flag code in the output."""

    id: str
    title: str
    code: str
    stage: Stage
    cites: tuple[str, ...]
    thresholds: tuple[str, ...]
    check: Callable[[FactsT], FlagResult | None]
    optional_thresholds: tuple[str, ...] = ()


Rule = CriterionRule[FactsT] | FlagRule[FactsT]
