"""Properties of decision aids made from generated records: every option shown has benefits and harms; every
probability has a source, a denominator and a time point; options compared share one; the self-check passes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.check import check_aid, failures
from sijpath.decisionaid.choices import STAGE_OPTIONS
from sijpath.decisionaid.render import row_sentences
from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis
from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.pathway.assess import evaluate
from sijpath.wiring.decision_aids import decision_aids
from tests.strategies import AS_OF, episodes

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULESETS = [wiring.load_ruleset(name, AS_OF) for name in ("source-articles", "commercial-strict", "cms-mis-fusion")]
EXAMPLES = [wiring.load_episode(p) for p in sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))]
# The examples at stages where options are shown, so most drawn variants get an aid with options to check.
DECIDING = [e for e in EXAMPLES if any(u.stage in STAGE_OPTIONS for u in evaluate(e, RULESETS[0], AS_OF).units)]


@st.composite
def example_variants(draw: st.DrawFn) -> Episode:
    """An example patient with its RFAs replaced by none or one on a drawn side with drawn relief: the way generated
    records reach surgical candidacy, and the way RFA is offered again or not."""
    episode = draw(st.sampled_from(DECIDING))
    ablations = draw(
        st.lists(
            st.builds(
                RadiofrequencyAblation,
                date=st.dates(dt.date(2025, 1, 1), dt.date(2026, 10, 1)),
                side=st.sampled_from(["left", "right", "bilateral"]),
                technique=st.sampled_from(["conventional", "cooled", "pulsed", None]),
                relief_percent=st.one_of(st.none(), st.integers(0, 100).map(float)),
                relief_duration_days=st.one_of(st.none(), st.integers(0, 400)),
            ),
            max_size=1,
        )
    )
    return episode.model_copy(update={"radiofrequency_ablations": tuple(ablations)})


# Records with options to show come mostly from the example variants; generated records reach every other stage.
DECIDING_RECORDS = example_variants()
RECORDS = st.one_of(example_variants(), episodes(one_sided=True), episodes())


def aids(episode: Episode, r: int) -> list[Aid]:
    return decision_aids(evaluate(episode, RULESETS[r], AS_OF), RULESETS[r], episode)


@PROPERTY_SETTINGS
@given(DECIDING_RECORDS, st.integers(0, len(RULESETS) - 1))
def test_every_option_shown_has_benefits_and_harms(episode: Episode, r: int) -> None:
    for aid in aids(episode, r):
        for option in aid.options:
            assert option.benefits, option.key
            assert option.harms, option.key
            assert option.living_with, option.key


@PROPERTY_SETTINGS
@given(DECIDING_RECORDS, st.integers(0, len(RULESETS) - 1))
def test_every_probability_shown_has_a_source_a_denominator_and_a_time_point(episode: Episode, r: int) -> None:
    for aid in aids(episode, r):
        listed = {source.id for source in aid.sources}
        for option in aid.options:
            for row in (*option.benefits, *option.harms):
                if not row.known:
                    assert "not known" in row_sentences(row)
                    continue
                words = row_sentences(row)
                assert row.cites
                assert set(row.cites) <= listed
                assert re.search(rf"{row.time_frame.capitalize()}: about \d+ out of 100 people had this", words)
                assert "Study group:" in words or "size of the study group was not read" in words


@PROPERTY_SETTINGS
@given(DECIDING_RECORDS, st.integers(0, len(RULESETS) - 1))
def test_options_compared_side_by_side_share_one_time_point_and_are_all_shown(episode: Episode, r: int) -> None:
    for aid in aids(episode, r):
        shown = {option.key for option in aid.options}
        for comparison in aid.comparisons:
            assert {row.months for row in comparison.rows} == {comparison.months}
            assert {row.outcome for row in comparison.rows} == {comparison.outcome}
            assert len({row.option for row in comparison.rows}) == len(comparison.rows) > 1
            assert {row.option for row in comparison.rows} <= shown
            assert all(row.per_100() is not None for row in comparison.rows)


@PROPERTY_SETTINGS
@given(RECORDS, st.integers(0, len(RULESETS) - 1))
def test_every_generated_aid_passes_the_ipdas_self_check(episode: Episode, r: int) -> None:
    for aid in aids(episode, r):
        assert not failures(check_aid(aid)), [(f.code, f.detail) for f in failures(check_aid(aid))]


@PROPERTY_SETTINGS
@given(RECORDS, st.sampled_from(["M46.25", "C79.51", "O26.891", "S32.10XA"]))
def test_a_red_flag_diagnosis_leaves_no_procedure_option_only_what_to_clarify(episode: Episode, code: str) -> None:
    flagged = episode.model_copy(
        update={"diagnoses": (*episode.diagnoses, Diagnosis(code=code, recorded_date=dt.date(2026, 10, 1)))}
    )
    for aid in aids(flagged, 0):
        assert aid.options == ()
        assert aid.clarify


@PROPERTY_SETTINGS
@given(example_variants())
def test_rfa_is_offered_only_when_no_rfa_of_that_joint_failed(episode: Episode) -> None:
    for aid in aids(episode, 0):
        joint = aid.joint.split()[0].lower()
        own = [
            a for a in episode.radiofrequency_ablations if a.side in (joint, "bilateral") and a.technique != "pulsed"
        ]
        failed = bool(own) and own[-1].relief_percent is not None and own[-1].relief_percent < 50
        if failed:
            assert "rfa" not in [o.key for o in aid.options]
