"""Safety invariants over generated records: red flags hold every procedure, duplicates and stale or removed
evidence never make a step more invasive."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis
from sijpath.pathway.assess import evaluate
from tests.strategies import AS_OF, episodes

RULESETS = [wiring.load_ruleset(name, AS_OF) for name in ("source-articles", "commercial-strict", "cms-mis-fusion")]
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Steps from least to most invasive; anything not listed holds or gathers information (rank 0).
INVASIVENESS = {
    "diagnostic-block": 1,
    "confirmatory-block": 1,
    "therapeutic-injection": 2,
    "radiofrequency-ablation": 3,
    "fusion-evaluation": 4,
}


def steps(episode: Episode, ruleset_index: int) -> dict[str, str]:
    assessment = evaluate(episode, RULESETS[ruleset_index], AS_OF)
    return {u.key: u.next_step.code for u in assessment.units}


def ranks(episode: Episode, ruleset_index: int) -> dict[str, int]:
    return {joint: INVASIVENESS.get(step, 0) for joint, step in steps(episode, ruleset_index).items()}


@PROPERTY_SETTINGS
@given(episodes(), st.sampled_from(["M46.25", "C79.51", "O26.891", "S32.10XA"]), st.integers(0, len(RULESETS) - 1))
def test_an_active_red_flag_diagnosis_never_yields_an_si_joint_procedure(episode: Episode, code: str, r: int) -> None:
    flagged = episode.model_copy(
        update={"diagnoses": (*episode.diagnoses, Diagnosis(code=code, recorded_date=dt.date(2026, 10, 1)))}
    )
    for unit in evaluate(flagged, RULESETS[r], AS_OF).units:
        assert unit.next_step.procedure is None, f"{code}: {unit.key} {unit.next_step.code}"
        assert unit.next_step.code == "red-flag-work-up"


@PROPERTY_SETTINGS
@given(episodes(), st.integers(0, len(RULESETS) - 1))
def test_duplicating_every_block_and_injection_never_makes_a_step_more_invasive(episode: Episode, r: int) -> None:
    doubled = episode.model_copy(
        update={
            "diagnostic_blocks": episode.diagnostic_blocks * 2,
            "therapeutic_injections": episode.therapeutic_injections * 2,
        }
    )
    before, after = ranks(episode, r), ranks(doubled, r)
    for joint, rank in after.items():
        assert rank <= before.get(joint, 0), joint


@PROPERTY_SETTINGS
@given(
    episodes(), st.integers(0, len(RULESETS) - 1), st.sampled_from(["diagnostic_blocks", "imaging", "physical_therapy"])
)
def test_removing_supporting_facts_never_makes_a_step_more_invasive(episode: Episode, r: int, facts: str) -> None:
    # A diagnostic block may follow (with the negative blocks gone, the source is unconfirmed again, so the next
    # step is to test it); a treatment never may.
    # Removing a fact whose side is not recorded may lift the "record the side" hold it caused: that hold is about
    # the record's ambiguity, not evidence for a step, and what the rest supports is then the step.
    fewer = episode.model_copy(update={facts: ()})
    unsided = any(getattr(fact, "side", "") is None for fact in getattr(episode, facts))
    before, after = steps(episode, r), steps(fewer, r)
    for joint, step in after.items():
        if joint in before and INVASIVENESS.get(step, 0) > INVASIVENESS.get(before[joint], 0):
            if unsided and before[joint] == "record-side":
                continue
            assert INVASIVENESS.get(step, 0) <= INVASIVENESS["diagnostic-block"], f"{facts} removed: {joint}"


@PROPERTY_SETTINGS
@given(episodes(), st.integers(0, len(RULESETS) - 1), st.integers(30, 120))
def test_ageing_the_record_never_turns_a_criterion_met(episode: Episode, r: int, months: int) -> None:
    # Assessing the same record later makes every dated fact older: staleness may turn met into unknown, never the
    # reverse for the currency-bound criteria.
    later = AS_OF + dt.timedelta(days=months * 30)
    bound = ("imaging-recency", "imaging-triad", "nicotine-free", "no-fusion-contraindication", "pain-severity")
    now = {u.key: u for u in evaluate(episode, RULESETS[r], AS_OF).units}
    for unit in evaluate(episode, wiring.load_ruleset(RULESETS[r].id, later), later).units:
        if unit.key not in now:
            continue
        for criterion in bound:
            if unit.status(criterion) == "met":
                assert now[unit.key].status(criterion) == "met", criterion


@PROPERTY_SETTINGS
@given(episodes(), st.integers(0, len(RULESETS) - 1), st.sampled_from([None, "none", "ultrasound"]))
def test_injections_not_known_to_be_image_guided_never_make_a_step_more_invasive(
    episode: Episode, r: int, guidance: str | None
) -> None:
    # A failed injection counts towards RFA or the fusion trial only with guidance the rule set accepts.
    unguided = episode.model_copy(
        update={
            "therapeutic_injections": tuple(
                i.model_copy(update={"guidance": guidance}) for i in episode.therapeutic_injections
            )
        }
    )
    before, after = ranks(episode, r), ranks(unguided, r)
    for joint, rank in after.items():
        assert rank <= before.get(joint, 0), f"{joint}: guidance {guidance}"
