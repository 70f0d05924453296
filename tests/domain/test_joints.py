"""Which joint each fact concerns: sides as recorded, never guessed; which joints are assessed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpath.domain.episode import Episode, Patient
from sijpath.domain.findings import FortinFingerTest, ImagingStudy, PainPresentation, ProvocationTest
from sijpath.domain.joints import attribute
from sijpath.domain.procedures import Fusion, PostOperativeFollowUp, TherapeuticInjection
from sijpath.domain.timeline import episode_as_of

D = dt.date


def episode(laterality: str | None = "left", **facts: Any) -> Episode:
    return Episode(patient=Patient(id="p"), pain=PainPresentation(laterality=laterality), **facts)  # type: ignore[arg-type]


def attribution(e: Episode):  # type: ignore[no-untyped-def]
    return attribute(e, episode_as_of(e, D(2026, 11, 1)).ref)


def injection(day: dt.date, side: str | None) -> TherapeuticInjection:
    return TherapeuticInjection(date=day, side=side)  # type: ignore[arg-type]


def test_a_bilateral_injection_is_in_both_joints_records_and_a_sided_one_in_its_own() -> None:
    left, both, right = (
        injection(D(2025, 1, 1), "left"),
        injection(D(2025, 3, 1), "bilateral"),
        injection(D(2025, 5, 1), "right"),
    )
    found = attribution(episode("bilateral", therapeutic_injections=(left, both, right)))
    assert found.joints["left"].injections == (left, both)
    assert found.joints["right"].injections == (both, right)
    assert found.assessed == ("left", "right")


def test_a_procedure_without_a_side_is_in_neither_joint_and_named_as_unattributed() -> None:
    unsided = injection(D(2025, 1, 1), None)
    found = attribution(episode("left", therapeutic_injections=(unsided,)))
    assert found.joints["left"].injections == () == found.joints["right"].injections
    assert found.unattributed == (("therapeutic_injections", unsided),)
    assert [(i.location, i.severity) for i in found.issues] == [("therapeutic_injections[0]", "warning")]
    assert "counts for neither joint" in found.issues[0].message


def test_only_the_painful_joint_is_assessed_and_the_other_sides_procedures_are_noted_as_not_used() -> None:
    found = attribution(episode("right", therapeutic_injections=(injection(D(2025, 1, 1), "left"),)))
    assert found.assessed == ("right",)
    assert found.issues[0].message.startswith("left joint, but the pain is right-sided")


def test_without_a_recorded_side_of_pain_both_joints_are_assessed() -> None:
    found = attribution(episode(None))
    assert found.assessed == ("left", "right")
    assert found.joints["left"].symptomatic is None


def test_a_fused_joint_is_assessed_even_when_the_pain_is_now_on_the_other_side() -> None:
    fused = Fusion(date=D(2023, 1, 10), side="left", cpt="27279")
    found = attribution(episode("right", fusions=(fused,)))
    assert found.assessed == ("left", "right")
    assert found.joints["left"].symptomatic is False


def test_an_unsided_examination_belongs_to_the_painful_joint_only_when_the_pain_is_one_sided() -> None:
    test = ProvocationTest(date=D(2025, 1, 1), test="faber", result="familiar-pain")
    fortin = FortinFingerTest(date=D(2025, 1, 1), positive=True)
    one_sided = attribution(episode("left", provocation_tests=(test,), fortin_tests=(fortin,)))
    assert one_sided.joints["left"].provocation_tests == (test,)
    assert one_sided.joints["right"].provocation_tests == ()
    both = attribution(episode("bilateral", provocation_tests=(test,), fortin_tests=(fortin,)))
    assert both.joints["left"].provocation_tests == () == both.joints["right"].fortin_tests


def test_si_joint_imaging_without_a_side_is_kept_apart_from_each_joints_own_studies() -> None:
    unsided = ImagingStudy(date=D(2025, 1, 1), modality="ct", region="sij", findings=("joint-space-widening",))
    right = ImagingStudy(date=D(2025, 2, 1), modality="ct", region="pelvis", side="right", findings=("normal",))
    lumbar = ImagingStudy(date=D(2025, 2, 1), modality="mri", region="lumbar", side="left", findings=("normal",))
    found = attribution(episode("bilateral", imaging=(unsided, right, lumbar)))
    assert found.joints["left"].imaging == ()
    assert found.joints["right"].imaging == (right,)
    assert found.joints["left"].unsided_imaging == (unsided,) == found.joints["right"].unsided_imaging


def test_an_unsided_follow_up_belongs_to_the_only_fused_joint_but_not_when_both_were_fused_apart() -> None:
    visit = PostOperativeFollowUp(date=D(2025, 6, 1), ct_bony_bridging=True)
    one = attribution(
        episode(
            "left", fusions=(Fusion(date=D(2025, 1, 1), side="left", cpt="27279"),), post_operative_follow_ups=(visit,)
        )
    )
    assert one.joints["left"].follow_ups == (visit,)
    two = attribution(
        episode(
            "bilateral",
            fusions=(
                Fusion(date=D(2024, 1, 1), side="left", cpt="27279"),
                Fusion(date=D(2025, 1, 1), side="right", cpt="27279"),
            ),
            post_operative_follow_ups=(visit,),
        )
    )
    assert two.joints["left"].follow_ups == () == two.joints["right"].follow_ups
    assert "both joints were fused separately" in two.issues[-1].message
