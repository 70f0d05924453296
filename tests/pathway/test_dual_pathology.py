"""A confirmed SI joint with an established lumbar radiculopathy: both are considered, no procedure follows silently."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.assessment import UnitAssessment
from sijpath.pathway.assess import evaluate
from tests.golden.scenarios import REPO

AS_OF = dt.date(2026, 11, 1)
LUMBAR_MRI = {"date": "2026-09-15", "modality": "mri", "region": "lumbar", "findings": []}


def _unit(
    finding: str, code: str | None = "M54.16", post_block_nrs: float = 1, ruleset: str = "source-articles"
) -> UnitAssessment:
    base = wiring.load_episode(REPO / "examples" / "fusion-candidate.yaml").model_dump(mode="json", exclude_none=True)
    imaging = [s for s in base["imaging"] if s["region"] != "lumbar"] + [{**LUMBAR_MRI, "findings": [finding]}]
    blocks: list[dict[str, Any]] = [{**b, "post_block_nrs": post_block_nrs} for b in base["diagnostic_blocks"]]
    diagnoses = [{"code": code, "recorded_date": "2026-09-01"}] if code else []
    episode = Episode.model_validate({**base, "imaging": imaging, "diagnoses": diagnoses, "diagnostic_blocks": blocks})
    return evaluate(episode, wiring.load_ruleset(ruleset, AS_OF), AS_OF).unit("left")


def _actions(unit: UnitAssessment) -> dict[str, str]:
    return {a.code: a.rationale for a, _ in unit.other_actions}


def test_a_positive_block_and_an_established_radiculopathy_hold_fusion_and_suggest_treating_both() -> None:
    unit = _unit("lumbar-stenosis-or-disc-herniation")
    assert unit.next_step.code == "conservative-care"
    assert "radiculopathy" in unit.next_step.rationale
    alongside = _actions(unit)["radiculopathy-alongside"]
    assert "M54.16" in alongside
    assert "2025-01-10" in alongside


def test_the_same_patient_under_every_built_in_rule_set_never_reaches_an_si_joint_procedure() -> None:
    for ruleset in ("source-articles", "commercial-strict", "cms-mis-fusion", "aspn-2024", "controlled-block"):
        unit = _unit("lumbar-stenosis-or-disc-herniation", ruleset=ruleset)
        assert unit.next_step.code not in {"fusion-evaluation", "radiofrequency-ablation", "therapeutic-injection"}


def test_without_concordant_imaging_or_without_the_code_there_is_no_dual_pathology_action() -> None:
    assert "radiculopathy-alongside" not in _actions(_unit("normal"))
    assert "radiculopathy-alongside" not in _actions(_unit("lumbar-stenosis-or-disc-herniation", code=None))


def test_a_block_with_little_relief_pivots_to_other_sources_without_the_dual_pathology_action() -> None:
    unit = _unit("lumbar-stenosis-or-disc-herniation", post_block_nrs=7)
    assert unit.next_step.code == "evaluate-other-pain-sources"
    assert "radiculopathy-alongside" not in _actions(unit)
