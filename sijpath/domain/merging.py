"""An imported record merged into the record held here: the same clinical event is kept once, conflicts reported.

The rules (docs/fhir-profile.md, "Importing into an existing record"): two facts are the same event when they are in
the same list (the kind of fact), concern the same side, are on the same date and agree on the list's identifying
values (`IDENTIFYING`). The same event with the same values is *matched*: kept once, with both sources. The same
event with a different value is *conflicting*: the record's fact is kept unchanged and the imported one is not added,
but the fact is *disputed*: a data issue names both sources and both values, and every criterion resting on the
fact counts as unknown (never met) until someone chooses one source (domain/disputes.py). A value one source records
and the other leaves out is not a conflict: the kept fact takes it. An imported event a clinician removed from this
record is *skipped*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS, fact_list
from sijpath.domain.findings import PainPresentation
from sijpath.domain.issues import DataIssue, Dispute

__all__ = ["IDENTIFYING", "Held", "MergeCounts", "RecordMerge", "event_key", "merge_record"]

IDENTIFYING: Mapping[str, tuple[str, ...]] = {
    # What tells two events of one kind apart on one day and side, besides the date and side themselves. A list not
    # named has none: two blocks of one joint on one day are one occasion (the pathway counts them once anyway).
    "pain_scores": ("context",),
    "odi_scores": (),
    "provocation_tests": ("test",),
    "fortin_tests": (),
    "diagnoses": ("system", "code"),
    "imaging": ("modality", "region"),
    "diagnostic_blocks": (),
    "lateral_branch_blocks": (),
    "therapeutic_injections": (),
    "radiofrequency_ablations": (),
    "physical_therapy": (),
    "medications": ("drug_class", "drug"),
    "supportive_care": ("kind",),
    "fusions": (),
    "post_operative_follow_ups": (),
    "tobacco": (),
    "contraindications": ("kind",),
    "functional_status": (),
}
# Fields that never make two facts differ: the id is each source's own name for the fact.
IGNORED = frozenset({"id"})


@dataclass(frozen=True, slots=True)
class Held:
    """A fact with where it came from (`entered:alice`, `fhir:Procedure/blk-1`) and, for a fact kept here that an
    import matched, the imported resource it was matched to."""

    fact: BaseModel
    source: str
    matched: str | None = None


@dataclass(slots=True)
class MergeCounts:
    """What became of the imported facts: added, already in the record, in conflict with it, or held back."""

    new: int = 0
    matched: int = 0
    conflicting: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class RecordMerge:
    episode: Episode
    provenance: dict[tuple[str, int], tuple[str, str | None]]  # (list, position) → (source, matched source)
    counts: MergeCounts
    issues: tuple[DataIssue, ...] = field(default=())


def event_key(list_name: str, fact: BaseModel) -> tuple[Any, ...]:
    """What makes two facts of one list the same clinical event: side, date and the list's identifying values."""
    entry = fact_list(list_name)
    values = [getattr(fact, entry.date_field), getattr(fact, "side", None)]
    for name in IDENTIFYING[list_name]:
        value = getattr(fact, name)
        values.append(value.casefold() if isinstance(value, str) else value)
    return tuple(values)


def _differences(held: BaseModel, incoming: BaseModel) -> list[tuple[str, Any, Any]]:
    """The fields both facts record with different values (a value only one of them records is no conflict)."""
    found = []
    for name in type(held).model_fields:
        mine, theirs = getattr(held, name), getattr(incoming, name)
        if name in IGNORED or mine is None or theirs is None or mine == theirs:
            continue
        found.append((name, mine, theirs))
    return found


def _completed(held: BaseModel, incoming: BaseModel) -> BaseModel:
    """The held fact with the values only the imported one records filled in."""
    update = {
        name: getattr(incoming, name)
        for name in type(held).model_fields
        if name not in IGNORED and getattr(held, name) is None and getattr(incoming, name) is not None
    }
    return held.model_copy(update=update) if update else held


def _shown(value: Any) -> str:
    if isinstance(value, BaseModel):
        return ", ".join(f"{k} {v}" for k, v in value.model_dump(mode="json", exclude_none=True).items())
    if isinstance(value, tuple):
        return "none" if not value else "; ".join(_shown(v) for v in value)
    return str(value)


