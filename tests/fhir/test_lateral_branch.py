"""Lateral branch blocks (CPT 64451) read from FHIR: a block of the nerves, never an intra-articular injection."""

from __future__ import annotations

from typing import Any

from sijpath.fhir.vocabulary import OWN
from tests.fhir.records import import_one, issues_at, patient, subject

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


def test_a_lateral_branch_block_with_a_corticosteroid_is_not_imported_and_says_why() -> None:
    imported = import_one(patient(), _nerve_block("lbb", usedCode=[{"text": "bupivacaine"}, {"text": "triamcinolone"}]))
    assert imported.episode.lateral_branch_blocks == ()
    assert any("corticosteroid" in m for m in issues_at(imported.issues, "Procedure/lbb"))
