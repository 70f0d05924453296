"""The values-clarification and SURE questions by id, and a patient's answers to them as the clinician records them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sijpath.errors import InputError, Problem

__all__ = [
    "IMPORTANCE",
    "SURE_QUESTIONS",
    "VALUE_QUESTIONS",
    "AidAnswers",
    "parse_answers",
]

Importance = Literal["not-at-all", "a-little", "somewhat", "a-lot"]
ValueId = Literal["avoid-surgery", "reversible", "recovery-time", "more-treatment", "cost"]
SureId = Literal["sure-of-myself", "understand-information", "risk-benefit-ratio", "encouragement"]

# Which features matter most to the patient (IPDAS values clarification), each answered on one four-step scale.
VALUE_QUESTIONS: tuple[tuple[ValueId, str], ...] = (
    ("avoid-surgery", "How much does it matter to you to avoid surgery?"),
    ("reversible", "How much does it matter that a choice can be undone?"),
    ("recovery-time", "How much time could you take off to recover?"),
    ("more-treatment", "How much does the chance of needing more treatment later worry you?"),
    ("cost", "How much does cost to you matter?"),
)
IMPORTANCE: dict[str, str] = {
    "not-at-all": "not at all",
    "a-little": "a little",
    "somewhat": "somewhat",
    "a-lot": "a lot",
}
# The SURE test (Légaré et al.): four yes/no questions; a "no" to any suggests the patient is not yet ready to decide.
SURE_QUESTIONS: tuple[tuple[SureId, str], ...] = (
    ("sure-of-myself", "Sure of myself: Do you feel sure about the best choice for you?"),
    ("understand-information", "Understand information: Do you know the benefits and risks of each option?"),
    ("risk-benefit-ratio", "Risk-benefit ratio: Are you clear about which benefits and risks matter most to you?"),
    ("encouragement", "Encouragement: Do you have enough support and advice to make a choice?"),
)


class AidAnswers(BaseModel):
    """What the patient answered, as recorded by the clinician; every part may be left out (not recorded)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    values: dict[ValueId, Importance] = Field(default_factory=dict)
    sure: dict[SureId, bool] = Field(default_factory=dict)
    leaning: str | None = Field(
        default=None, description="The option the patient leans toward (an option key shown in the aid), or 'unsure'."
    )
    discussed_with: str | None = Field(default=None, max_length=200, description="Who discussed the aid with them.")

    @property
    def sure_score(self) -> int | None:
        """Yes answers of the four SURE questions, or None until all four are answered."""
        if len(self.sure) < len(SURE_QUESTIONS):
            return None
        return sum(self.sure.values())

    @property
    def complete(self) -> bool:
        return len(self.values) == len(VALUE_QUESTIONS) and self.sure_score is not None


def parse_answers(data: Mapping[str, Any] | None, origin: str) -> AidAnswers:
    """Validate answers read from `origin` (a file name, for the message); an empty document is no answers yet."""
    if data is None:
        return AidAnswers()
    try:
        return AidAnswers.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in error["loc"]), error["msg"]) for error in exc.errors(include_url=False)
        ]
        raise InputError(f"{origin}: not valid decision-aid answers", problems) from None
