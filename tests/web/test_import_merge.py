"""Importing into an existing record: the EHR's Bundle for events already recorded here doubles nothing, changes
no assessment, and says what it matched; a conflicting value is a data issue naming both sources."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.findings import PainScore
from sijpath.fhir.writer import episode_bundle
from sijpath.pathway.assess import evaluate
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.tables import audit_log, facts
from sijpath.web.services import App
from tests.web.conftest import EXAMPLES

CLINICIAN = User("clinician", "clinician")
AS_OF = dt.date(2026, 11, 1)
SEEDED = "entered:sijpath-demo-seed"


def stored(services: App, patient_id: str) -> store.StoredEpisode:
    with services.engine.connect() as connection:
        return store.load_episode(connection, patient_id)


def assessment(services: App, patient_id: str) -> dict[str, Any]:
    record = stored(services, patient_id)
    return evaluate(
        record.episode, wiring.load_ruleset("source-articles", AS_OF), AS_OF, record.record_issues
    ).to_dict()


def fact_count(episode: Episode) -> int:
    return sum(len(getattr(episode, entry.name)) for entry in FACT_LISTS)


def bundle_of(episode: Episode, change: Callable[[dict[str, Any]], None] | None = None) -> bytes:
    """The episode as the FHIR writer exports it, optionally changed (as another EHR might record it)."""
    document = episode_bundle(episode)
    if change is not None:
        change(document)
    return orjson.dumps(document)


def provenance(services: App, patient_id: str) -> set[tuple[str, str | None]]:
    with services.engine.connect() as connection:
        rows = connection.execute(
            select(facts.c.source, facts.c.matched_source).where(facts.c.patient_id == patient_id)
        )
        return {(r.source, r.matched_source) for r in rows}


def test_importing_the_same_events_as_a_seeded_record_doubles_no_fact_and_leaves_the_assessment_unchanged(
    services: App,
) -> None:
    before = stored(services, "fusion-candidate")
    assessed = assessment(services, "fusion-candidate")

    [result] = services.import_bundle(CLINICIAN, bundle_of(before.episode), "ehr.json", "10.0.0.7")

    after = stored(services, "fusion-candidate")
    assert after.episode == before.episode  # every fact once, as it was
    assert assessment(services, "fusion-candidate") == assessed
    total = fact_count(before.episode)
    assert total > 20
    assert (result.new, result.matched, result.conflicting, result.skipped) == (0, total, 0, 0)
    # Kept once with both provenances: entered by the seed, matched to the EHR's resource.
    sources = provenance(services, "fusion-candidate")
    assert (SEEDED, "fhir:Procedure/blk-1") in sources
    assert all(source == SEEDED and matched and matched.startswith("fhir:") for source, matched in sources)


def test_a_conflicting_relief_is_a_data_issue_naming_both_sources_and_the_records_value_is_kept(
    services: App,
) -> None:
    before = stored(services, "fusion-candidate")
    injections_before = before.episode.therapeutic_injections

    # The EHR records the second injection's relief as 30%, the record here as 70%.
    ehr = before.episode.model_copy(
        update={
            "therapeutic_injections": tuple(
                i.model_copy(update={"relief_percent": 30.0}) if i.id == "inj-2" else i for i in injections_before
            )
        }
    )

    [result] = services.import_bundle(CLINICIAN, bundle_of(ehr), "ehr.json", "10.0.0.7")

    after = stored(services, "fusion-candidate")
    assert after.episode.therapeutic_injections == injections_before  # not overwritten, not doubled
    assert (result.conflicting, result.new) == (1, 0)
    [issue] = [i for i in after.record_issues if "conflicting" in i.message]
    assert issue.severity == "warning"
    assert SEEDED in issue.message
    assert "fhir:Procedure/inj-2" in issue.message
    assert "70.0 here, 30.0" in issue.message
    shown = assessment(services, "fusion-candidate")["data_issues"]
    assert any("fhir:Procedure/inj-2" in d["message"] for d in shown)


def test_reimporting_is_idempotent_for_the_same_bundle_and_for_the_same_events_sent_again(services: App) -> None:
    episode = stored(services, "rfa-candidate").episode
    first = services.import_bundle(CLINICIAN, bundle_of(episode), "ehr.json", "10.0.0.7")
    version = stored(services, "rfa-candidate").version

    again = services.import_bundle(CLINICIAN, bundle_of(episode), "ehr.json", "10.0.0.7")
    reordered = services.import_bundle(
        CLINICIAN, bundle_of(episode, lambda d: d["entry"].reverse()), "ehr-again.json", "10.0.0.7"
    )

    after = stored(services, "rfa-candidate")
    assert after.version == version
    assert after.episode == episode
    assert [(r.unchanged, r.matched, r.new) for r in (*again, *reordered)] == [(True, first[0].matched, 0)] * 2


def test_an_event_new_to_the_record_is_added_once_and_counted_new(services: App) -> None:
    before = stored(services, "rfa-candidate").episode
    visit = PainScore(id="Observation/visit-9", date=dt.date(2026, 10, 30), nrs=4.0)
    extra = before.model_copy(update={"pain_scores": (*before.pain_scores, visit)})

    [result] = services.import_bundle(CLINICIAN, bundle_of(extra), "ehr.json", "10.0.0.7")

    assert (result.new, result.conflicting, result.matched) == (1, 0, fact_count(before))
    after = stored(services, "rfa-candidate").episode
    assert after.pain_scores[-1].nrs == 4.0
    assert fact_count(after) == fact_count(before) + 1


def test_a_block_entered_on_the_form_and_then_imported_from_the_ehr_is_one_block(
    services: App, sign_in: Callable[[str], TestClient]
) -> None:
    clinician = sign_in("clinician")
    page = clinician.get("/patients/new-referral").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    form = {
        "csrf_token": clinician.csrf,  # type: ignore[attr-defined]
        "version": version.group(1),
        "date": "2026-10-20",
        "side": "left",
        "guidance": "fluoroscopy",
        "contrast": "yes",
        "anesthetic": "lidocaine",
        "pre_block_nrs": "7",
        "post_block_nrs": "1",
        "post_block_minutes": "30",
    }
    assert clinician.post("/patients/new-referral/blocks", data=form).status_code == 200
    entered = stored(services, "new-referral")

    upload = {"bundle": ("ehr.json", bundle_of(entered.episode), "application/fhir+json")}
    response = clinician.post("/import", data={"csrf_token": clinician.csrf}, files=upload)  # type: ignore[attr-defined]

    assert response.status_code == 200
    assert "0 new" in response.text
    assert "conflicting" in response.text
    after = stored(services, "new-referral")
    assert after.episode.diagnostic_blocks == entered.episode.diagnostic_blocks
    assert len(after.episode.diagnostic_blocks) == 1


def test_the_import_page_says_how_many_facts_were_new_matched_conflicting_and_skipped(
    sign_in: Callable[[str], TestClient],
) -> None:
    clinician = sign_in("clinician")
    upload = {"bundle": ("x.json", (EXAMPLES / "fhir" / "payer-smoker.json").read_bytes(), "application/fhir+json")}

    response = clinician.post("/import", data={"csrf_token": clinician.csrf}, files=upload)  # type: ignore[attr-defined]

    assert "0 new, 22 matched, 0 conflicting, 0 skipped" in response.text  # its 22 facts, all seeded already


def conflicting_import(services: App) -> store.StoredEpisode:
    """The EHR records the second injection's relief as 30%, the record here as 70%: imported, so disputed."""
    before = stored(services, "fusion-candidate")
    ehr = before.episode.model_copy(
        update={
            "therapeutic_injections": tuple(
                i.model_copy(update={"relief_percent": 30.0}) if i.id == "inj-2" else i
                for i in before.episode.therapeutic_injections
            )
        }
    )
    services.import_bundle(CLINICIAN, bundle_of(ehr), "ehr.json", "10.0.0.7")
    return stored(services, "fusion-candidate")


