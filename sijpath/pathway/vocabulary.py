"""The SI-joint pathway's words: its stages, next steps, actions alongside them, and the one procedure-code table."""

from __future__ import annotations

from typing import Literal

from sijpath.engine.decision import Procedure, Step

__all__ = [
    "ACTIONS",
    "CONFIRMATORY_BLOCK",
    "CONSERVATIVE_CARE",
    "DIAGNOSTIC_BLOCK",
    "FUSION_EVALUATION",
    "GATHER_INFORMATION",
    "NEXT_STEPS",
    "OTHER_PAIN_SOURCES",
    "POSITIONS",
    "POST_FUSION_FOLLOW_UP",
    "PROCEDURES",
    "RADIOFREQUENCY_ABLATION",
    "RECORD_SIDE",
    "RED_FLAG_WORK_UP",
    "RULE_STAGES",
    "STEPS_FOR_PROCEDURE",
    "THERAPEUTIC_INJECTION",
    "RuleStage",
]

NON_SURGICAL = "non-surgical-care"  # the stage of non-surgical care, where many decision rows sit
RuleStage = Literal["diagnosis", "confirmation", "non-surgical-care", "surgical-candidacy", "post-fusion"]
RULE_STAGES: tuple[RuleStage, ...] = (
    "diagnosis",
    "confirmation",
    "non-surgical-care",
    "surgical-candidacy",
    "post-fusion",
)
"""The stages rules belong to; a joint's stages decide which rules are evaluated for it."""

POSITIONS = (
    "red-flags",
    "diagnosis",
    "confirmation",
    "other-pain-source",
    "non-surgical-care",
    "surgical-candidacy",
    "post-fusion",
)
"""Where a joint stands on the pathway (the assessment's `stage`)."""


def _procedure(code: str, description: str, kind: str) -> Procedure:
    return Procedure(code, description, kind)


# CPT/HCPCS descriptors as in the reference notes (shared/reference/clinical-criteria.md §7.2); the one place
# sijpath states what a code means.
PROCEDURES: dict[str, Procedure] = {
    p.code: p
    for p in (
        _procedure(
            "27096",
            "Injection procedure for sacroiliac joint, anesthetic/steroid, with image guidance (fluoroscopy or CT) "
            "including arthrography when performed",
            "injection",
        ),
        _procedure(
            "G0260",
            "Injection procedure for sacroiliac joint; provision of anesthetic, steroid and/or other therapeutic "
            "agent, with or without arthrography (ASC/OPPS)",
            "injection",
        ),
        _procedure(
            "64451",
            "Injection(s), anesthetic and/or steroid, nerves innervating the sacroiliac joint, with image guidance "
            "(fluoroscopy or CT)",
            "injection",
        ),
        _procedure(
            "64625",
            "Radiofrequency ablation, nerves innervating the sacroiliac joint, with image guidance (fluoroscopy or CT)",
            "ablation",
        ),
        _procedure(
            "27279",
            "Arthrodesis, sacroiliac joint, percutaneous or minimally invasive (indirect visualization), with image "
            "guidance, includes obtaining bone graft when performed, and placement of transfixing device",
            "fusion",
        ),
        _procedure(
            "27280",
            "Arthrodesis, open, sacroiliac joint, includes obtaining bone graft, including instrumentation, when "
            "performed",
            "fusion",
        ),
        _procedure(
            "27278",
            "Arthrodesis, sacroiliac joint, percutaneous, with image guidance, including placement of intra-articular "
            "implant(s) (eg, bone allograft[s], synthetic device[s]), without placement of transfixation device",
            "fusion",
        ),
    )
}

