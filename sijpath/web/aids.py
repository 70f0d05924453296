"""What the web app needs of a patient decision aid: its page, questions and downloads, made for it by wiring.

The aid itself lives in `sijpath.decisionaid`, a package of the web app's own layer that it may not import; wiring
hands the app a `DecisionAidMaker` that builds one `DecisionAid` for a joint of an assessed episode.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sijpath.domain.episode import Episode
from sijpath.engine.assessment import Assessment
from sijpath.engine.ruleset import RuleSet

__all__ = ["Answers", "DecisionAid", "DecisionAidMaker", "answers_from_form"]

Answers = Mapping[str, Any]
"""The answers as plain data (values, sure, leaning, discussed_with); the aid validates them."""


class DecisionAid(Protocol):
    """One joint's decision aid, as the web app shows, records and downloads it."""

    @property
    def joint_key(self) -> str: ...

    @property
    def joint(self) -> str: ...

    @property
    def html(self) -> str:
        """The aid's content as escaped HTML blocks, pictures included (the page puts it inside its own layout)."""
        ...

    @property
    def leanings(self) -> tuple[tuple[str, str], ...]:
        """What the patient may lean toward: (option key, name) for each option shown, then not sure yet."""
        ...

    @property
    def value_questions(self) -> tuple[tuple[str, str], ...]: ...

    @property
    def importance(self) -> tuple[tuple[str, str], ...]:
        """The answers to a values question: (code, words)."""
        ...

    @property
    def sure_questions(self) -> tuple[tuple[str, str], ...]: ...

    def checked(self, answers: Answers) -> dict[str, Any]:
        """The answers validated for this aid (InputError naming the field otherwise), as JSON-ready data."""
        ...

    def answered(self, answers: Answers) -> tuple[tuple[str, str], ...]:
        """Each question with its answer in words ("not recorded" where none), then the SURE score and leaning."""
        ...

    def pdf(self) -> bytes: ...

    def note(self, answers: Answers) -> str:
        """The EHR note (Markdown) of the conversation, with these answers."""
        ...

    def fhir(self, answers: Answers) -> bytes:
        """The note as a FHIR DocumentReference and the answers as a QuestionnaireResponse, one Bundle (JSON)."""
        ...


DecisionAidMaker = Callable[[Assessment, RuleSet, Episode, str], DecisionAid]
"""The aid for one joint (`left` or `right`) of an assessed episode; NotFoundError for a joint not assessed."""


def answers_from_form(aid: DecisionAid, form: Mapping[str, list[str]]) -> dict[str, Any]:
    """The answers a form sent, as plain data: a blank choice is no answer (not recorded), never a default."""

    def one(name: str) -> str:
        return (form.get(name) or [""])[-1].strip()

    values = {key: one(f"value-{key}") for key, _ in aid.value_questions if one(f"value-{key}")}
    sure: dict[str, Any] = {}
    for key, _ in aid.sure_questions:
        text = one(f"sure-{key}")
        if text:
            # Anything but yes or no is passed on as given, so the aid's check names the field and the problem.
            sure[key] = {"yes": True, "no": False}.get(text, text)
    answers: dict[str, Any] = {"values": values, "sure": sure}
    if one("leaning"):
        answers["leaning"] = one("leaning")
    if one("discussed_with"):
        answers["discussed_with"] = one("discussed_with")
    return answers
