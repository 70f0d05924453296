"""A request for a procedure by its CPT/HCPCS code: the steps it stands for, and its gaps for one joint."""

from __future__ import annotations

from sijpath.engine.assessment import UnitAssessment
from sijpath.engine.decision import Procedure, Step
from sijpath.engine.requirements import Gap, Requirement, gaps, requirements
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import UsageError
from sijpath.pathway.vocabulary import PROCEDURES, STEPS_FOR_PROCEDURE

__all__ = ["procedure", "request_gaps", "request_requirements", "request_steps", "steps_for"]


def procedure(code: str) -> Procedure:
    """The procedure a code names; a UsageError lists the codes sijpath knows."""
    if code not in PROCEDURES:
        raise UsageError(f"unknown procedure code {code!r} (known: {', '.join(PROCEDURES)})")
    return PROCEDURES[code]


def steps_for(code: str) -> tuple[Step, ...]:
    procedure(code)
    return STEPS_FOR_PROCEDURE[code]


def request_requirements(code: str, ruleset: RuleSet) -> list[Requirement]:
    """What a request for `code` needs under `ruleset`."""
    return requirements(ruleset, steps_for(code))


def request_gaps(unit: UnitAssessment, ruleset: RuleSet, code: str) -> list[Gap]:
    """What a request for `code` on this joint still lacks under `ruleset`: for the step the joint has reached
    when the code stands for it (27096 after two confirming blocks is the therapeutic injection, not a third
    block), else for every step the code stands for."""
    return gaps(unit, ruleset, request_steps(unit, code))


def request_steps(unit: UnitAssessment, code: str) -> tuple[Step, ...]:
    """The steps a request for `code` on this joint is judged by."""
    steps = steps_for(code)
    reached = tuple(s for s in steps if s is unit.next_step.step)
    return reached or steps
