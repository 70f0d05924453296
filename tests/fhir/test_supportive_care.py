"""Bracing and activity modification as FHIR Procedures with our codes: written, read back, ongoing ones confirmed."""

from __future__ import annotations

from typing import Any

from sijpath.domain.episode import Episode
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.vocabulary import OWN
from sijpath.fhir.writer import episode_bundle
from tests.fhir.records import dumps, import_one, patient, subject


def _course(rid: str, code: str, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": "in-progress",
        "code": {"coding": [{"system": OWN, "code": code}]},
        "subject": subject(),
        "performedPeriod": {"start": "2026-01-05"},
        **more,
    }


def test_our_bracing_and_activity_modification_codes_become_supportive_care_courses() -> None:
    ended = {"status": "completed", "performedPeriod": {"start": "2026-01-05", "end": "2026-07-05"}}
    imported = import_one(
        patient(), _course("brace", "bracing-course", **ended), _course("rest", "activity-modification-course")
    )
    kinds = {(c.kind, c.end_date is None) for c in imported.episode.supportive_care}
    assert kinds == {("bracing", False), ("activity-modification", True)}
    assert imported.episode.physical_therapy == ()


def test_an_episode_with_supportive_care_round_trips_through_a_bundle() -> None:
    episode = Episode.model_validate(
        {
            "patient": {"id": "p1"},
            "supportive_care": [
                {"start_date": "2026-01-05", "last_confirmed": "2026-10-05", "kind": "activity-modification"},
                {"start_date": "2026-01-05", "end_date": "2026-07-05", "kind": "bracing"},
            ],
        }
    )
    read = import_bundle(dumps(episode_bundle(episode)))["p1"].episode.supportive_care
    assert [(c.kind, c.start_date, c.end_date, c.last_confirmed) for c in read] == [
        (c.kind, c.start_date, c.end_date, c.last_confirmed) for c in episode.supportive_care
    ]
