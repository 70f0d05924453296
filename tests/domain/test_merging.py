"""Merging an imported record into the one held here: one fact per clinical event, conflicts said, never doubled."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.episode import Episode, Patient
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.findings import ImagingStudy, PainPresentation
from sijpath.domain.merging import IDENTIFYING, event_key, merge_record
from sijpath.domain.procedures import SteroidDose, TherapeuticInjection

DAY = dt.date(2026, 3, 2)
ENTERED = ("entered:alice", None)


def injection(**values: object) -> TherapeuticInjection:
    fields: dict[str, object] = {"date": DAY, "side": "right", "relief_percent": 80.0, **values}
    return TherapeuticInjection.model_validate(fields)


def record(*injections: TherapeuticInjection, **more: object) -> Episode:
    return Episode(patient=Patient(id="p1"), therapeutic_injections=injections, **more)  # type: ignore[arg-type]


def held(episode: Episode) -> dict[tuple[str, int], tuple[str, str | None]]:
    return {("therapeutic_injections", i): ENTERED for i in range(len(episode.therapeutic_injections))}


def test_every_fact_list_declares_its_identifying_values() -> None:
    assert set(IDENTIFYING) == {entry.name for entry in FACT_LISTS}
    for entry in FACT_LISTS:
        assert set(IDENTIFYING[entry.name]) <= set(entry.model.model_fields), entry.name


def test_the_same_event_with_the_same_values_is_kept_once_with_both_sources() -> None:
    here = record(injection())

    merge = merge_record(here, held(here), record(injection(id="Procedure/inj-1")))

    assert merge.episode.therapeutic_injections == here.therapeutic_injections  # the record's own fact, its id too
    assert merge.provenance == {("therapeutic_injections", 0): ("entered:alice", "fhir:Procedure/inj-1")}
    assert (merge.counts.new, merge.counts.matched, merge.counts.conflicting) == (0, 1, 0)
    assert merge.issues == ()


def test_a_conflicting_value_keeps_the_records_fact_disputed_and_a_warning_names_both_sources_and_values() -> None:
    here = record(injection())

    merge = merge_record(
        here, held(here), record(injection(id="Procedure/inj-1", relief_percent=40.0)), origin="x.json"
    )

    assert merge.episode.therapeutic_injections == here.therapeutic_injections
    assert merge.counts.conflicting == 1
    [issue] = merge.issues
    assert issue.severity == "warning"
    assert "entered:alice" in issue.message
    assert "fhir:Procedure/inj-1" in issue.message
    assert "80.0 here, 40.0" in issue.message
    assert "x.json" in issue.message
    # Disputed, not settled in the record's favour: both values are kept for someone to choose between.
    assert issue.dispute is not None
    assert (issue.dispute.ref, issue.dispute.held_source, issue.dispute.other_source) == (
        "therapeutic_injections[0]",
        "entered:alice",
        "fhir:Procedure/inj-1",
    )
    assert issue.dispute.values == (("relief_percent", "80.0", "40.0"),)


def test_a_value_only_the_import_records_completes_the_records_fact_without_a_conflict() -> None:
    here = record(injection(relief_percent=None))
    steroid = SteroidDose(drug="triamcinolone", dose_mg=40.0)

    merge = merge_record(here, held(here), record(injection(id="Procedure/inj-1", steroid=steroid)))

    [kept] = merge.episode.therapeutic_injections
    assert (kept.steroid, kept.relief_percent, kept.id) == (steroid, 80.0, None)
    assert merge.counts.matched == 1


def test_another_side_or_another_day_is_another_event() -> None:
    here = record(injection())

    merge = merge_record(
        here,
        held(here),
        record(injection(id="Procedure/a", side="left"), injection(id="Procedure/b", date=DAY.replace(day=3))),
    )

    assert len(merge.episode.therapeutic_injections) == 3
    assert merge.counts.new == 2


def test_identifying_values_tell_two_studies_of_one_day_apart() -> None:
    ct = ImagingStudy(date=DAY, modality="ct", region="sij", side="left", findings=("normal",))
    mri = ct.model_copy(update={"modality": "mri"})

    assert event_key("imaging", ct) != event_key("imaging", mri)
    assert event_key("imaging", ct) == event_key("imaging", ct.model_copy(update={"id": "DiagnosticReport/x"}))


def test_facts_an_earlier_import_brought_give_way_to_this_imports_and_count_as_matched_when_equal() -> None:
    earlier = injection(id="Procedure/inj-1")
    here = record(earlier)
    provenance = {("therapeutic_injections", 0): ("fhir:Procedure/inj-1", None)}

    merge = merge_record(here, provenance, record(earlier))

    assert merge.episode.therapeutic_injections == (earlier,)
    assert (merge.counts.new, merge.counts.matched) == (0, 1)


def test_an_event_removed_here_is_skipped_with_a_note() -> None:
    here = record()

    merge = merge_record(here, {}, record(injection(id="Procedure/inj-1")), {"therapeutic_injections": [injection()]})

    assert merge.episode.therapeutic_injections == ()
    assert merge.counts.skipped == 1
    assert "removed" in merge.issues[0].message


def test_two_same_day_events_in_the_record_are_matched_one_to_one_not_both_to_one() -> None:
    block_a, block_b = injection(relief_percent=80.0), injection(relief_percent=30.0)
    here = record(block_a, block_b)

    merge = merge_record(here, held(here), record(injection(id="Procedure/b", relief_percent=30.0)))

    assert merge.episode.therapeutic_injections == (block_a, block_b)
    assert merge.provenance["therapeutic_injections", 1] == ("entered:alice", "fhir:Procedure/b")
    assert merge.counts.matched == 1


def test_the_pain_presentation_the_import_lacks_is_kept_and_one_it_replaces_is_said() -> None:
    pain = PainPresentation(laterality="right")
    here = record(pain=pain)

    assert merge_record(here, {}, record()).episode.pain == pain
    replaced = merge_record(here, {}, record(pain=PainPresentation(laterality="left")), origin="y.json")
    assert replaced.episode.pain.laterality == "left"
    assert "y.json replaced" in replaced.issues[0].message
    assert "right" in replaced.issues[0].message
