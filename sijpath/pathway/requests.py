"""A request for a procedure by its CPT/HCPCS code: the steps it stands for, and its gaps for one joint."""

from __future__ import annotations

from sijpath.engine.assessment import UnitAssessment
from sijpath.engine.decision import Procedure, Step
from sijpath.engine.requirements import Gap, Requirement, gaps, requirements
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import UsageError
from sijpath.pathway import vocabulary as v
from sijpath.pathway.nonsurgical import INJECTION_RELIEF_LASTING
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
    found = gaps(unit, ruleset, request_steps(unit, code))
    # A therapeutic injection of a joint already injected is a repeat: the one before must have given lasting
    # relief (the repeat rule of every rule set that enables it), whatever step the joint has reached.
    repeat = next((c for c in unit.criteria if c.id == INJECTION_RELIEF_LASTING.id), None)
    blocks = (v.DIAGNOSTIC_BLOCK, v.CONFIRMATORY_BLOCK)
    if (
        repeat is not None
        and repeat.status != "met"
        and v.THERAPEUTIC_INJECTION in steps_for(code)
        and unit.next_step.step not in blocks
    ):
        found.append(Gap(repeat, "met"))
    return found


def request_steps(unit: UnitAssessment, code: str) -> tuple[Step, ...]:
    """The steps a request for `code` on this joint is judged by."""
    steps = steps_for(code)
    reached = tuple(s for s in steps if s is unit.next_step.step)
    return reached or steps
