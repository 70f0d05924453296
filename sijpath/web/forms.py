"""Forms that add facts: parsed into the domain model, with messages that name the form field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from sijpath.domain.care import PhysicalTherapyCourse, SupportiveCareCourse
from sijpath.domain.document import problems_from_validation
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.findings import ImagingStudy
from sijpath.domain.procedures import DiagnosticBlock, LateralBranchBlock, TherapeuticInjection
from sijpath.errors import EpisodeValidationError, NotFoundError, Problem

__all__ = ["FACT_FORMS", "FACT_LIST_NAMES", "FactForm", "FormData", "add_fact", "form_text", "form_version"]

FormData = Mapping[str, Sequence[str]]
"""A submitted form: every field with all its values (checkbox groups send several)."""


def form_text(form: FormData, name: str) -> str:
    values = form.get(name, ())
    return values[-1].strip() if values else ""


def _number(form: FormData, name: str, problems: list[Problem], whole: bool = False) -> float | int | None:
    text = form_text(form, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(name, f"{text!r} is not a number"))
        return None
    if whole:
        if not value.is_integer():
            problems.append(Problem(name, "give a whole number"))
            return None
        return int(value)
    return value


def _date(form: FormData, name: str, problems: list[Problem], required: bool = True) -> dt.date | None:
    text = form_text(form, name)
    if not text and not required:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, "give a date (YYYY-MM-DD)"))
        return None


def form_version(form: FormData) -> int:
    text = form_text(form, "version")
    if not (text.isascii() and text.isdigit() and len(text) <= 18):  # a version the database can hold
        raise EpisodeValidationError("the form lacks the version it was opened at; reload the page")
    return int(text)


def _side(form: FormData, problems: list[Problem]) -> str | None:
    """The side of a procedure is chosen, never defaulted: a block on the wrong side counts for the wrong joint."""
    side = form_text(form, "side")
    if not side:
        problems.append(Problem("side", "choose the side of the joint (left, right or bilateral)"))
        return None
    return side


def _block(form: FormData, problems: list[Problem]) -> dict[str, Any]:
    return {
        "date": _date(form, "date", problems),
        "side": _side(form, problems),
        "guidance": form_text(form, "guidance") or None,
        "contrast": {"yes": True, "no": False}.get(form_text(form, "contrast")),
        "anesthetics": [{"drug": form_text(form, "anesthetic")}],
        "pre_block_nrs": _number(form, "pre_block_nrs", problems),
        "post_block_nrs": _number(form, "post_block_nrs", problems),
        "post_block_minutes": _number(form, "post_block_minutes", problems, whole=True),
    }


def _lateral_branch_block(form: FormData, problems: list[Problem]) -> dict[str, Any]:
    fields = _block(form, problems)
    del fields["contrast"]  # a lateral branch block is not an arthrogram
    steroid = _steroid(form, problems)  # CPT 64451 allows a steroid: it counts in exposure
    fields["steroids"] = [steroid] if steroid else []
    return fields


def _steroid(form: FormData, problems: list[Problem]) -> dict[str, Any] | None:
    """The corticosteroid and its dose in mg, both or neither."""
    steroid, dose = form_text(form, "steroid"), _number(form, "steroid_dose_mg", problems)
    if steroid and dose is None and not any(p.location == "steroid_dose_mg" for p in problems):
        problems.append(Problem("steroid_dose_mg", "give the corticosteroid dose in mg"))
    if not steroid and form_text(form, "steroid_dose_mg"):
        # A dose is never dropped quietly: either the corticosteroid was left unchosen or the dose is a slip.
        problems.append(
            Problem("steroid", "a dose is given but no corticosteroid: choose the corticosteroid, or clear the dose")
        )
    return {"drug": steroid, "dose_mg": dose} if steroid and dose is not None else None


def _injection(form: FormData, problems: list[Problem]) -> dict[str, Any]:
    anesthetic = form_text(form, "anesthetic")
    return {
        "date": _date(form, "date", problems),
        "side": _side(form, problems),
        "guidance": form_text(form, "guidance") or None,
        "steroid": _steroid(form, problems),
        "anesthetic": {"drug": anesthetic} if anesthetic else None,
        "pre_injection_nrs": _number(form, "pre_injection_nrs", problems),
        "relief_percent": _number(form, "relief_percent", problems),
        "relief_duration_days": _number(form, "relief_duration_days", problems, whole=True),
    }


def _course_dates(form: FormData, problems: list[Problem]) -> tuple[dt.date | None, dt.date | None]:
    """A course's start (required) and end (empty while it goes on), the end not before the start."""
    start, end = _date(form, "start_date", problems), _date(form, "end_date", problems, required=False)
    if start and end and end < start:
        problems.append(Problem("end_date", f"the course ends ({end}) before it starts ({start})"))
    return start, end


