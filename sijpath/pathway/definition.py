"""The SI-joint pathway as one value: every rule in pathway order, the thresholds, the decision, the derivation."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sijpath.domain.episode import Episode
from sijpath.engine.pathway import Pathway
from sijpath.engine.rule import Criterion, DecisionFlag, Flag
from sijpath.pathway import (
    age,
    candidacy,
    care_first,
    coverage,
    diagnosis,
    exam,
    fusion,
    lateral_branch,
    nonsurgical,
    opioids,
    policy,
    post_fusion,
    red_flags,
)
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.decision import DECISION
from sijpath.pathway.derive import derive
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.measurements import measure

__all__ = ["RULE_MODULES", "SIJ_PATHWAY"]

# The modules whose rules the pathway holds; a new criterion in one of them joins the pathway where it is defined.
RULE_MODULES: tuple[ModuleType, ...] = (
    red_flags,
    diagnosis,
    exam,
    policy,
    care_first,
    nonsurgical,
    lateral_branch,
    opioids,
    fusion,
    candidacy,
    post_fusion,
    coverage,
    age,
)


def _defined(kind: type[Any]) -> list[Any]:
    """Every rule of `kind` defined (not merely imported) in the rule modules, in module and definition order."""
    found = []
    for module in RULE_MODULES:
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, kind) and getattr(value.check, "__module__", None) == module.__name__
        ]
    return found


def _in_stage_order(criteria: list[Criterion[JointFacts]]) -> tuple[Criterion[JointFacts], ...]:
    order: dict[str, int] = {stage: i for i, stage in enumerate(v.RULE_STAGES)}
    return tuple(sorted(criteria, key=lambda c: order[c.stage]))  # stable: module order within a stage


SIJ_PATHWAY = Pathway[Episode, JointFacts](
    id="sij",
    unit_label="joint",
    stages=v.POSITIONS,
    steps=(*v.NEXT_STEPS, *v.ACTIONS),
    criteria=_in_stage_order(_defined(Criterion)),
    flags=tuple(_defined(Flag)),
    decision_flags=tuple(_defined(DecisionFlag)),
    thresholds=th.ALL_THRESHOLDS,
    # Read while deriving a joint's facts and by the decision table, whatever rules a rule set enables.
    reads=(
        th.ACCEPTED_BLOCK_GUIDANCE_MODALITIES,
        th.ANESTHETIC_WINDOW_MINUTES,
        th.BLOCK_CONTRAST_REQUIRED_FLAG,
        th.MIN_BLOCK_RELIEF_PERCENT,
        th.MIN_LASTING_INJECTION_RELIEF_PERCENT,
        th.MIN_LASTING_RFA_RELIEF_MONTHS,
        th.EXPECTED_BONY_FUSION_MONTHS,
        th.EXPECTED_CANE_WALKING_WEEKS,
    ),
    optional_reads=(
        th.MIN_PRE_BLOCK_NRS_POINTS,
        th.BLOCK_RELIEF_EXCLUSIVE_FLAG,
        th.MAX_CONSERVATIVE_CARE_GAP_MONTHS,
        th.REQUIRED_CONSERVATIVE_CARE_COMPONENTS,
        th.SAME_DAY_BILATERAL_FUSION_EXCLUDED_FLAG,
    ),
    decision=DECISION,
    derive=derive,
    measure=measure,
    # The decision table cannot walk without these; every rule set must enable them.
    required=(diagnosis.BLOCK_CONFIRMS, diagnosis.REPEAT_BLOCK_FAILS, nonsurgical.INJECTION_RELIEF_LASTING),
)
