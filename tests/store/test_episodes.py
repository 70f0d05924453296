"""Episodes in the database, on SQLite and PostgreSQL alike: round trips, versions, conflicts, fact provenance,
stored assessments and the patient list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, Engine, event, func, select

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.engine.assessment import Assessment
from sijpath.errors import ConflictError, NotFoundError
from sijpath.pathway.assess import evaluate
from sijpath.settings import Settings
from sijpath.store.accounts import User
from sijpath.store.database import transaction
from sijpath.store.episodes import (
    StoredEpisode,
    delete_episode,
    episode_document,
    fingerprint,
    list_patients,
    load_episode,
    remember_import,
    save_assessment,
    save_episode,
    unassessed,
)
from sijpath.store.tables import assessments, episodes, facts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
RULESET = "source-articles"


def example(name: str) -> Episode:
    return wiring.load_episode(EXAMPLES / f"{name}.yaml")


def create(
    engine: Engine, episode: Episode, actor: str = "alice", now: dt.datetime = NOW, **more: Any
) -> StoredEpisode:
    with transaction(engine) as connection:
        return save_episode(connection, episode, expected_version=None, actor=actor, now=now, **more)


def update(
    engine: Engine, episode: Episode, expected_version: int, actor: str, now: dt.datetime = NOW
) -> StoredEpisode:
    with transaction(engine) as connection:
        return save_episode(connection, episode, expected_version=expected_version, actor=actor, now=now)


def load(engine: Engine, patient_id: str) -> StoredEpisode:
    with engine.connect() as connection:
        return load_episode(connection, patient_id)


def fact_rows(engine: Engine, patient_id: str) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(facts).where(facts.c.patient_id == patient_id).order_by(facts.c.list_name, facts.c.position)
            )
        )


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def without_pain_scores(episode: Episode) -> Episode:
    return episode.model_copy(update={"pain_scores": ()})


def services(engine: Engine, tmp_path: Path) -> Any:
    return wiring.web_services(Settings(data_dir=tmp_path), engine, lambda: NOW)


# Round trips and versions


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_episode_loads_back_equal_to_the_one_saved(engine: Engine, path: Path) -> None:
    episode = wiring.load_episode(path)

    saved = create(engine, episode)
    loaded = load(engine, episode.patient.id)

    assert loaded.episode == episode
    assert loaded.version == saved.version == 1
    assert loaded.fingerprint == saved.fingerprint == fingerprint(episode_document(episode))
    assert loaded.updated_at == NOW
    assert loaded.updated_by == "alice"
    assert loaded.record_issues == ()


def test_each_save_increments_the_version_and_records_who_saved_it_and_when(engine: Engine) -> None:
    episode = example("fusion-candidate")
    create(engine, episode, actor="alice")
    later = NOW + dt.timedelta(hours=1)

    second = update(engine, without_pain_scores(episode), 1, "bob", later)
    third = update(engine, episode, 2, "carol", later + dt.timedelta(hours=1))

    assert (second.version, third.version) == (2, 3)
    loaded = load(engine, episode.patient.id)
    assert (loaded.version, loaded.updated_by, loaded.updated_at) == (3, "carol", later + dt.timedelta(hours=1))
    assert loaded.episode == episode


def test_loading_a_patient_that_does_not_exist_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="no patient `nobody`"):
        load(engine, "nobody")


def test_saving_a_version_of_a_patient_that_does_not_exist_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="no patient `new-referral`"):
        update(engine, example("new-referral"), 1, "bob")

    assert count(engine, episodes) == 0
    assert count(engine, facts) == 0


# Optimistic concurrency


def test_second_writer_with_a_stale_version_gets_a_conflict_naming_who_changed_it_and_nothing_is_written(
    engine: Engine,
) -> None:
    episode = example("fusion-candidate")
    create(engine, episode, actor="alice")
    bobs = update(engine, without_pain_scores(episode), 1, "bob")  # bob and carol both opened version 1
    facts_after_bob = fact_rows(engine, episode.patient.id)

    carols = episode.model_copy(update={"odi_scores": ()})
    with pytest.raises(ConflictError) as raised:
        update(engine, carols, 1, "carol", NOW + dt.timedelta(minutes=5))

    message = str(raised.value)
    assert "changed by bob (version 2)" in message
    assert "after you opened version 1" in message
    assert "nothing was saved" in message
    loaded = load(engine, episode.patient.id)
    assert (loaded.version, loaded.updated_by, loaded.fingerprint) == (2, "bob", bobs.fingerprint)
    assert loaded.episode == without_pain_scores(episode)
    assert fact_rows(engine, episode.patient.id) == facts_after_bob


def test_creating_a_patient_that_already_exists_is_a_conflict_and_the_first_record_stays(engine: Engine) -> None:
    episode = example("new-referral")
    create(engine, episode, actor="alice")

    with pytest.raises(ConflictError, match="patient `new-referral` already exists"):
        create(engine, without_pain_scores(episode), actor="bob")

    loaded = load(engine, "new-referral")
    assert (loaded.version, loaded.updated_by) == (1, "alice")
    assert loaded.episode == episode


def test_two_clinicians_creating_the_same_patient_at_once_get_a_conflict_not_a_database_error(engine: Engine) -> None:
    """Alice's check finds no patient; before her INSERT runs, Bob creates the same patient and commits."""
    episode = example("new-referral")
    interleaved: list[StoredEpisode] = []

    def bob_gets_in_first(_conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EPISODES") and not interleaved:
            interleaved.append(create(engine, episode, actor="bob"))

    def alice_creates() -> None:
        with transaction(engine) as alice:
            event.listen(alice, "before_cursor_execute", bob_gets_in_first)
            save_episode(alice, without_pain_scores(episode), expected_version=None, actor="alice", now=NOW)

    with pytest.raises(ConflictError, match="patient `new-referral` already exists"):
        alice_creates()

    assert interleaved, "the interleaving did not happen: the test proves nothing"
    loaded = load(engine, "new-referral")
    assert (loaded.version, loaded.updated_by) == (1, "bob")
    assert loaded.episode == episode


# Facts and their provenance


def test_every_fact_of_an_entered_episode_is_stored_with_its_date_and_entered_by_the_user(engine: Engine) -> None:
    episode = example("rfa-candidate")
    create(engine, episode, actor="alice")

    rows = fact_rows(engine, "rfa-candidate")

    expected = sorted(
        (name, position, fact.date if hasattr(fact, "date") else fact.start_date)
        for name in ("diagnostic_blocks", "therapeutic_injections", "medications", "physical_therapy", "pain_scores")
        for position, fact in enumerate(getattr(episode, name))
    )
    stored = sorted((r.list_name, r.position, r.fact_date) for r in rows if r.list_name in {e[0] for e in expected})
    assert stored == expected
    assert len(expected) > 3
    assert {r.source for r in rows} == {"entered:alice"}


def test_a_new_version_replaces_the_facts_of_the_old_one(engine: Engine) -> None:
    episode = example("fusion-candidate")
    create(engine, episode, actor="alice")
    assert any(r.list_name == "pain_scores" for r in fact_rows(engine, "fusion-candidate"))

    update(engine, without_pain_scores(episode), 1, "bob")

    rows = fact_rows(engine, "fusion-candidate")
    assert rows
    assert not any(r.list_name == "pain_scores" for r in rows)
    # Bob removed the pain scores and changed nothing else: what is left is still as Alice entered it.
    assert {r.source for r in rows} == {"entered:alice"}


def test_editing_one_imported_fact_keeps_the_provenance_of_the_others(engine: Engine, tmp_path: Path) -> None:
    app = services(engine, tmp_path)
    clinician = User("dr-jones", "clinician")
    app.import_bundle(clinician, (EXAMPLES / "fhir" / "rfa-candidate.json").read_bytes(), "rfa.json", "127.0.0.1")
    with engine.connect() as connection:
        stored = load_episode(connection, "rfa-candidate")
    block = stored.episode.diagnostic_blocks[0]
    edited = stored.episode.model_copy(
        update={"diagnostic_blocks": (block.model_copy(update={"post_block_minutes": 44}),)}
    )

    app.save(clinician, edited, stored.version, "127.0.0.1")

    sources = {(r.list_name, r.fact_id): r.source for r in fact_rows(engine, "rfa-candidate")}
    assert sources["diagnostic_blocks", block.id] == "entered:dr-jones"
    others = {source for (name, _), source in sources.items() if name != "diagnostic_blocks"}
    assert others
    assert all(source.startswith("fhir:") for source in others)


def test_facts_given_a_source_keep_it_and_the_others_are_entered_by_the_user(engine: Engine) -> None:
    episode = example("rfa-candidate")  # its block has the id blk-1

    create(engine, episode, actor="alice", sources={"blk-1": "fhir:Procedure/blk-1"})

    sources = {(r.fact_id, r.source) for r in fact_rows(engine, "rfa-candidate")}
    assert ("blk-1", "fhir:Procedure/blk-1") in sources
    assert {source for fact_id, source in sources if fact_id != "blk-1"} == {"entered:alice"}


def test_imported_facts_carry_the_fhir_resource_they_came_from(engine: Engine, tmp_path: Path) -> None:
    app = services(engine, tmp_path)
    clinician = User("dr-jones", "clinician")

    for path in sorted((EXAMPLES / "fhir").glob("*.json")):
        app.import_bundle(clinician, path.read_bytes(), path.name, "127.0.0.1")

    with engine.connect() as connection:
        rows = list(connection.execute(select(facts)))
    assert len(rows) > 50
    assert all(r.fact_id is not None and r.source == f"fhir:{r.fact_id}" for r in rows)
    assert ("block-with-steroid", "fhir:Procedure/blk-1") in {(r.patient_id, r.source) for r in rows}


def test_a_clinicians_edit_marks_the_facts_as_entered_by_that_clinician(engine: Engine, tmp_path: Path) -> None:
    app = services(engine, tmp_path)
    app.save(User("dr-jones", "clinician"), example("new-referral"), None, "127.0.0.1")

    assert {r.source for r in fact_rows(engine, "new-referral")} == {"entered:dr-jones"}


# Issues found when the record was read


def test_record_issues_survive_a_save_and_a_load(engine: Engine) -> None:
    issues = (
        DataIssue("warning", "diagnostic_blocks[0]", "post-block NRS recorded before the block"),
        DataIssue("info", "Patient/new-referral", "no Patient resource: birth date and sex unknown"),
    )
    create(engine, example("new-referral"), record_issues=issues)

    assert load(engine, "new-referral").record_issues == issues


def test_a_clinicians_edit_keeps_the_issues_found_when_the_record_was_imported(engine: Engine, tmp_path: Path) -> None:
    app = services(engine, tmp_path)
    clinician = User("dr-jones", "clinician")
    bundle = _without_patient_resource(EXAMPLES / "fhir" / "new-referral.json")
    [result] = app.import_bundle(clinician, bundle, "new-referral.json", "127.0.0.1")
    imported = load(engine, "new-referral")
    assert result.issues == len(imported.record_issues) == 1

    app.save(clinician, without_pain_scores(imported.episode), imported.version, "127.0.0.1")

    edited = load(engine, "new-referral")
    assert edited.version == 2
    assert edited.record_issues == imported.record_issues


def _without_patient_resource(path: Path) -> bytes:
    """The Bundle with its Patient resource left out (the others then name the patient as `Patient/<id>`)."""
    document = orjson.loads(path.read_bytes())
    [patient] = [e for e in document["entry"] if e["resource"]["resourceType"] == "Patient"]
    document["entry"] = [e for e in document["entry"] if e is not patient]
    reference = f"Patient/{patient['resource']['id']}"
    return orjson.dumps(document).replace(patient["fullUrl"].encode(), reference.encode())


# Imports remembered by digest


def test_an_import_digest_is_remembered_once(engine: Engine) -> None:
    create(engine, example("new-referral"))
    with transaction(engine) as connection:
        first = remember_import(connection, "d" * 64, "new-referral", "alice", NOW)
    with transaction(engine) as connection:
        again = remember_import(connection, "d" * 64, "new-referral", "bob", NOW)

    assert (first, again) == (True, False)


# Stored assessments


def assess(stored: StoredEpisode, as_of: dt.date = TODAY) -> Assessment:
    return evaluate(stored.episode, wiring.load_ruleset(RULESET, as_of), as_of, stored.record_issues)


def assessment_rows(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(assessments).order_by(assessments.c.as_of)))