GATHER_INFORMATION = Step("gather-information", "Record the missing information", "recording the missing information")
RECORD_SIDE = Step(
    "record-side",
    "Record which side: of the pain, and of every SI-joint procedure",
    "recording the side of the pain and of every SI-joint procedure",
)
RED_FLAG_WORK_UP = Step(
    "red-flag-work-up",
    "Consider working up the red flag before any SI-joint procedure",
    "working up the red flag before any SI-joint procedure",
)
DIAGNOSTIC_BLOCK = Step(
    "diagnostic-block",
    "Consider an image-guided, anesthetic-only diagnostic SI-joint block",
    "an image-guided, anesthetic-only diagnostic SI-joint block",
    PROCEDURES["27096"],
)
CONFIRMATORY_BLOCK = Step(
    "confirmatory-block",
    "Consider a confirmatory diagnostic SI-joint block",
    "a confirmatory diagnostic SI-joint block",
    PROCEDURES["27096"],
)
OTHER_PAIN_SOURCES = Step(
    "evaluate-other-pain-sources",
    "Consider other pain sources (lumbar spine, nerve root, hip)",
    "evaluating other pain sources (lumbar spine, nerve root, hip)",
)
THERAPEUTIC_INJECTION = Step(
    "therapeutic-injection",
    "Consider a therapeutic SI-joint injection (corticosteroid)",
    "a therapeutic SI-joint injection (corticosteroid)",
    PROCEDURES["27096"],
)
CONSERVATIVE_CARE = Step(
    "conservative-care",
    "Consider continuing conservative care (physical therapy, medications)",
    "continuing conservative care (physical therapy, medications)",
)
RADIOFREQUENCY_ABLATION = Step(
    "radiofrequency-ablation",
    "Consider radiofrequency ablation of the SI-joint nerves",
    "radiofrequency ablation of the SI-joint nerves",
    PROCEDURES["64625"],
)
FUSION_EVALUATION = Step(
    "fusion-evaluation",
    "Consider referral for a minimally invasive SI-joint fusion evaluation",
    "referral for a minimally invasive SI-joint fusion evaluation",
    PROCEDURES["27279"],
)
FUSION_FAILURE_WORK_UP = Step(
    "fusion-failure-work-up",
    "Consider working up the painful fusion (CT, pain source, revision)",
    "working up the painful fusion (CT, pain source, revision)",
)
POST_FUSION_FOLLOW_UP = Step(
    "post-fusion-follow-up", "Consider routine post-fusion follow-up", "routine post-fusion follow-up"
)

NEXT_STEPS: tuple[Step, ...] = (
    GATHER_INFORMATION,
    RECORD_SIDE,
    RED_FLAG_WORK_UP,
    DIAGNOSTIC_BLOCK,
    CONFIRMATORY_BLOCK,
    OTHER_PAIN_SOURCES,
    THERAPEUTIC_INJECTION,
    CONSERVATIVE_CARE,
    RADIOFREQUENCY_ABLATION,
    FUSION_EVALUATION,
    FUSION_FAILURE_WORK_UP,
    POST_FUSION_FOLLOW_UP,
)


def _action(code: str, title: str) -> Step:
    return Step(code, title, title[:1].lower() + title[1:], alongside_only=True)


REVIEW_IMAGING = _action("review-imaging", "Consider reviewing imaging for other pain sources")
PHYSICAL_THERAPY = _action("physical-therapy", "Consider physical therapy: core and pelvic stabilization")
MEDICATIONS = _action("medications", "Consider medication management (NSAIDs, muscle relaxants, neuropathic agents)")
STEROID_REVIEW = _action("steroid-review", "Consider reviewing corticosteroid exposure before further injections")
DISCUSS_FUSION_RISKS = _action("discuss-fusion-risks", "Discuss the risks of fusion")
RECOVERY_MILESTONE = _action("recovery-milestone", "Recovery milestone")
OUTCOME_MEASURES = _action("outcome-measures", "Record outcome measures (pain, ODI, opioid use, CT)")
SMOKING_CESSATION = _action("smoking-cessation", "Consider smoking cessation support")
RADICULOPATHY_ALONGSIDE = _action(
    "radiculopathy-alongside", "Consider working up and treating the lumbar radiculopathy alongside"
)
EXCLUSION_WORK_UP = _action(
    "exclusion-work-up", "Consider working up the condition that excludes fusion before fusion is reconsidered"
)
ABLATION_UNLIKELY = _action(
    "ablation-unlikely-to-help", "Consider that radiofrequency ablation is unlikely to help this joint"
)

ACTIONS: tuple[Step, ...] = (
    REVIEW_IMAGING,
    PHYSICAL_THERAPY,
    MEDICATIONS,
    STEROID_REVIEW,
    DISCUSS_FUSION_RISKS,
    RECOVERY_MILESTONE,
    OUTCOME_MEASURES,
    SMOKING_CESSATION,
    RADICULOPATHY_ALONGSIDE,
    ABLATION_UNLIKELY,
    EXCLUSION_WORK_UP,
)

# The steps a request for a procedure code is a request for, by the kind of procedure: a gap report for an
# injection code covers every injection step (diagnostic, confirmatory, therapeutic).
STEPS_FOR_PROCEDURE: dict[str, tuple[Step, ...]] = {
    code: tuple(s for s in NEXT_STEPS if s.procedure is not None and s.procedure.kind == procedure.kind)
    for code, procedure in PROCEDURES.items()
}
