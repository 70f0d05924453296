"""Hypothesis strategies for whole episodes: varied, sometimes implausible, always schema-valid."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse, SupportiveCareCourse
from sijpath.domain.episode import Episode, Patient
from sijpath.domain.findings import FunctionalStatus, FusionContraindication, ImagingStudy, OdiScore, PainPresentation
from sijpath.domain.procedures import (
    Anesthetic,
    DiagnosticBlock,
    Fusion,
    LateralBranchBlock,
    PostOperativeFollowUp,
    RadiofrequencyAblation,
    SteroidDose,
    TherapeuticInjection,
)

AS_OF = dt.date(2026, 11, 1)
START = dt.date(2023, 1, 1)

dates = st.dates(START, AS_OF)
nrs = st.integers(0, 10).map(float)
optional_bool = st.sampled_from([None, True, False])

SIDES = st.sampled_from(["left", "right", "bilateral", None])


def blocks(side: st.SearchStrategy[str | None] = SIDES) -> st.SearchStrategy[DiagnosticBlock]:
    return _blocks(side)


def _blocks(side: st.SearchStrategy[str | None]) -> st.SearchStrategy[DiagnosticBlock]:
    return st.builds(
        DiagnosticBlock,
        date=dates,
        side=side,
        guidance=st.sampled_from(["fluoroscopy", "ct", "ultrasound", "none"]),
        contrast=optional_bool,
        anesthetics=st.lists(
            st.builds(Anesthetic, drug=st.sampled_from(["lidocaine", "bupivacaine", "ropivacaine"])),
            min_size=1,
            max_size=2,
        ).map(tuple),
        steroids=st.lists(st.builds(SteroidDose, drug=st.just("triamcinolone"), dose_mg=st.just(40.0)), max_size=1).map(
            tuple
        ),
        pre_block_nrs=st.one_of(st.none(), nrs),
        post_block_nrs=st.one_of(st.none(), nrs),
        post_block_minutes=st.one_of(st.none(), st.integers(0, 600)),
    )


def lateral_branch_blocks(side: st.SearchStrategy[str | None] = SIDES) -> st.SearchStrategy[LateralBranchBlock]:
    return st.builds(
        LateralBranchBlock,
        date=dates,
        side=side,
        guidance=st.sampled_from(["fluoroscopy", "ct", "fluoroscopy-or-ct", "ultrasound", None]),
        anesthetics=st.lists(
            st.builds(Anesthetic, drug=st.sampled_from(["lidocaine", "bupivacaine"])), min_size=1, max_size=1
        ).map(tuple),
        # One cheap draw: a steroid given with the block, or none.
        steroids=st.sampled_from([(), (SteroidDose(drug="dexamethasone", dose_mg=4.0),)]),
        pre_block_nrs=st.one_of(st.none(), nrs),
        post_block_nrs=st.one_of(st.none(), nrs),
        post_block_minutes=st.one_of(st.none(), st.integers(0, 600)),
    )


def injections(side: st.SearchStrategy[str | None] = SIDES) -> st.SearchStrategy[TherapeuticInjection]:
    return st.builds(
        TherapeuticInjection,
        date=dates,
        side=side,
        steroid=st.one_of(
            st.none(),
            st.builds(
                SteroidDose,
                drug=st.sampled_from(["triamcinolone", "betamethasone", "dexamethasone"]),
                dose_mg=st.sampled_from([4.0, 6.0, 40.0, 80.0]),
            ),
        ),
        relief_percent=st.one_of(st.none(), st.integers(0, 100).map(float)),
        relief_duration_days=st.one_of(st.none(), st.integers(0, 365)),
    )


def imaging(side: st.SearchStrategy[str | None] = SIDES) -> st.SearchStrategy[ImagingStudy]:
    return st.builds(
        ImagingStudy,
        date=dates,
        modality=st.sampled_from(["xray", "ct", "mri"]),
        region=st.sampled_from(["sij", "pelvis", "lumbar", "hip"]),
        side=side,
        findings=st.sampled_from(
            [
                ("normal",),
                ("joint-space-widening",),
                ("joint-disruption", "subchondral-sclerosis"),
                ("lumbar-stenosis-or-disc-herniation",),
                ("inflammatory-sacroiliitis",),
            ]
        ),
    )


@st.composite
def courses(
    draw: st.DrawFn, kind: type[PhysicalTherapyCourse] | type[MedicationCourse] | type[SupportiveCareCourse]
) -> object:
    start = draw(dates)
    end = draw(st.one_of(st.none(), st.dates(start, AS_OF)))
    if kind is SupportiveCareCourse:
        kinds = st.sampled_from(["bracing", "activity-modification"])
        return SupportiveCareCourse(start_date=start, end_date=end, kind=draw(kinds))
    if kind is MedicationCourse:
        return MedicationCourse(start_date=start, end_date=end, drug_class=draw(st.sampled_from(["nsaid", "opioid"])))
    return PhysicalTherapyCourse(
        start_date=start, end_date=end, setting=draw(st.sampled_from(["supervised", "home-program", None]))
    )


@st.composite
def episodes(
    draw: st.DrawFn, with_fusion: bool | None = None, one_sided: bool | None = None, bilateral: bool = False
) -> Episode:
    """An episode; `one_sided` (drawn when None) puts every procedure and SI-joint study on the painful side, the
    way most real records are, so deep stages of the pathway are reached; otherwise sides are drawn per fact.
    `bilateral`: pain on both sides and every fact's side recorded (left, right or bilateral)."""
    fused = draw(st.booleans()) if with_fusion is None else with_fusion
    coherent = False if bilateral else (draw(st.booleans()) if one_sided is None else one_sided)
    pain_side = "bilateral" if bilateral else (draw(st.sampled_from(["left", "right"])) if coherent else draw(SIDES))
    side = st.just(pain_side) if coherent else (st.sampled_from(["left", "right", "bilateral"]) if bilateral else SIDES)
    return Episode(
        patient=Patient(id="generated"),
        pain=PainPresentation(
            onset_date=draw(st.one_of(st.none(), dates)),
            below_l5=draw(optional_bool),
            radiates_below_knee=draw(optional_bool),
            laterality=pain_side,
        ),
        odi_scores=tuple(
            draw(st.lists(st.builds(OdiScore, date=dates, percent=st.integers(0, 100).map(float)), max_size=2))
        ),
        imaging=tuple(draw(st.lists(imaging(side), max_size=3))),
        diagnostic_blocks=tuple(draw(st.lists(blocks(side), max_size=3))),
        therapeutic_injections=tuple(draw(st.lists(injections(side), max_size=5))),
        lateral_branch_blocks=tuple(draw(st.lists(lateral_branch_blocks(side), max_size=2))),
        radiofrequency_ablations=tuple(
            draw(
                st.lists(
                    st.builds(
                        RadiofrequencyAblation,
                        date=dates,
                        side=side,
                        technique=st.sampled_from(["conventional", "cooled", None]),
                        relief_percent=st.one_of(st.none(), st.integers(0, 100).map(float)),
                        relief_duration_days=st.one_of(st.none(), st.integers(0, 400)),
                    ),
                    max_size=1,
                )
            )
        ),
        physical_therapy=tuple(draw(st.lists(courses(PhysicalTherapyCourse), max_size=2))),
        medications=tuple(draw(st.lists(courses(MedicationCourse), max_size=2))),
        supportive_care=tuple(draw(st.lists(courses(SupportiveCareCourse), max_size=2))),
        functional_status=tuple(
            draw(
                st.lists(
                    st.builds(
                        FunctionalStatus,
                        date=dates,
                        work=st.sampled_from([None, "full-duty", "restricted", "unable"]),
                        adl_limited=optional_bool,
                    ),
                    max_size=1,
                )
            )
        ),
        contraindications=tuple(
            draw(
                st.lists(
                    st.builds(
                        FusionContraindication,
                        date=dates,
                        kind=st.sampled_from(
                            ["generalized-pain-disorder", "infection", "tumor", "inflammatory-arthropathy"]
                        ),
                    ),
                    max_size=1,
                )
            )
        ),
        contraindications_reviewed_on=draw(st.one_of(st.none(), dates)),
        fusions=(Fusion(date=draw(dates), side=draw(side), cpt="27279", approach="lateral"),) if fused else (),
        post_operative_follow_ups=tuple(
            draw(
                st.lists(
                    st.builds(
                        PostOperativeFollowUp,
                        date=dates,
                        nrs=st.one_of(st.none(), nrs),
                        taking_opioids=optional_bool,
                        ct_bony_bridging=optional_bool,
                    ),
                    max_size=2,
                )
            )
        )
        if fused
        else (),
    )