def test_saving_the_same_assessment_twice_stores_it_once(engine: Engine) -> None:
    stored = create(engine, example("fusion-candidate"))
    assessment = assess(stored)

    for _ in range(2):
        with transaction(engine) as connection:
            save_assessment(connection, assessment, stored.fingerprint)

    [row] = assessment_rows(engine)
    assert (row.patient_id, row.ruleset_id, row.ruleset_version, row.as_of, row.fingerprint) == (
        "fusion-candidate",
        RULESET,
        assessment.ruleset_version,
        TODAY,
        stored.fingerprint,
    )
    assert (row.stage, row.next_step) == ("left:surgical-candidacy", "left:fusion-evaluation")
    assert row.flags.split() == sorted({f.code for u in assessment.units for f in u.flags})


def test_assessments_on_another_date_or_of_a_changed_episode_are_kept_separately(engine: Engine) -> None:
    stored = create(engine, example("fusion-candidate"))
    changed = update(engine, without_pain_scores(stored.episode), 1, "bob")
    earlier = TODAY - dt.timedelta(days=30)

    with transaction(engine) as connection:
        save_assessment(connection, assess(stored), stored.fingerprint)
        save_assessment(connection, assess(stored, earlier), stored.fingerprint)
        save_assessment(connection, assess(changed), changed.fingerprint)

    rows = assessment_rows(engine)
    assert sorted((r.as_of, r.fingerprint) for r in rows) == sorted(
        [(TODAY, stored.fingerprint), (earlier, stored.fingerprint), (TODAY, changed.fingerprint)]
    )