def _therapy(form: FormData, problems: list[Problem]) -> dict[str, Any]:
    start, end = _course_dates(form, problems)
    return {
        "start_date": start,
        "end_date": end,
        "sessions": _number(form, "sessions", problems, whole=True),
        "setting": form_text(form, "setting") or None,
        "focus": [f for f in form.get("focus", ()) if f],
    }


def _supportive(form: FormData, problems: list[Problem]) -> dict[str, Any]:
    start, end = _course_dates(form, problems)
    return {"kind": form_text(form, "course_kind") or None, "start_date": start, "end_date": end}


def _imaging(form: FormData, problems: list[Problem]) -> dict[str, Any]:
    findings = [f for f in form.get("findings", ()) if f]
    if not findings:
        problems.append(Problem("findings", "tick at least one finding (or normal)"))
    return {
        "date": _date(form, "date", problems),
        "modality": form_text(form, "modality"),
        "region": form_text(form, "region"),
        "side": form_text(form, "side") or None,
        "findings": findings,
    }


FACT_LIST_NAMES = frozenset(entry.name for entry in FACT_LISTS)


@dataclass(frozen=True, slots=True)
class FactForm:
    """One kind of fact a clinician can add from the patient page."""

    list_name: str
    model: type[BaseModel]
    fields: Callable[[FormData, list[Problem]], dict[str, Any]]
    noun: str
    action: str  # the audit trail's name for the addition
    renames: Mapping[str, str]  # a model field path → the form field that sets it


FACT_FORMS: dict[str, FactForm] = {
    "blocks": FactForm(
        "diagnostic_blocks",
        DiagnosticBlock,
        _block,
        "diagnostic block",
        "add-block",
        {"anesthetics[0].drug": "anesthetic", "anesthetics": "anesthetic"},
    ),
    "lateral-branch-blocks": FactForm(
        "lateral_branch_blocks",
        LateralBranchBlock,
        _lateral_branch_block,
        "lateral branch block",
        "add-lateral-branch-block",
        {"anesthetics[0].drug": "anesthetic", "anesthetics": "anesthetic"},
    ),
    "injections": FactForm(
        "therapeutic_injections",
        TherapeuticInjection,
        _injection,
        "therapeutic injection",
        "add-injection",
        {"steroid.drug": "steroid", "steroid.dose_mg": "steroid_dose_mg", "anesthetic.drug": "anesthetic"},
    ),
    "therapy": FactForm(
        "physical_therapy", PhysicalTherapyCourse, _therapy, "physical-therapy course", "add-therapy", {}
    ),
    "supportive-care": FactForm(
        "supportive_care",
        SupportiveCareCourse,
        _supportive,
        "bracing or activity-modification course",
        "add-supportive-care",
        {"kind": "course_kind"},
    ),
    "imaging": FactForm("imaging", ImagingStudy, _imaging, "imaging study", "add-imaging", {}),
}


def _within_life(fields: Mapping[str, Any], episode: Episode, today: dt.date, problems: list[Problem]) -> None:
    """Every date of a fact lies between the patient's birth (when recorded) and today: a fact from the future or
    from before birth is a typing slip, and would count in (or hide from) the assessment as if true."""
    birth = episode.patient.birth_date
    for name in ("date", "start_date", "end_date"):
        day = fields.get(name)
        if not isinstance(day, dt.date) or any(p.location == name for p in problems):
            continue
        if day > today:
            problems.append(Problem(name, f"{day} is after today ({today}): give the date it happened"))
        elif birth is not None and day < birth:
            problems.append(Problem(name, f"{day} is before the patient's birth date ({birth})"))


def add_fact(episode: Episode, kind: str, form: FormData, today: dt.date) -> tuple[Episode, int]:
    """The episode with one more fact of this kind, and the version the form was opened at; `today` (the web
    layer's clock) bounds the dates."""
    spec = FACT_FORMS.get(kind)
    if spec is None:
        raise NotFoundError(f"no form for `{kind}`")
    problems: list[Problem] = []
    fields = spec.fields(form, problems)
    _within_life(fields, episode, today, problems)
    try:  # validated even when a field did not parse, so every wrong field is named at once
        fact = spec.model.model_validate(fields)
    except ValidationError as exc:
        for problem in problems_from_validation(exc):  # named by form field, one message per field
            name = spec.renames.get(problem.location, problem.location.split("[")[0])
            if name not in {p.location for p in problems}:
                problems.append(Problem(name, problem.message))
    if problems:
        raise EpisodeValidationError(f"the {spec.noun} was not saved", problems)
    version = form_version(form)
    facts = getattr(episode, spec.list_name)
    return episode.model_copy(update={spec.list_name: (*facts, fact)}), version
