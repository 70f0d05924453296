"""From an episode to the joints an assessment is made for: the as-of cut, attribution, and each joint's facts."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.base import JOINTS
from sijpath.domain.episode import Episode
from sijpath.domain.timeline import episode_as_of
from sijpath.engine.pathway import Derivation, Unit
from sijpath.engine.ruleset import RuleSet
from sijpath.pathway.facts import JointFacts, PatientFacts
from sijpath.pathway.lateral_branch_reading import lateral_branch_readings, report_set_aside
from sijpath.pathway.red_flags import check_value_sets
from sijpath.pathway.vocabulary import RULE_STAGES

__all__ = ["PRESENTATIONS", "derive"]

BEFORE_FUSION = frozenset(RULE_STAGES) - {"post-fusion"}
AFTER_FUSION = frozenset({"post-fusion"})
PRESENTATIONS = {True: "painful", False: "pain-free", None: "not-recorded"}
TITLES = {joint: f"{joint.capitalize()} SI joint" for joint in JOINTS}


def derive(episode: Episode, ruleset: RuleSet, as_of: dt.date) -> Derivation[JointFacts]:
    """Cut the episode at `as_of`, place its facts on the joints, and read each assessed joint's facts once.

    A fused joint is assessed at the post-fusion stage only; a joint not fused at every stage before it.
    """
    check_value_sets(ruleset.catalog.value_sets)
    patient = PatientFacts(episode_as_of(episode, as_of), as_of, ruleset.values, ruleset.catalog.value_sets)
    if patient.episode.lateral_branch_blocks:
        report_set_aside(patient)
    units = []
    for joint in patient.attribution.assessed:
        record = patient.attribution.joints[joint]
        facts = JointFacts(patient, record)
        if episode.lateral_branch_blocks:
            lateral_branch_readings(facts)  # read now: a block set aside adds a data issue, collected below
        units.append(
            Unit(
                key=joint,
                title=TITLES[joint],
                facts=facts,
                stages=AFTER_FUSION if facts.fusion is not None else BEFORE_FUSION,
                presentation=PRESENTATIONS[record.symptomatic],
            )
        )
    # Reading the joints' blocks and injections adds data issues: collect them after.
    return Derivation(episode.patient.id, tuple(units), tuple(patient.data_issues))