def statuses(services: App) -> dict[str, str]:
    return {c["id"]: c["status"] for j in assessment(services, "fusion-candidate")["joints"] for c in j["criteria"]}


def test_a_conflicting_relief_makes_the_criteria_resting_on_it_unknown_until_resolved(services: App) -> None:
    assert statuses(services)["injection-relief-shortening"] == "met"  # 70% here

    after = conflicting_import(services)

    assert after.episode.therapeutic_injections == stored(services, "fusion-candidate").episode.therapeutic_injections
    assert [i.dispute.ref for i in after.record_issues if i.dispute] == ["inj-2"]
    assert statuses(services)["injection-relief-shortening"] == "unknown"  # neither 70% nor 30% counts


@pytest.mark.parametrize(("choice", "relief"), [("record", 70.0), ("other", 30.0)])
def test_resolve_on_the_patient_page_keeps_the_chosen_value_and_is_audited(
    services: App, sign_in: Callable[[str], TestClient], choice: str, relief: float
) -> None:
    disputed = conflicting_import(services)
    clinician = sign_in("clinician")
    page = clinician.get("/patients/fusion-candidate").text
    assert "Disputed facts" in page
    assert "Keep fhir:Procedure/inj-2" in page

    form = {"csrf_token": clinician.csrf, "version": str(disputed.version), "ref": "inj-2", "choice": choice}  # type: ignore[attr-defined]
    response = clinician.post("/patients/fusion-candidate/disputes/resolve", data=form)

    assert response.status_code == 200
    assert "Dispute resolved" in response.text
    after = stored(services, "fusion-candidate")
    assert not any(i.dispute for i in after.record_issues)
    assert next(i for i in after.episode.therapeutic_injections if i.id == "inj-2").relief_percent == relief
    assert statuses(services)["injection-relief-shortening"] != "unknown"
    with services.engine.connect() as connection:
        row = connection.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "resolve-dispute")
        ).one()
    assert row.actor == "clinician"
    assert "dispute on inj-2 resolved" in row.detail
    assert "70.0" in row.detail
    assert "30.0" in row.detail


def test_resolving_a_dispute_on_a_stale_page_changes_nothing(
    services: App, sign_in: Callable[[str], TestClient]
) -> None:
    disputed = conflicting_import(services)
    clinician = sign_in("clinician")
    form = {"csrf_token": clinician.csrf, "version": str(disputed.version - 1), "ref": "inj-2", "choice": "other"}  # type: ignore[attr-defined]

    response = clinician.post("/patients/fusion-candidate/disputes/resolve", data=form)

    assert response.status_code == 409
    assert stored(services, "fusion-candidate").record_issues == disputed.record_issues
