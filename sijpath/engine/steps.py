"""The pathway's next steps: stable codes, titles, the procedure each implies, and the pathway decision type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ACTIONS", "NEXT_STEPS", "Action", "Decision", "Position", "StepCode"]

StepCode = Literal[
    "gather-information",
    "diagnostic-block",
    "confirmatory-block",
    "evaluate-other-pain-sources",
    "therapeutic-injection",
    "conservative-care",
    "radiofrequency-ablation",
    "fusion-evaluation",
    "post-fusion-follow-up",
]

Position = Literal[
    "diagnosis",
    "confirmation",
    "other-pain-source",
    "non-surgical-care",
    "surgical-candidacy",
    "post-fusion",
]
"""Where the patient stands on the pathway (the assessment's `stage`)."""

# code → (title, CPT code of the procedure the step leads to, if any)
NEXT_STEPS: dict[str, tuple[str, str | None]] = {
    "gather-information": ("Gather the missing information", None),
    "diagnostic-block": ("Image-guided, anesthetic-only diagnostic SI-joint block", "27096"),
    "confirmatory-block": ("Second (confirmatory) diagnostic SI-joint block", "27096"),
    "evaluate-other-pain-sources": ("Evaluate other pain sources (lumbar spine, nerve root, hip)", None),
    "therapeutic-injection": ("Therapeutic SI-joint injection (corticosteroid)", "27096"),
    "conservative-care": ("Continue conservative care (physical therapy, medications)", None),
    "radiofrequency-ablation": ("Radiofrequency ablation of the SI-joint nerves", "64625"),
    "fusion-evaluation": ("Refer for minimally invasive SI-joint fusion evaluation", "27279"),
    "post-fusion-follow-up": ("Post-fusion follow-up", None),
}

# Actions that go alongside a next step (they never are the next step themselves).
ACTIONS: dict[str, str] = {
    "review-imaging": "Review imaging for other pain sources",
    "physical-therapy": "Physical therapy: core and pelvic stabilization",
    "medications": "Medication management (NSAIDs, muscle relaxants, neuropathic agents)",
    "steroid-review": "Review corticosteroid exposure before further injections",
    "discuss-fusion-risks": "Discuss the risks of fusion",
    "recovery-milestone": "Recovery milestone",
    "outcome-measures": "Record outcome measures (pain, ODI, opioid use, CT)",
}


@dataclass(frozen=True, slots=True)
class Action:
    """A recommended step with the reason for it, in the patient's own facts."""

    code: str
    rationale: str
    cites: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.code not in NEXT_STEPS and self.code not in ACTIONS:
            raise ValueError(f"unknown action code {self.code!r}")

    @property
    def title(self) -> str:
        return NEXT_STEPS[self.code][0] if self.code in NEXT_STEPS else ACTIONS[self.code]

    @property
    def procedure(self) -> str | None:
        return NEXT_STEPS[self.code][1] if self.code in NEXT_STEPS else None


@dataclass(frozen=True, slots=True)
class Decision:
    """Where the patient stands, the next step, and what else to do alongside it."""

    stage: Position
    next_step: Action
    other_actions: tuple[Action, ...] = ()
