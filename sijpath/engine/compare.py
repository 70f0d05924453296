"""One patient under several rule sets, joint by joint: where they agree, where they diverge, and why in a sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sijpath.engine.assessment import NOTICE, Assessment, UnitAssessment
from sijpath.errors import UsageError

__all__ = ["COMPARISON_FORMAT", "Comparison", "Row", "UnitComparison", "compare"]

COMPARISON_FORMAT = "sijpath-comparison/2"
PATHWAY_ROWS = ("next-step", "stage", "flags")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the comparison: a value per rule set (None where that rule set does not use it)."""

    key: str
    title: str
    cells: tuple[str | None, ...]
    supporting: bool = False

    @property
    def divergent(self) -> bool:
        """Rule sets disagree, or one requires something the patient does not (yet) meet and others do not ask."""
        used = {cell for cell in self.cells if cell is not None}
        required_elsewhere = None in self.cells and not self.supporting and self.key not in PATHWAY_ROWS
        return len(used) > 1 or (required_elsewhere and bool(used - {"met"}))


@dataclass(frozen=True, slots=True)
class UnitComparison:
    """One joint under every rule set: the rows and a sentence per divergence."""

    key: str
    title: str
    units: tuple[UnitAssessment | None, ...]
    rows: tuple[Row, ...]
    divergences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Assessments of one episode, as of one date, under several rule sets, in the order given."""

    assessments: tuple[Assessment, ...]
    units: tuple[UnitComparison, ...]

    @property
    def divergences(self) -> tuple[str, ...]:
        """Every divergence sentence, each led by its joint."""
        return tuple(f"{u.title} — {sentence}" for u in self.units for sentence in u.divergences)

    def to_dict(self) -> dict[str, Any]:
        columns = [a.ruleset_id for a in self.assessments]
        first = self.assessments[0]
        label = first.unit_label
        return {
            "format": COMPARISON_FORMAT,
            "patient": {"id": first.patient_id},
            "as_of": first.as_of.isoformat(),
            "rulesets": [
                {"id": a.ruleset_id, "version": a.ruleset_version, "title": a.ruleset_title} for a in self.assessments
            ],
            f"{label}s": [
                {
                    label: u.key,
                    "title": u.title,
                    "rows": [
                        {
                            "key": r.key,
                            "title": r.title,
                            "divergent": r.divergent,
                            "values": dict(zip(columns, r.cells, strict=True)),
                        }
                        for r in u.rows
                    ],
                    "divergences": list(u.divergences),
                }
                for u in self.units
            ],
            "assessments": {a.ruleset_id: a.to_dict() for a in self.assessments},
            "notice": NOTICE,
        }


def compare(assessments: Sequence[Assessment]) -> Comparison:
    """Line up assessments of the same episode and date; raise UsageError if they are of different ones."""
    if not assessments:
        raise UsageError("nothing to compare")
    if len({(a.patient_id, a.as_of) for a in assessments}) > 1:
        raise UsageError("assessments of different patients or dates cannot be compared")
    if len({a.ruleset_id for a in assessments}) < len(assessments):
        raise UsageError("each rule set can appear only once in a comparison")
    keys = list(dict.fromkeys(u.key for a in assessments for u in a.units))
    units = []
    for key in keys:
        per_set = tuple(next((u for u in a.units if u.key == key), None) for a in assessments)
        title = next(u.title for u in per_set if u is not None)
        rows = _rows(per_set)
        units.append(UnitComparison(key, title, per_set, tuple(rows), tuple(_divergences(assessments, per_set, rows))))
    return Comparison(tuple(assessments), tuple(units))


def _rows(units: tuple[UnitAssessment | None, ...]) -> list[Row]:
    rows = [
        Row("next-step", "Next step", tuple(u.next_step.code if u else None for u in units)),
        Row("stage", "Stage", tuple(u.stage if u else None for u in units)),
        Row(
            "flags",
            "Flags",
            tuple((", ".join(sorted(f.code for f in u.flags)) or "none") if u else None for u in units),
        ),
    ]
    titles: dict[str, tuple[str, bool]] = {}
    for u in units:
        for c in u.criteria if u else ():
            titles.setdefault(c.id, (c.title, c.role != "required"))
    for criterion_id, (title, supporting) in titles.items():
        cells = tuple(u.status(criterion_id) if u else None for u in units)
        rows.append(Row(criterion_id, title, cells, supporting))
    return rows


def _divergences(
    assessments: Sequence[Assessment], units: tuple[UnitAssessment | None, ...], rows: list[Row]
) -> list[str]:
    ids = [a.ruleset_id for a in assessments]
    sentences = []
    steps: dict[str, list[str]] = {}
    for ruleset_id, unit in zip(ids, units, strict=True):
        if unit is not None:
            steps.setdefault(unit.next_step.title, []).append(ruleset_id)
    if len(steps) > 1:
        sentences.append(
            "Next step: " + "; ".join(f"{title} under {', '.join(names)}" for title, names in steps.items()) + "."
        )
    flags = rows[2]
    if flags.divergent:
        sentences.append(
            "Flags: "
            + "; ".join(f"{ruleset_id}: {cell}" for ruleset_id, cell in zip(ids, flags.cells, strict=True) if cell)
            + "."
        )
    for row in rows[3:]:
        if not row.divergent:
            continue
        groups: dict[str, list[str]] = {}
        for ruleset_id, status, unit in zip(ids, row.cells, units, strict=True):
            if status is None or unit is None:
                groups.setdefault("not used by", []).append(ruleset_id)
                continue
            summary = unit.criterion(row.key).summary
            label = {"met": "met", "not-met": "not met", "unknown": "unknown"}[status]
            groups.setdefault(label, []).append(ruleset_id if status == "met" else f"{ruleset_id} ({summary})")
        order = ("met", "not met", "unknown", "not used by")
        parts = [
            f"{label if label == 'not used by' else label + ' under'} {', '.join(groups[label])}"
            for label in order
            if label in groups
        ]
        sentences.append(f"{row.title}: " + "; ".join(parts) + ".")
    return sentences
