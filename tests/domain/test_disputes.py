"""Disputed facts: an import that disagrees with the record makes the fact unknown to every criterion resting on it,
until someone keeps one source's values; an edit of the fact settles it too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.domain.disputes import carry_disputes, disputes, resolve_dispute
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.merging import merge_record
from sijpath.pathway.assess import evaluate
from sijpath.store.episodes import decode_episode, episode_document, save_episode

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fusion-candidate.yaml"
AS_OF = dt.date(2026, 11, 1)


def entered(episode: Episode) -> dict[tuple[str, int], tuple[str, str | None]]:
    return {(e.name, i): ("entered:alice", None) for e in FACT_LISTS for i in range(len(getattr(episode, e.name)))}


@pytest.fixture(scope="module")
def here() -> Episode:
    return wiring.load_episode(EXAMPLE)


def with_relief(episode: Episode, injection_id: str, relief: float) -> Episode:
    changed = tuple(
        i.model_copy(update={"relief_percent": relief}) if i.id == injection_id else i
        for i in episode.therapeutic_injections
    )
    return episode.model_copy(update={"therapeutic_injections": changed})


def criteria(episode: Episode, issues: tuple[object, ...] = ()) -> dict[str, str]:
    assessment = evaluate(episode, wiring.load_ruleset("source-articles", AS_OF), AS_OF, issues)  # type: ignore[arg-type]
    return {c["id"]: c["status"] for j in assessment.to_dict()["joints"] for c in j["criteria"]}


def test_a_conflicting_relief_opens_a_dispute_naming_both_sources_and_both_values(here: Episode) -> None:
    merge = merge_record(here, entered(here), with_relief(here, "inj-2", 30.0), origin="ehr.json")

    [dispute] = disputes(merge.issues)
    assert (dispute.list_name, dispute.position, dispute.ref) == ("therapeutic_injections", 1, "inj-2")
    assert (dispute.held_source, dispute.other_source) == ("entered:alice", "fhir:inj-2")
    assert dispute.values == (("relief_percent", "70.0", "30.0"),)
    assert merge.episode.therapeutic_injections == here.therapeutic_injections  # the record keeps its value


def test_every_criterion_resting_on_a_disputed_fact_is_unknown_and_says_what_would_settle_it(here: Episode) -> None:
    before = criteria(here)
    merge = merge_record(here, entered(here), with_relief(here, "inj-2", 30.0))

    after = criteria(merge.episode, merge.issues)

    assert before["injection-relief-shortening"] == "met"
    assert after["injection-relief-shortening"] == "unknown"
    changed = {name for name in before if before[name] != after[name]}
    assert changed
    assert all(after[name] == "unknown" for name in changed)
    assessment = evaluate(merge.episode, wiring.load_ruleset("source-articles", AS_OF), AS_OF, merge.issues)
    [left] = assessment.units
    outcome = next(c.outcome for c in left.criteria if c.id == "injection-relief-shortening")
    assert outcome.missing == ("one source chosen for the disputed inj-2",)
    assert outcome.summary.startswith("rests on a disputed value (inj-2)")


@pytest.mark.parametrize(("choice", "relief"), [("record", 70.0), ("other", 30.0)])
def test_resolving_keeps_the_chosen_sources_value_and_the_criteria_count_again(
    here: Episode, choice: str, relief: float
) -> None:
    merge = merge_record(here, entered(here), with_relief(here, "inj-2", 30.0))

    resolved = resolve_dispute(merge.episode, merge.issues, "inj-2", choice)  # type: ignore[arg-type]

    assert resolved is not None
    episode, issues, note = resolved
    assert disputes(issues) == ()
    assert next(i for i in episode.therapeutic_injections if i.id == "inj-2").relief_percent == relief
    assert "unknown" not in {criteria(episode, issues)[name] for name in ("injection-relief-shortening",)}
    for said in ("70.0", "30.0", "entered:alice", "fhir:inj-2"):
        assert said in note


def test_resolving_a_ref_with_no_open_dispute_finds_nothing(here: Episode) -> None:
    merge = merge_record(here, entered(here), with_relief(here, "inj-2", 30.0))

    assert resolve_dispute(merge.episode, merge.issues, "inj-1", "record") is None
    assert resolve_dispute(here, (), "inj-2", "record") is None


def test_a_dispute_follows_its_fact_when_an_earlier_fact_is_removed() -> None:
    base = wiring.load_episode(EXAMPLE)
    # Facts without ids are named by their place: removing the first moves the disputed one up.
    plain = base.model_copy(
        update={"therapeutic_injections": tuple(i.model_copy(update={"id": None}) for i in base.therapeutic_injections)}
    )
    ehr = plain.model_copy(
        update={
            "therapeutic_injections": (
                plain.therapeutic_injections[0],
                plain.therapeutic_injections[1].model_copy(update={"relief_percent": 30.0}),
                *plain.therapeutic_injections[2:],
            )
        }
    )
    merge = merge_record(plain, entered(plain), ehr)
    [dispute] = disputes(merge.issues)
    assert dispute.ref == "therapeutic_injections[1]"

    edited = merge.episode.model_copy(update={"therapeutic_injections": merge.episode.therapeutic_injections[1:]})
    issues, settled = carry_disputes(edited, merge.issues)

    [moved] = disputes(issues)
    assert (moved.position, moved.ref, settled) == (0, "therapeutic_injections[0]", ())
    assert criteria(edited, issues)["injection-relief-shortening"] == "unknown"


def test_an_edit_of_the_disputed_fact_settles_the_dispute(here: Episode) -> None:
    merge = merge_record(here, entered(here), with_relief(here, "inj-2", 30.0))

    issues, settled = carry_disputes(with_relief(merge.episode, "inj-2", 50.0), merge.issues)

    assert (disputes(issues), settled) == ((), ("inj-2",))


def test_a_dispute_is_kept_with_the_record_and_read_back_unchanged(here: Episode, tmp_path: Path) -> None:
    from sijpath.settings import Settings
    from sijpath.store.database import transaction, upgrade

    engine = wiring.open_database(Settings(data_dir=tmp_path), require_current=False)
    upgrade(engine)
    merge = merge_record(here, entered(here), with_relief(here, "inj-2", 30.0))
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with transaction(engine) as connection:
        save_episode(connection, merge.episode, expected_version=None, actor="a", now=now, record_issues=merge.issues)
        row = connection.exec_driver_sql("SELECT document, record_issues FROM episodes").one()
    engine.dispose()

    episode, issues = decode_episode(row[0], row[1])
    assert issues == merge.issues
    assert episode_document(episode) == episode_document(merge.episode)
