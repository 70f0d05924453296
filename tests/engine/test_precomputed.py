"""What the engine builds once (the compiled decision table, the screen flags' shared test, frozen threshold values)
answers exactly as the direct path does."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.conditions import All, AnyOf, Condition, Fact, Is, Not, compiled
from sijpath.engine.evaluate import _flag
from sijpath.engine.outcomes import UnitOutcomes
from sijpath.engine.results import Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion
from sijpath.engine.thresholds import ThresholdSpec, ThresholdValues
from sijpath.pathway.assess import evaluate
from sijpath.pathway.decision import DECISION
from sijpath.pathway.derive import derive
from tests.strategies import AS_OF, episodes

RULESETS = [wiring.load_ruleset(i) for i in sorted(wiring.builtin_ruleset_ids())]
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _criterion(name: str) -> Criterion[Any]:
    return Criterion(name, name, "stage", ("source",), lambda facts, outcomes: None, (), "remedy")


A, B = _criterion("a"), _criterion("b")
FACT_X = Fact[dict[str, bool]]("x", lambda facts: facts["x"])
FACT_Y = Fact[dict[str, bool]]("y", lambda facts: facts["y"])
TOY_CONDITIONS: list[Condition[Any]] = [
    Is(A, ("met",)),
    Is(A, ("not-met", "unknown")),
    Not(Is(B, ("met",))),
    All((FACT_X, Is(B, ("unknown",)))),
    AnyOf((FACT_Y, Not(FACT_X), Is(A, ("not-met",)))),
    All((AnyOf((FACT_X, FACT_Y)), Not(All((FACT_Y, Is(B, ("met",))))))),
    All(()),
    AnyOf(()),
]
OUTCOMES: list[Outcome | None] = [None, met("m"), not_met("n"), unknown("u", ["what"])]


def _direct(conditions: list[Condition[Any]], facts: Any, outcomes: Any) -> int:
    return next((n for n, c in enumerate(conditions, start=1) if c.test()(facts, outcomes)), 0)


def test_a_compiled_condition_list_picks_the_first_condition_that_holds_for_every_combination() -> None:
    for a, b, x, y in itertools.product(OUTCOMES, OUTCOMES, (True, False), (True, False)):
        outcomes = {k: v for k, v in ((A, a), (B, b)) if v is not None}
        facts = {"x": x, "y": y}
        for start in range(len(TOY_CONDITIONS)):
            conditions = TOY_CONDITIONS[start:]
            assert compiled(conditions)(facts, outcomes) == _direct(conditions, facts, outcomes)


def test_a_compiled_list_where_nothing_holds_answers_zero() -> None:
    assert compiled([AnyOf(()), Not(All(()))])({}, {}) == 0


@PROPERTY_SETTINGS
@given(episodes(), st.sampled_from(RULESETS))
def test_the_compiled_decision_table_picks_the_row_the_direct_walk_picks(episode: Episode, ruleset: Any) -> None:
    for unit in derive(episode, ruleset, AS_OF).units:
        compiled_row = DECISION.first_row(unit.facts, UnitOutcomes(unit.facts, unit.stages, ruleset, {}))
        outcomes = UnitOutcomes(unit.facts, unit.stages, ruleset, {})
        assert compiled_row == _direct([row.when for row in DECISION.rows], unit.facts, outcomes)


@PROPERTY_SETTINGS
@given(episodes(), st.sampled_from(RULESETS))
def test_skipping_screen_flags_whose_shared_test_fails_raises_the_flags_checking_each_would(
    episode: Episode, ruleset: Any
) -> None:
    assessment = evaluate(episode, ruleset, AS_OF)
    for unit, assessed in zip(derive(episode, ruleset, AS_OF).units, assessment.units, strict=True):
        decision = DECISION.decide(unit.facts, UnitOutcomes(unit.facts, unit.stages, ruleset, {}), ruleset, unit.key)
        every = [
            _flag(ruleset, rule, raised).code
            for rule in ruleset.decision_flags
            if (raised := rule.check(unit.facts, decision, ruleset)) is not None
        ]
        assert [f.code for f in assessed.flags if f.rule in {r.id for r in ruleset.decision_flags}] == every


def test_every_decision_flag_is_in_exactly_one_run_in_the_rule_sets_order() -> None:
    for ruleset in RULESETS:
        assert [rule for _, run in ruleset.decision_flag_runs for rule in run] == list(ruleset.decision_flags)


SPEC = ThresholdSpec[float]("limit_points", float, "a limit")
OTHER = ThresholdSpec[float]("other_points", float, "another")


def test_threshold_values_read_as_set_and_a_missing_required_one_is_a_bug_in_a_rule() -> None:
    values = ThresholdValues({SPEC: 2.0})
    assert values[SPEC] == 2.0
    assert values.get(OTHER) is None
    assert values.get(OTHER, 1.0) == 1.0
    assert SPEC in values
    with pytest.raises(AssertionError, match="other_points is not set"):
        values[OTHER]


def test_threshold_values_cannot_be_changed() -> None:
    values = ThresholdValues({SPEC: 2.0})
    for change in (
        lambda: values.__setitem__(SPEC, 3.0),
        lambda: values.__delitem__(SPEC),
        lambda: values.update({SPEC: 3.0}),
        lambda: values.pop(SPEC),
        lambda: values.popitem(),
        lambda: values.setdefault(OTHER, 1.0),
        values.clear,
    ):
        with pytest.raises(TypeError, match="cannot be changed"):
            change()
    assert values == {SPEC: 2.0}
