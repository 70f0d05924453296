"""One patient under several rule sets: where they agree, where they diverge, and a sentence for each divergence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sijpath.engine.assessment import NOTICE, Assessment
from sijpath.errors import UsageError

__all__ = ["COMPARISON_FORMAT", "Comparison", "Row", "compare"]

COMPARISON_FORMAT = "sijpath-comparison/1"
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
class Comparison:
    """Assessments of one episode, as of one date, under several rule sets, in the order given."""

    assessments: tuple[Assessment, ...]
    rows: tuple[Row, ...]
    divergences: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        columns = [a.ruleset_id for a in self.assessments]
        first = self.assessments[0]
        return {
            "format": COMPARISON_FORMAT,
            "patient": {"id": first.patient_id},
            "as_of": first.as_of.isoformat(),
            "rulesets": [
                {"id": a.ruleset_id, "version": a.ruleset_version, "title": a.ruleset_title} for a in self.assessments
            ],
            "rows": [
                {
                    "key": r.key,
                    "title": r.title,
                    "divergent": r.divergent,
                    "values": dict(zip(columns, r.cells, strict=True)),
                }
                for r in self.rows
            ],
            "divergences": list(self.divergences),
            "assessments": {a.ruleset_id: a.to_dict() for a in self.assessments},
            "notice": NOTICE,
        }


def compare(assessments: Sequence[Assessment]) -> Comparison:
    """Line up assessments of the same episode and date; raise ValueError if they are of different ones."""
    if not assessments:
        raise UsageError("nothing to compare")
    if len({(a.patient_id, a.as_of) for a in assessments}) > 1:
        raise UsageError("assessments of different patients or dates cannot be compared")
    if len({a.ruleset_id for a in assessments}) < len(assessments):
        raise UsageError("each rule set can appear only once in a comparison")
    rows = [
        Row("next-step", "Next step", tuple(a.next_step.code for a in assessments)),
        Row("stage", "Stage", tuple(a.stage for a in assessments)),
        Row("flags", "Flags", tuple(", ".join(sorted(f.code for f in a.flags)) or "none" for a in assessments)),
    ]
    titles: dict[str, tuple[str, bool]] = {}
    for a in assessments:
        for c in a.criteria:
            titles.setdefault(c.id, (c.title, c.role == "supporting"))
    statuses = [{c.id: c for c in a.criteria} for a in assessments]
    for criterion_id, (title, supporting) in titles.items():
        cells = tuple(s[criterion_id].status if criterion_id in s else None for s in statuses)
        rows.append(Row(criterion_id, title, cells, supporting))
    return Comparison(tuple(assessments), tuple(rows), tuple(_divergences(assessments, rows, statuses)))


def _divergences(assessments: Sequence[Assessment], rows: list[Row], statuses: list[dict[str, Any]]) -> list[str]:
    ids = [a.ruleset_id for a in assessments]
    sentences = []
    steps: dict[str, list[str]] = {}
    for a in assessments:
        steps.setdefault(a.next_step.title, []).append(a.ruleset_id)
    if len(steps) > 1:
        sentences.append(
            "Next step: " + "; ".join(f"{title} under {', '.join(names)}" for title, names in steps.items()) + "."
        )
    flags = rows[2]
    if flags.divergent:
        sentences.append(
            "Flags: "
            + "; ".join(f"{ruleset_id}: {cell}" for ruleset_id, cell in zip(ids, flags.cells, strict=True))
            + "."
        )
    for row in rows[3:]:
        if not row.divergent:
            continue
        groups: dict[str, list[str]] = {}
        for ruleset_id, status, by_id in zip(ids, row.cells, statuses, strict=True):
            if status is None:
                groups.setdefault("not used by", []).append(ruleset_id)
                continue
            summary = by_id[row.key].summary
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
