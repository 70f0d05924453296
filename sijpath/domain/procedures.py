"""Procedures on the SI joint: diagnostic blocks, therapeutic injections, radiofrequency ablation, fusion."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, model_validator

from sijpath.domain.base import ClinicalDate, FactId, Guidance, Nrs, Percent, Side, Vocabulary

SIDE_FIELD = "Which SI joint(s): left, right or bilateral; null when the record does not say (never assumed)."

__all__ = [
    "Anesthetic",
    "DiagnosticBlock",
    "FollowUpPain",
    "Fusion",
    "LateralBranchBlock",
    "PostOperativeFollowUp",
    "RadiofrequencyAblation",
    "SteroidDose",
    "TherapeuticInjection",
]

LocalAnesthetic = Literal["lidocaine", "bupivacaine", "ropivacaine", "levobupivacaine", "mepivacaine"]
Corticosteroid = Literal["methylprednisolone", "triamcinolone", "betamethasone", "dexamethasone"]


class Anesthetic(Vocabulary):
    """A local anesthetic in an injectate."""

    drug: LocalAnesthetic
    concentration_percent: Annotated[float, Field(strict=True, gt=0, le=10)] | None = None
    volume_ml: Annotated[float, Field(strict=True, gt=0, le=50)] | None = None


class SteroidDose(Vocabulary):
    """A corticosteroid in an injectate, with its dose in milligrams."""

    drug: Corticosteroid
    dose_mg: Annotated[float, Field(strict=True, gt=0, le=1000)]


class DiagnosticBlock(Vocabulary):
    """An intra-articular SI-joint block given to test whether the joint is the pain generator.

    Relief is read from the pre- and post-block scores on the same 0–10 scale; the post score must be taken
    while the anesthetic is still active (`post_block_minutes` after the injection).
    """

    fact_name: ClassVar[str] = "diagnostic block"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = Field(default=None, description=SIDE_FIELD)
    guidance: Guidance | None = Field(default=None, description="How the needle was guided; null when not recorded.")
    contrast: StrictBool | None = None
    anesthetics: Annotated[tuple[Anesthetic, ...], Field(min_length=1)]
    steroids: tuple[SteroidDose, ...] = ()
    pre_block_nrs: Nrs | None = None
    post_block_nrs: Nrs | None = None
    post_block_minutes: Annotated[int, Field(strict=True, ge=0, le=7 * 24 * 60)] | None = None


class FollowUpPain(Vocabulary):
    """A pain score some time after an injection (a pain diary entry or a follow-up visit)."""

    date: ClinicalDate
    nrs: Nrs


class TherapeuticInjection(Vocabulary):
    """A therapeutic intra-articular SI-joint injection (corticosteroid, usually with anesthetic).

    Relief duration comes from `relief_duration_days` when reported, else from the follow-up scores.
    """

    fact_name: ClassVar[str] = "therapeutic injection"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = Field(default=None, description=SIDE_FIELD)
    guidance: Guidance | None = Field(default=None, description="How the needle was guided; null when not recorded.")
    steroid: SteroidDose | None = None
    anesthetic: Anesthetic | None = None
    relief_percent: Percent | None = None
    relief_duration_days: Annotated[int, Field(strict=True, ge=0, le=3650)] | None = None
    functional_improvement: bool | None = Field(
        default=None,
        description="Whether function improved (or medication or service use fell) after the injection; null when "
        "not recorded.",
    )
    functional_improvement_days: Annotated[int, Field(strict=True, ge=0, le=3650)] | None = Field(
        default=None,
        description="How many days function stayed improved after the injection (it may outlast the pain relief); "
        "null when not recorded.",
    )
    pre_injection_nrs: Nrs | None = None
    follow_up: tuple[FollowUpPain, ...] = ()

    @model_validator(mode="after")
    def _follow_up_after_injection(self) -> TherapeuticInjection:
        for index, entry in enumerate(self.follow_up):
            if entry.date < self.date:
                raise ValueError(f"follow_up[{index}] is dated {entry.date}, before the injection on {self.date}")
        return self


class LateralBranchBlock(Vocabulary):
    """A block of the nerves that supply the SI joint (L5 dorsal ramus and sacral lateral branches, CPT 64451),
    given to test whether radiofrequency ablation of those nerves may help.

    Relief is read from the pre- and post-block scores on the same 0–10 scale, like an intra-articular block.
    """

    fact_name: ClassVar[str] = "lateral branch block"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = Field(default=None, description=SIDE_FIELD)
    guidance: Guidance | None = Field(default=None, description="How the needles were guided; null when not recorded.")
    anesthetics: Annotated[tuple[Anesthetic, ...], Field(min_length=1)]
    steroids: tuple[SteroidDose, ...] = Field(
        default=(),
        description="Corticosteroids given with the block (CPT 64451 allows them): counted in steroid exposure, "
        "and a block with one is not anesthetic-only, so its relief does not count as diagnostic.",
    )
    pre_block_nrs: Nrs | None = None
    post_block_nrs: Nrs | None = None
    post_block_minutes: Annotated[int, Field(strict=True, ge=0, le=7 * 24 * 60)] | None = None


class RadiofrequencyAblation(Vocabulary):
    """Radiofrequency ablation of the nerves that supply the SI joint."""

    fact_name: ClassVar[str] = "radiofrequency ablation"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = Field(default=None, description=SIDE_FIELD)
    technique: Literal["conventional", "cooled", "pulsed", "other"] | None = Field(
        default=None, description="Conventional (thermal), cooled, pulsed or other; null when not recorded."
    )
    relief_percent: Percent | None = None
    relief_duration_days: Annotated[int, Field(strict=True, ge=0, le=3650)] | None = None


class Fusion(Vocabulary):
    """SI-joint fusion (arthrodesis)."""

    fact_name: ClassVar[str] = "fusion"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = Field(default=None, description=SIDE_FIELD)
    cpt: Literal["27279", "27280", "27278"]
    approach: Literal["lateral", "posterior", "posterolateral", "open"] | None = None
    implants: str | None = Field(default=None, description="Implant system and count, free text.")
    implant_count: Annotated[int, Field(strict=True, ge=1, le=10)] | None = None
    transfixing: StrictBool | None = Field(default=None, description="Implants cross (transfix) the joint.")


class PostOperativeFollowUp(Vocabulary):
    """A visit after fusion: pain, disability, opioid use and CT evidence of bony bridging.

    `side` names the fused joint the visit concerns; without it the visit belongs to the patient's only fused joint,
    and is not used when both joints were fused separately.
    """

    fact_name: ClassVar[str] = "post-operative follow-up"

    id: FactId = None
    date: ClinicalDate
    side: Side | None = Field(default=None, description=SIDE_FIELD)
    nrs: Nrs | None = None
    odi_percent: Percent | None = None
    taking_opioids: StrictBool | None = None
    ct_bony_bridging: StrictBool | None = None
    weight_bearing: Literal["assisted", "cane", "independent"] | None = None