def merge_record(
    held: Episode,
    held_provenance: Mapping[tuple[str, int], tuple[str, str | None]],
    incoming: Episode,
    removed: Mapping[str, Sequence[BaseModel]] | None = None,
    origin: str = "the import",
) -> RecordMerge:
    """Merge `incoming` (read from the EHR, every fact sourced `fhir:<its id>`) into `held` (the record here, with
    each fact's provenance). Facts kept here (entered in sijpath, whatever they were matched to) stay, in their
    order; facts an earlier import brought are the EHR's own copy and give way to this import's."""
    counts = MergeCounts()
    issues: list[DataIssue] = []
    update: dict[str, tuple[BaseModel, ...]] = {}
    provenance: dict[tuple[str, int], tuple[str, str | None]] = {}
    for entry in FACT_LISTS:
        name = entry.name
        kept: list[Held] = []
        earlier: list[BaseModel] = []
        for position, fact in enumerate(getattr(held, name)):
            source, _ = held_provenance.get((name, position), ("entered:unknown", None))
            if source.startswith("fhir:"):
                earlier.append(fact)
            else:
                kept.append(Held(fact, source))  # matched again below, or no longer matched
        merged = list(kept)
        used: set[int] = set()
        for fact in getattr(incoming, name):
            source = f"fhir:{getattr(fact, 'id', None) or name}"
            key = event_key(name, fact)
            same = [i for i, h in enumerate(kept) if i not in used and event_key(name, h.fact) == key]
            if same:
                exact = [i for i in same if not _differences(kept[i].fact, fact)]
                index = (exact or same)[0]
                used.add(index)
                differences = _differences(kept[index].fact, fact)
                if differences:
                    counts.conflicting += 1
                    issues.append(_conflict(name, index, kept[index], fact, source, differences, origin))
                else:
                    counts.matched += 1
                    merged[index] = Held(_completed(kept[index].fact, fact), kept[index].source, source)
                continue
            if any(event_key(name, r) == key for r in (removed or {}).get(name, ())):
                counts.skipped += 1
                issues.append(
                    DataIssue(
                        "info",
                        getattr(fact, "id", None) or name,
                        f"{entry.singular} of {key[0]} from {source} not imported: a clinician removed this event "
                        "from the record here (restore it on the patient page if that was a mistake)",
                    )
                )
                continue
            if fact in earlier:
                counts.matched += 1
            else:
                counts.new += 1
            merged.append(Held(fact, source))
        update[name] = tuple(h.fact for h in merged)
        for position, h in enumerate(merged):
            provenance[name, position] = (h.source, h.matched)
    episode = held.model_copy(update={**update, **_singular(held, incoming, issues, origin)})
    return RecordMerge(episode, provenance, counts, tuple(issues))


def _conflict(
    list_name: str,
    index: int,
    kept: Held,
    fact: BaseModel,
    source: str,
    differences: list[tuple[str, Any, Any]],
    origin: str,
) -> DataIssue:
    entry = fact_list(list_name)
    side = getattr(fact, "side", None)
    ref = getattr(kept.fact, "id", None) or f"{list_name}[{index}]"
    what = ", ".join(f"{n.replace('_', ' ')} {_shown(mine)} here, {_shown(theirs)}" for n, mine, theirs in differences)
    held_json, other_json = kept.fact.model_dump(mode="json"), fact.model_dump(mode="json")
    dispute = Dispute(
        list_name=list_name,
        position=index,
        ref=ref,
        fact=orjson.dumps(held_json, option=orjson.OPT_SORT_KEYS).decode(),
        held_source=kept.source,
        other_source=source,
        values=tuple(
            (n, orjson.dumps(held_json[n]).decode(), orjson.dumps(other_json[n]).decode()) for n, _, _ in differences
        ),
    )
    return DataIssue(
        "warning",
        ref,
        f"conflicting {entry.singular} of {getattr(fact, entry.date_field)}{f' ({side})' if side else ''}: "
        f"{what} in {source} ({origin}). Disputed until someone chooses one source (Resolve, on the patient "
        f"page): the record ({kept.source}) keeps its value, but every criterion resting on this fact is unknown",
        dispute,
    )


def _singular(held: Episode, incoming: Episode, issues: list[DataIssue], origin: str) -> dict[str, Any]:
    """The patient's birth date and sex, the pain presentation and the contraindication review: the import's where
    it records them (the EHR keeps the demographics), the record's where it does not; a value replaced is said."""
    before, after = held.patient, incoming.patient
    patient = before.model_copy(
        update={
            "birth_date": after.birth_date or before.birth_date,
            "sex": before.sex if after.sex == "unknown" else after.sex,
        }
    )
    pain = held.pain if incoming.pain == PainPresentation() else incoming.pain
    reviewed = incoming.contraindications_reviewed_on or held.contraindications_reviewed_on
    replaced = [
        text
        for text, changed in (
            (
                f"birth date {before.birth_date}",
                before.birth_date is not None and patient.birth_date != before.birth_date,
            ),
            (f"sex {before.sex}", before.sex != "unknown" and patient.sex != before.sex),
            (f"pain presentation ({_shown(held.pain)})", held.pain != PainPresentation() and pain != held.pain),
            (
                f"contraindications reviewed on {held.contraindications_reviewed_on}",
                held.contraindications_reviewed_on is not None and reviewed != held.contraindications_reviewed_on,
            ),
        )
        if changed
    ]
    if replaced:
        issues.append(DataIssue("info", "patient", f"{origin} replaced what the record held: {'; '.join(replaced)}"))
    return {"patient": patient, "pain": pain, "contraindications_reviewed_on": reviewed}