# The patient list


@pytest.fixture
def listed(engine: Engine) -> dict[str, Assessment]:
    """Every example patient saved an hour apart (in file order) and assessed today."""
    result = {}
    for hour, path in enumerate(EXAMPLE_FILES):
        stored = create(engine, wiring.load_episode(path), now=NOW + dt.timedelta(hours=hour))
        assessment = assess(stored)
        with transaction(engine) as connection:
            save_assessment(connection, assessment, stored.fingerprint)
        result[stored.episode.patient.id] = assessment
    return result


def steps(assessment: Assessment) -> set[str]:
    return {u.next_step.code for u in assessment.units}


def step_tokens(assessment: Assessment) -> str:
    """How the list stores (and sorts by) a patient's steps: `left:code right:code`."""
    return " ".join(f"{u.key}:{u.next_step.code}" for u in assessment.units)


def page(engine: Engine, **options: Any) -> tuple[int, list[str]]:
    with engine.connect() as connection:
        total, rows = list_patients(connection, ruleset_id=RULESET, as_of=TODAY, **options)
    return total, [r.patient_id for r in rows]


def test_the_patient_list_shows_every_patient_with_the_stored_assessment(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    with engine.connect() as connection:
        total, rows = list_patients(connection, ruleset_id=RULESET, as_of=TODAY, limit=100)

    assert total == len(rows) == len(listed)
    for row in rows:
        assessment = listed[row.patient_id]
        assert (row.version, row.as_of) == (1, TODAY)
        assert row.joints is not None
        assert [(j.joint, j.stage, j.next_step) for j in row.joints] == [
            (u.key, u.stage, u.next_step.code) for u in assessment.units
        ]
        assert set(row.flags) == set(assessment.flag_codes)


def test_searching_the_patient_list_matches_part_of_the_id_in_any_case(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    expected = sorted(p for p in listed if "fusion" in p)
    assert len(expected) >= 2

    assert page(engine, search="FuSiOn") == (len(expected), expected)
    assert page(engine, search="no-such-patient") == (0, [])


def test_filtering_the_patient_list_by_next_step_shows_only_those_patients(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    for step in {u.next_step.code for a in listed.values() for u in a.units}:
        expected = sorted(p for p, a in listed.items() if step in steps(a))

        assert page(engine, next_step=step) == (len(expected), expected), step


def test_filtering_the_patient_list_by_flag_finds_the_flag_in_any_position_and_never_a_part_of_one(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    codes = {code for a in listed.values() for code in a.flag_codes}
    assert max(len(a.flag_codes) for a in listed.values()) >= 3  # first, middle and last positions

    for code in codes:
        expected = sorted(p for p, a in listed.items() if code in a.flag_codes)
        assert page(engine, flag=code) == (len(expected), expected), code
    some_code = sorted(codes)[0]
    assert page(engine, flag=some_code[: len(some_code) // 2]) == (0, [])


def test_the_patient_list_sorts_by_next_step_or_last_update_either_way(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    by_step = sorted(listed, key=lambda p: (step_tokens(listed[p]), p))
    saved_order = [wiring.load_episode(path).patient.id for path in EXAMPLE_FILES]
    step_descending = page(engine, sort="next_step", descending=True, limit=100)[1]

    assert page(engine, sort="next_step", limit=100)[1] == by_step
    # Descending by step; which way patients with the same step are ordered is left to the list.
    assert [step_tokens(listed[p]) for p in step_descending] == sorted(
        (step_tokens(a) for a in listed.values()), reverse=True
    )
    assert sorted(step_descending) == sorted(listed)
    assert page(engine, sort="updated", limit=100)[1] == saved_order
    assert page(engine, sort="updated", descending=True, limit=100)[1] == saved_order[::-1]
    assert page(engine, sort="patient", descending=True, limit=100)[1] == sorted(listed, reverse=True)


def test_pages_of_a_list_sorted_by_step_never_repeat_or_skip_a_patient(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    for descending in (False, True):
        whole = page(engine, sort="next_step", descending=descending, limit=100)[1]
        pages = [
            page(engine, sort="next_step", descending=descending, limit=4, offset=offset)[1]
            for offset in range(0, len(listed), 4)
        ]

        assert [p for ids in pages for p in ids] == whole


def test_the_pages_of_the_patient_list_cover_every_patient_once_in_order(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    pages = [page(engine, limit=4, offset=offset) for offset in range(0, len(listed) + 4, 4)]

    assert {total for total, _ in pages} == {len(listed)}
    assert [p for _, ids in pages for p in ids] == sorted(listed)
    assert pages[-1][1] == []


def test_a_patient_changed_since_its_assessment_is_listed_without_the_stale_assessment(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    patient = "fusion-candidate"
    update(engine, without_pain_scores(load(engine, patient).episode), 1, "bob")

    with engine.connect() as connection:
        _, rows = list_patients(connection, ruleset_id=RULESET, as_of=TODAY, search=patient, limit=100)
    row = next(r for r in rows if r.patient_id == patient)

    assert (row.version, row.joints, row.flags) == (2, None, ())
    assert patient not in page(engine, next_step=listed[patient].units[0].next_step.code)[1]


def test_the_patient_list_shows_no_assessment_from_another_date_or_rule_set(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    with engine.connect() as connection:
        _, other_day = list_patients(connection, ruleset_id=RULESET, as_of=TODAY + dt.timedelta(days=1), limit=100)
        _, other_set = list_patients(connection, ruleset_id="no-such-ruleset", as_of=TODAY, limit=100)

    assert len(other_day) == len(other_set) == len(listed)
    assert {r.joints for r in other_day + other_set} == {None}


def test_unassessed_names_the_patients_without_an_assessment_of_their_current_episode(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    update(engine, without_pain_scores(load(engine, "fusion-candidate").episode), 1, "bob")

    with engine.connect() as connection:
        stale = unassessed(connection, ruleset_id=RULESET, as_of=TODAY)
        other_day = unassessed(connection, ruleset_id=RULESET, as_of=TODAY + dt.timedelta(days=1))
        among = unassessed(connection, ruleset_id=RULESET, as_of=TODAY, among=["new-referral", "fusion-candidate"])

    assert stale == among == ["fusion-candidate"]
    assert other_day == sorted(listed)


def test_a_cached_assessment_of_another_rule_set_version_is_not_current(engine: Engine) -> None:
    episode = example("new-referral")
    stored = create(engine, episode, actor="alice")
    day = dt.date(2026, 11, 1)
    ruleset = wiring.load_ruleset("source-articles", day)
    with transaction(engine) as connection:
        save_assessment(connection, evaluate(episode, ruleset, day), stored.fingerprint)
        connection.execute(
            assessments.update().where(assessments.c.patient_id == "new-referral").values(ruleset_version="0.9")
        )
        total, rows = list_patients(
            connection, ruleset_id="source-articles", as_of=day, ruleset_version=ruleset.version
        )
        stale = unassessed(connection, ruleset_id="source-articles", as_of=day, ruleset_version=ruleset.version)

    assert total == 1
    assert rows[0].joints is None
    assert stale == ["new-referral"]


def test_the_same_episode_with_other_record_issues_has_another_fingerprint(engine: Engine) -> None:
    # A stored assessment shows the record's issues, so an import with new issues must not reuse an old one.
    episode = example("new-referral")
    plain = create(engine, episode)
    issue = DataIssue("warning", "Procedure/x", "not imported")
    with transaction(engine) as connection:
        flagged = save_episode(connection, episode, expected_version=1, actor="bob", now=NOW, record_issues=(issue,))

    assert flagged.fingerprint != plain.fingerprint


def test_a_list_counted_by_the_assessment_stops_counting_past_the_cap(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    exact, _ = page(engine, sort="next_step", assessed_only=True)
    capped, rows = page(engine, sort="next_step", assessed_only=True, count_cap=3)
    plain, _ = page(engine, count_cap=3)  # not counted by the assessment: every episode, exactly

    assert exact == len(listed) > 4
    assert capped == 4  # one more than the cap: "more than 3"
    assert len(rows) == len(listed)
    assert plain == len(listed)


def test_a_later_page_of_the_plain_list_follows_the_earlier_one_in_patient_order(
    engine: Engine, listed: dict[str, Assessment]
) -> None:
    _, first = page(engine, limit=5)
    _, second = page(engine, limit=5, offset=5)
    _, newest = page(engine, limit=3, sort="updated", descending=True)

    assert first + second == sorted(listed)[:10]
    assert newest == [p.stem for p in EXAMPLE_FILES][::-1][:3]  # saved an hour apart, in file order


def test_every_episode_write_and_dropped_assessment_raises_the_change_counter(engine: Engine) -> None:
    from sijpath.store import generation

    with engine.connect() as connection:
        before = generation.current(connection)
    stored = create(engine, wiring.load_episode(EXAMPLE_FILES[0]))
    with engine.connect() as connection:
        after_create = generation.current(connection)
    with transaction(engine) as connection:
        delete_episode(connection, stored.episode.patient.id, expected_version=1)
        after_delete = generation.current(connection)

    assert before < after_create < after_delete


def test_a_keyset_page_starts_after_the_patient_given(engine: Engine, listed: dict[str, Assessment]) -> None:
    ordered = sorted(listed)

    _, plain = page(engine, limit=3, after=ordered[2])
    _, assessed = page(engine, limit=3, after=ordered[2], assessed_only=True)

    assert plain == assessed == ordered[3:6]
