"""Episodes out as FHIR Bundles and back: the import of an export is the episode with canonical ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.errors import UsageError
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.writer import RESOURCE_OF, canonical_ids, episode_bundle
from sijpath.pathway.assess import evaluate
from tests.fhir.records import EXAMPLES, dumps, example, example_bundle, r4b_problems
from tests.strategies import episodes

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FHIR_IDS = st.from_regex(r"[A-Za-z0-9\-.]{1,64}", fullmatch=True)
# Fact ids as records carry them: plain, already `Type/id`, of another type, not FHIR ids, too long, repeated, and
# the ids the export gives the resources a fact brings along (`dup-pre` is the pre score of procedure `dup`).
FACT_IDS = st.sampled_from(
    [
        None,
        "blk-1",
        "dup",
        "Procedure/blk-1",
        "Observation/obs-9",
        "Condition/c",
        "has space",
        "x" * 60,
        "é-1",
        "pain-presentation",
        "Observation/contraindications-reviewed",
        "dup-pre",
        "dup-post",
        "Observation/dup-relief",
        "dup-relief-duration",
        "dup-follow-up-0",
    ]
)


def _imported(episode: Episode) -> Any:
    imported = import_bundle(dumps(episode_bundle(episode)))
    assert list(imported) == [episode.patient.id]
    return imported[episode.patient.id]


@st.composite
def varied_episodes(draw: st.DrawFn) -> Episode:
    """Generated episodes under a drawn FHIR patient id, their facts carrying drawn ids."""
    episode = draw(episodes())
    update: dict[str, Any] = {"patient": episode.patient.model_copy(update={"id": draw(FHIR_IDS)})}
    for name in RESOURCE_OF:
        update[name] = tuple(fact.model_copy(update={"id": draw(FACT_IDS)}) for fact in getattr(episode, name))
    return episode.model_copy(update=update)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_comes_back_from_its_export_with_canonical_ids_and_no_issues(path: Path) -> None:
    episode = wiring.load_episode(path)
    imported = _imported(episode)
    assert imported.episode == canonical_ids(episode)
    assert imported.issues == ()


@PROPERTY
@given(varied_episodes())
def test_any_generated_episode_comes_back_from_its_export_with_canonical_ids(episode: Episode) -> None:
    imported = _imported(episode)
    assert imported.episode == canonical_ids(episode)
    assert [i for i in imported.issues if i.severity == "warning"] == []


@PROPERTY
@given(varied_episodes())
def test_canonical_ids_is_idempotent(episode: Episode) -> None:
    once = canonical_ids(episode)
    assert canonical_ids(once) == once


@PROPERTY
@given(episodes())
def test_an_episode_whose_facts_already_carry_resource_ids_is_its_own_canonical_form(episode: Episode) -> None:
    update = {
        name: tuple(
            fact.model_copy(update={"id": f"{kind}/{name.replace('_', '-')}-own-{i}"})
            for i, fact in enumerate(getattr(episode, name))
        )
        for name, kind in RESOURCE_OF.items()
    }
    with_ids = episode.model_copy(update=update)
    assert canonical_ids(with_ids) == with_ids


def test_canonical_ids_give_every_fact_a_distinct_resource_id_of_its_own_type() -> None:
    episode = Episode.model_validate(
        {
            "patient": {"id": "p"},
            "pain_scores": [
                {"id": "dup", "date": "2025-01-01", "nrs": 5},
                {"id": "dup", "date": "2025-01-02", "nrs": 6},
                {"id": "Procedure/wrong-type", "date": "2025-01-03", "nrs": 7},
                {"id": "has space", "date": "2025-01-04", "nrs": 7},
            ],
            "odi_scores": [{"id": "Observation/dup", "date": "2025-01-01", "percent": 40}],
        }
    )
    canonical = canonical_ids(episode)
    assert [f.id for f in canonical.pain_scores] == [
        "Observation/dup",
        "Observation/pain-scores-1",
        "Observation/pain-scores-2",
        "Observation/pain-scores-3",
    ]
    # Pain scores and ODI scores are both Observations: the second `dup` must not collide with the first.
    assert [f.id for f in canonical.odi_scores] == ["Observation/odi-scores-0"]


def test_export_is_deterministic_with_one_urn_uuid_full_url_per_resource() -> None:
    episode = example("fusion-candidate")
    first, second = episode_bundle(episode), episode_bundle(episode)
    assert dumps(first) == dumps(second)
    urls = [entry["fullUrl"] for entry in first["entry"]]
    assert all(url.startswith("urn:uuid:") for url in urls)
    assert len(set(urls)) == len(urls)


def test_fact_ids_equal_to_ids_the_export_gives_other_resources_are_replaced_so_full_urls_stay_unique() -> None:
    episode = Episode.model_validate(
        {
            "patient": {"id": "p"},
            "pain": {"below_l5": True},
            "odi_scores": [{"id": "pain-presentation", "date": "2025-01-01", "percent": 40}],
            "functional_status": [{"id": "Observation/contraindications-reviewed", "date": "2025-01-01"}],
            "pain_scores": [
                {"id": "dup-pre", "date": "2025-01-01", "nrs": 3},
                {"id": "x-pre", "date": "2025-01-02", "nrs": 4},
            ],
            "diagnostic_blocks": [
                {
                    "id": "dup",
                    "date": "2025-01-10",
                    "side": "left",
                    "anesthetics": [{"drug": "lidocaine"}],
                    "pre_block_nrs": 8,
                }
            ],
            "contraindications_reviewed_on": "2025-01-01",
        }
    )
    document = episode_bundle(episode)
    keys = [f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in document["entry"]]
    assert len(set(keys)) == len(keys), keys
    assert len({e["fullUrl"] for e in document["entry"]}) == len(keys)
    canonical = canonical_ids(episode)
    assert [f.id for f in canonical.odi_scores] == ["Observation/odi-scores-0"]
    assert [f.id for f in canonical.functional_status] == ["Observation/functional-status-0"]
    # `x-pre` is no procedure's pre score: it keeps its id.
    assert [f.id for f in canonical.pain_scores] == ["Observation/pain-scores-0", "Observation/x-pre"]
    assert _imported(episode).episode == canonical


def test_export_links_references_to_full_urls_of_the_bundle() -> None:
    document = episode_bundle(example("fusion-candidate"))
    urls = {entry["fullUrl"] for entry in document["entry"]}
    references = [entry["resource"].get("subject", {}).get("reference") for entry in document["entry"]]
    part_of = [p["reference"] for entry in document["entry"] for p in entry["resource"].get("partOf", [])]
    assert part_of, "the example's block carries its scores as partOf resources"
    assert {r for r in references if r is not None} | set(part_of) <= urls


def test_a_patient_id_that_is_not_a_fhir_id_is_refused_naming_the_id() -> None:
    episode = Episode.model_validate({"patient": {"id": "Jane Doe"}})
    with pytest.raises(UsageError, match=r"patient\.id 'Jane Doe' is not a FHIR id"):
        episode_bundle(episode)


def test_a_block_post_score_time_without_its_score_survives_the_round_trip_and_the_decision() -> None:
    # The time of a post-block score outside the anesthetic's window makes the block's technique invalid even
    # when the score itself was not recorded; an export that dropped the time changed the next step.
    episode = Episode.model_validate(
        {
            "patient": {"id": "p"},
            "diagnostic_blocks": [
                {
                    "id": "blk",
                    "date": "2025-01-10",
                    "side": "left",
                    "guidance": "fluoroscopy",
                    "contrast": True,
                    "anesthetics": [{"drug": "lidocaine"}],
                    "pre_block_nrs": 8,
                    "post_block_minutes": 600,
                }
            ],
        }
    )
    imported = _imported(episode)
    assert imported.episode.diagnostic_blocks[0].post_block_minutes == 600
    assert imported.episode.diagnostic_blocks[0].post_block_nrs is None
    assert imported.issues == ()
    rules, day = wiring.load_ruleset("source-articles"), dt.date(2026, 1, 1)
    before = evaluate(episode, rules, day)
    after = evaluate(imported.episode, rules, day, imported.issues)
    assert [u.next_step.code for u in after.units] == [u.next_step.code for u in before.units]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_export_of_every_example_conforms_to_r4b(path: Path) -> None:
    assert r4b_problems(episode_bundle(wiring.load_episode(path))) is None


@PROPERTY
@given(varied_episodes())
def test_the_export_of_any_generated_episode_conforms_to_r4b(episode: Episode) -> None:
    document = episode_bundle(episode)
    assert r4b_problems(document) is None
    # bdl-7, which the oracle does not check: fullUrl is unique within a Bundle.
    urls = [entry["fullUrl"] for entry in document["entry"]]
    assert len(set(urls)) == len(urls)


@pytest.mark.parametrize(
    ("element", "value"), [("status", None), ("performedDateTime", "2025-01-10T09:00:00"), ("subject", "Patient/p")]
)
def test_the_r4b_oracle_names_the_element_of_a_nonconforming_procedure(element: str, value: object) -> None:
    document = episode_bundle(example("fusion-candidate"))
    procedure = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Procedure")
    if value is None:
        del procedure[element]
    else:
        procedure[element] = value
    problems = r4b_problems(document)
    assert problems is not None
    assert f".resource.{element}" in problems


def test_exporting_the_import_of_every_shipped_bundle_gives_the_same_bundle() -> None:
    for path in EXAMPLES:
        shipped = example_bundle(path.stem)
        (imported,) = import_bundle(dumps(shipped)).values()
        assert episode_bundle(imported.episode) == shipped, path.stem


def test_the_patients_name_and_member_id_go_out_as_patient_name_and_a_member_identifier_and_come_back() -> None:
    episode = example("payer-fusion-candidate")
    patient = episode.patient.model_copy(update={"name": "Jordan Example", "member_id": "XYZ123456789"})
    episode = episode.model_copy(update={"patient": patient})
    bundle = episode_bundle(episode)
    (resource,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert resource["name"] == [{"text": "Jordan Example"}]
    assert resource["identifier"][0]["type"]["coding"][0]["code"] == "MB"
    assert r4b_problems(bundle) is None
    back = _imported(episode).episode.patient
    assert (back.name, back.member_id) == ("Jordan Example", "XYZ123456789")


def test_how_long_function_stayed_improved_survives_the_round_trip_and_the_decision() -> None:
    # Under the Medicare injections LCD improved function for 3 months justifies a repeat injection: an export that
    # dropped its duration would turn the repeat into a failed injection.
    episode = Episode.model_validate(
        {
            "patient": {"id": "p"},
            "therapeutic_injections": [
                {
                    "id": "inj",
                    "date": "2026-06-01",
                    "side": "left",
                    "guidance": "fluoroscopy",
                    "relief_percent": 20,
                    "relief_duration_days": 14,
                    "functional_improvement": True,
                    "functional_improvement_days": 120,
                }
            ],
        }
    )
    imported = _imported(episode)
    assert imported.episode.therapeutic_injections[0].functional_improvement_days == 120
    assert imported.issues == ()
    rules, day = wiring.load_ruleset("cms-sij-injection"), dt.date(2026, 12, 1)
    before = evaluate(episode, rules, day)
    after = evaluate(imported.episode, rules, day, imported.issues)
    assert before.units[0].criterion("injection-relief-lasting").status == "met"
    assert after.units[0].criterion("injection-relief-lasting").status == "met"
