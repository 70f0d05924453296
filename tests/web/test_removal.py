"""Removing a fact entered in error: asked first, audited, no longer counted, undone with its provenance, and not
brought back by the next import of the same events."""

from __future__ import annotations

import re
from collections.abc import Callable

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath.fhir.writer import episode_bundle
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.tables import facts
from sijpath.web.services import App

SignIn = Callable[[str], TestClient]
PATIENT = "rfa-candidate"
BLOCK = f"/patients/{PATIENT}/diagnostic_blocks/0/remove"


def stored(services: App) -> store.StoredEpisode:
    with services.engine.connect() as connection:
        return store.load_episode(connection, PATIENT)


def next_step(html: str) -> str:
    match = re.search(r'<span class="next-step">([^<]*)</span>', html)
    assert match, "no next step on the page"
    return match.group(1)


def actions(services: App) -> list[str]:
    with services.engine.connect() as connection:
        return [r["action"] for r in services.history(connection, PATIENT)]  # type: ignore[misc]


def remove(client: TestClient, version: int) -> str:
    """Remove the block as the confirmation page does; returns the patient page it leads to."""
    form = {"csrf_token": client.csrf, "version": str(version), "confirm": "yes"}  # type: ignore[attr-defined]
    response = client.post(BLOCK, data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client.get(response.headers["location"]).text


def test_remove_asks_first_naming_the_fact_and_saying_it_can_be_undone(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    page = client.get(f"/patients/{PATIENT}").text
    assert f'<form method="get" action="{BLOCK}">' in page  # the record's Remove only opens the question

    confirm = client.get(BLOCK)

    assert confirm.status_code == 200
    assert "Remove this fact from patient rfa-candidate?" in confirm.text
    assert "blk-1" in confirm.text
    assert "undone" in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text
    assert stored(services).version == 1


def test_a_removal_posted_without_the_confirmation_removes_nothing(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    form = {"csrf_token": client.csrf, "version": "1"}  # type: ignore[attr-defined]

    response = client.post(BLOCK, data=form)

    assert response.status_code == 422
    assert "not confirmed" in response.text
    assert len(stored(services).episode.diagnostic_blocks) == 1


def test_a_removed_fact_no_longer_counts_and_undo_brings_it_back_as_it_was(sign_in: SignIn, services: App) -> None:
    client = sign_in("clinician")
    before = stored(services)
    step_before = next_step(client.get(f"/patients/{PATIENT}").text)

    page = remove(client, before.version)

    assert stored(services).episode.diagnostic_blocks == ()
    assert next_step(page) != step_before  # without its block the joint is no longer where it was
    assert "Fact removed" in page
    assert "Removed as entered in error" in page
    undo = re.search(r'action="(/patients/rfa-candidate/removed/(\d+)/restore)"', page)
    assert undo is not None
    assert "remove-fact" in actions(services)

    form = {"csrf_token": client.csrf, "version": str(before.version + 1)}  # type: ignore[attr-defined]
    restored = client.post(undo.group(1), data=form)

    assert restored.status_code == 200
    assert "Fact restored" in restored.text
    assert stored(services).episode == before.episode
    assert next_step(restored.text) == step_before
    assert "restore-fact" in actions(services)
    again = client.post(undo.group(1), data={**form, "version": str(before.version + 2)})
    assert again.status_code == 404  # undone once; nothing left to undo


def test_undo_restores_the_facts_provenance_too(sign_in: SignIn, services: App) -> None:
    services.import_bundle(User("clinician", "clinician"), _bundle(services), "ehr.json", "10.0.0.7")

    def block_provenance() -> tuple[str, str | None]:
        with services.engine.connect() as connection:
            row = connection.execute(
                select(facts.c.source, facts.c.matched_source).where(
                    facts.c.patient_id == PATIENT, facts.c.list_name == "diagnostic_blocks"
                )
            ).one()
            return row.source, row.matched_source

    provenance = block_provenance()
    assert provenance == ("entered:sijpath-demo-seed", "fhir:Procedure/blk-1")
    client = sign_in("clinician")
    version = stored(services).version
    page = remove(client, version)
    undo = re.search(r'action="(/patients/rfa-candidate/removed/\d+/restore)"', page)
    assert undo is not None

    client.post(undo.group(1), data={"csrf_token": client.csrf, "version": str(version + 1)})  # type: ignore[attr-defined]

    assert block_provenance() == provenance


def test_an_import_does_not_bring_back_an_event_a_clinician_removed(sign_in: SignIn, services: App) -> None:
    bundle = _bundle(services)  # the EHR still holds the block
    remove(sign_in("clinician"), stored(services).version)

    [result] = services.import_bundle(User("clinician", "clinician"), bundle, "ehr.json", "10.0.0.7")

    assert result.skipped == 1
    assert stored(services).episode.diagnostic_blocks == ()
    assert any("removed this event" in issue.message for issue in stored(services).record_issues)


def _bundle(services: App) -> bytes:
    return orjson.dumps(episode_bundle(stored(services).episode))
