"""The EHR note (Markdown) of a decision-aid conversation: aid used, options, the values and SURE answers."""

from __future__ import annotations

from sijpath.decisionaid.aid import NAMES, Aid
from sijpath.decisionaid.answers import IMPORTANCE, SURE_QUESTIONS, VALUE_QUESTIONS, AidAnswers
from sijpath.decisionaid.render import aid_readability
from sijpath.errors import InputError, Problem

__all__ = ["NOT_RECORDED", "check_leaning", "note_markdown", "sure_summary"]

NOT_RECORDED = "not recorded"


def check_leaning(aid: Aid, answers: AidAnswers) -> None:
    """The option the patient leans toward must be one the aid showed (or 'unsure'): never an option it held back."""
    shown = [option.key for option in aid.options]
    if answers.leaning is not None and answers.leaning != "unsure" and answers.leaning not in shown:
        allowed = ", ".join([*shown, "unsure"])
        raise InputError(
            f"decision-aid answers for the {aid.joint}",
            [Problem("leaning", f"{answers.leaning!r} is not an option this aid shows (one of: {allowed})")],
        )


def sure_summary(answers: AidAnswers) -> str:
    """The SURE score in words: `3 of 4 yes; ...` or that it is incomplete."""
    score = answers.sure_score
    if score is None:
        return f"SURE test incomplete ({len(answers.sure)} of {len(SURE_QUESTIONS)} answered)."
    ready = "all yes" if score == len(SURE_QUESTIONS) else "a 'no' suggests the patient is not yet ready to decide"
    return f"SURE score {score} of {len(SURE_QUESTIONS)} ({ready})."


def note_markdown(aid: Aid, answers: AidAnswers) -> str:
    """The note for the record: that shared decision-making took place, with what, and what the patient said."""
    check_leaning(aid, answers)
    out = [
        f"# Shared decision-making note: SI-joint pain, {aid.joint}",
        "",
        f"- Patient: {aid.patient_id}. Date: {aid.made_on.isoformat()}. Pathway stage: {aid.stage}.",
        f"- Rule set: {aid.ruleset}.",
        f"- Discussed with: {answers.discussed_with or NOT_RECORDED}.",
        f"- Decision aid: sijpath SI-joint patient decision aid (IPDAS self-checked); evidence reviewed "
        f"{aid.evidence_reviewed.isoformat()}, reviewed every {aid.review_every_months} months"
        f"{'; THE EVIDENCE REVIEW IS OVERDUE' if aid.evidence_stale else ''}.",
        f"- Reading level of the aid: {aid_readability(aid).describe()}.",
        f'- The aid told the patient: "{aid.statement}"',
        "",
    ]
    if aid.clarify:
        out += ["## No treatment options shown: to clarify first", "", *(f"- {c}" for c in aid.clarify), ""]
    else:
        out += [
            "## Options discussed",
            "",
            *(f"- {o.name} ({o.key}). {o.coverage} {o.code_note}".rstrip() for o in aid.options),
            "",
        ]
    if aid.not_offered:
        out += ["## Options not offered, and why", "", *(f"- {name}: {why}" for name, why in aid.not_offered), ""]
    out += ["## What matters to the patient", ""]
    out += [
        f"- {text} {IMPORTANCE[answers.values[key]] if key in answers.values else NOT_RECORDED}."
        for key, text in VALUE_QUESTIONS
    ]
    out += ["", "## SURE test", ""]
    out += [
        f"- {text} {('yes' if answers.sure[key] else 'no') if key in answers.sure else NOT_RECORDED}."
        for key, text in SURE_QUESTIONS
    ]
    out += ["", sure_summary(answers), "", "## The patient's leaning", ""]
    leaning = answers.leaning
    out.append(f"- {NAMES.get(leaning, leaning) if leaning else NOT_RECORDED}.")
    return "\n".join([*out, ""])
