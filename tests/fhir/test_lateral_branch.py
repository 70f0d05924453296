"""Lateral branch blocks (CPT 64451) read from FHIR: a block of the nerves, never an intra-articular injection."""

from __future__ import annotations

from typing import Any

from sijpath.domain.episode import Episode
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.vocabulary import OWN
from sijpath.fhir.writer import episode_bundle
from tests.fhir.records import dumps, import_one, issues_at, patient, subject

CPT = "http://www.ama-assn.org/go/cpt"


def _nerve_block(rid: str, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": "completed",
        "code": {"coding": [{"system": CPT, "code": "64451"}]},
        "subject": subject(),
        "performedDateTime": "2025-03-01",
        "bodySite": [{"text": "right sacroiliac joint"}],
        "usedCode": [{"text": "bupivacaine"}],
        **more,
    }


def test_a_cpt_64451_procedure_becomes_a_lateral_branch_block_of_its_side_guided_by_fluoroscopy_or_ct() -> None:
    imported = import_one(patient(), _nerve_block("lbb"))
    (block,) = imported.episode.lateral_branch_blocks
    assert (block.side, block.guidance, block.anesthetics[0].drug) == ("right", "fluoroscopy-or-ct", "bupivacaine")
    assert imported.episode.diagnostic_blocks == ()
    assert imported.episode.therapeutic_injections == ()


def test_a_cpt_64451_procedure_with_our_diagnostic_block_category_is_still_a_lateral_branch_block() -> None:
    category = {"coding": [{"system": OWN, "code": "diagnostic-block"}]}
    imported = import_one(patient(), _nerve_block("lbb", category=category))
    assert len(imported.episode.lateral_branch_blocks) == 1
    assert imported.episode.diagnostic_blocks == ()


def test_a_lateral_branch_block_with_a_corticosteroid_of_unrecorded_dose_is_not_imported_and_says_why() -> None:
    imported = import_one(patient(), _nerve_block("lbb", usedCode=[{"text": "bupivacaine"}, {"text": "triamcinolone"}]))
    assert imported.episode.lateral_branch_blocks == ()
    assert any("triamcinolone of unrecorded dose" in m for m in issues_at(imported.issues, "Procedure/lbb"))


def _given(rid: str, drug: str, dose: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "MedicationAdministration",
        "id": rid,
        "status": "completed",
        "medicationCodeableConcept": {"text": drug},
        "subject": subject(),
        "effectiveDateTime": "2025-03-01",
        "partOf": [{"reference": "Procedure/lbb"}],
        "dosage": {"dose": dose},
    }


def test_a_lateral_branch_block_with_a_dosed_corticosteroid_is_imported_with_its_steroid_and_dose() -> None:
    steroid = _given(
        "m-steroid", "dexamethasone", {"value": 4, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
    )
    imported = import_one(patient(), _nerve_block("lbb"), steroid)
    (block,) = imported.episode.lateral_branch_blocks
    assert [(s.drug, s.dose_mg) for s in block.steroids] == [("dexamethasone", 4.0)]


def test_a_lateral_branch_block_with_a_steroid_comes_back_from_its_export_with_the_steroid() -> None:
    episode = Episode.model_validate(
        {
            "patient": {"id": "p1"},
            "lateral_branch_blocks": [
                {
                    "id": "lbb",
                    "date": "2025-03-01",
                    "side": "right",
                    "guidance": "fluoroscopy",
                    "anesthetics": [{"drug": "bupivacaine"}],
                    "steroids": [{"drug": "triamcinolone", "dose_mg": 40.0}],
                }
            ],
        }
    )
    imported = import_bundle(dumps(episode_bundle(episode)))["p1"]
    assert imported.issues == ()
    assert imported.episode.lateral_branch_blocks[0].steroids == episode.lateral_branch_blocks[0].steroids
