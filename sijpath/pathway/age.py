"""Age: a caution when a procedure is suggested for a patient younger than the adults the sources address."""

from __future__ import annotations

from sijpath.domain.timeline import add_months
from sijpath.engine.decision import Decision
from sijpath.engine.results import Evidence, FlagResult
from sijpath.engine.rule import DecisionFlag
from sijpath.engine.ruleset import RuleSet
from sijpath.pathway.facts import JointFacts

__all__ = ["MINOR_FLAG"]

ADULT_YEARS = 18  # sijpath's reading (`sijpath-age-caution`): the age of majority, not a clinical threshold


def minor(j: JointFacts, decision: Decision, ruleset: RuleSet) -> FlagResult | None:
    """A procedure step for a patient under 18 on the as-of date."""
    birth = j.episode.patient.birth_date
    if birth is None or birth > j.as_of or decision.next_step.step.procedure is None:
        return None
    if add_months(birth, ADULT_YEARS * 12) <= j.as_of:
        return None
    years = j.as_of.year - birth.year - ((j.as_of.month, j.as_of.day) < (birth.month, birth.day))
    return FlagResult(
        "warning",
        f"the patient is {years} years old: the sources this pathway follows address adults, and none addresses "
        "SI-joint procedures in children or adolescents; consider paediatric specialist input first.",
        [Evidence(birth, f"born {birth}", "patient.birth_date")],
    )


MINOR_FLAG = DecisionFlag[JointFacts](
    id="patient-under-18",
    title="Caution: a procedure for a patient under 18",
    code="caution-under-18",
    cites=("sijpath-age-caution",),
    check=minor,
)
