"""The screen's summary: counts per next step and flag per rule set, the divergences between rule sets, worklists."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sijpath.screening.rows import IssueRow, ResultRow
from sijpath.screening.worklists import WORKLISTS

__all__ = ["Divergence", "Tally"]

_PATTERNS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Divergence:
    """One patient's joint whose next step differs between the rule sets (`rs=step; …`, in rule-set order)."""

    patient_id: str
    joint: str
    next_steps: str


@dataclass
class Tally:
    """Counts gathered as rows stream past; nothing per patient is kept, so memory does not grow with the export."""

    ruleset_ids: tuple[str, ...]
    versions: dict[str, str] = field(default_factory=dict)
    steps: Counter[tuple[str, str]] = field(default_factory=Counter)
    flags: Counter[tuple[str, str]] = field(default_factory=Counter)
    worklists: Counter[str] = field(default_factory=Counter)
    patterns: Counter[str] = field(default_factory=Counter)
    issues: Counter[str] = field(default_factory=Counter)
    population: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    as_of: str = ""
    joints: int = 0
    divergent: int = 0

    def add_issues(self, issues: Sequence[IssueRow]) -> None:
        self.issues.update(i.kind for i in issues)

    def add_rows(self, rows: Sequence[ResultRow]) -> list[Divergence]:
        """Count rows (sorted by patient, joint, rule set); the patient-joints whose next step differs."""
        found: list[Divergence] = []
        group: list[ResultRow] = []
        for row in [*rows, None]:
            if group and (row is None or (row.patient_id, row.joint) != (group[0].patient_id, group[0].joint)):
                found += self._joint(group)
                group = []
            if row is not None:
                group.append(row)
        return found

    def _joint(self, rows: list[ResultRow]) -> list[Divergence]:
        self.joints += 1
        for row in rows:
            self.versions[row.ruleset_id] = row.ruleset_version
            self.steps[row.ruleset_id, row.next_step] += 1
            self.flags.update((row.ruleset_id, code) for code in row.flag_codes)
            self.worklists.update(w.name for w in WORKLISTS if w.holds(row))
        if len({row.next_step for row in rows}) < 2:
            return []
        self.divergent += 1
        pattern = "; ".join(f"{row.ruleset_id}={row.next_step}" for row in rows)
        self.patterns[pattern] += 1
        return [Divergence(rows[0].patient_id, rows[0].joint, pattern)]

    def _tables(self) -> list[tuple[str, list[str], list[list[str]]]]:
        """Every table of the summary as (title, header, rows), shared by the Markdown and the HTML."""
        ids = list(self.ruleset_ids)
        head = [f"{i} {self.versions.get(i, '')}".strip() for i in ids]
        population = [[name, str(n)] for name, n in self.population.items()]
        population += [[f"issue rows: {kind}", str(n)] for kind, n in sorted(self.issues.items())]
        steps = sorted({step for _, step in self.steps})
        flags = sorted({code for _, code in self.flags})
        patterns = [[p, str(n)] for p, n in sorted(self.patterns.items(), key=lambda i: (-i[1], i[0]))]
        return [
            ("Population", ["", "count"], population),
            ("Resources by type", ["type", "count"], [[k, str(n)] for k, n in self.types.items()]),
            (
                "Next step (joints) per rule set",
                ["next step", *head],
                [[s] + [str(self.steps[i, s]) for i in ids] for s in steps],
            ),
            (
                "Flags (joints) per rule set",
                ["flag", *head],
                [[f] + [str(self.flags[i, f]) for i in ids] for f in flags],
            ),
            (
                f"Divergences: {self.divergent} of {self.joints} patient-joints get different next steps",
                ["next step per rule set", "joints"],
                patterns[:_PATTERNS_SHOWN],
            ),
            (
                "Worklists",
                ["file", "question", "rows"],
                [[f"worklist-{w.name}.csv", w.question, str(self.worklists[w.name])] for w in WORKLISTS],
            ),
        ]

    def markdown(self, checksum: str) -> str:
        lines = [
            "# Population screen",
            "",
            f"As of {self.as_of}; rule sets: {', '.join(self.ruleset_ids)}.",
            f"Checksum (sha256 over the sorted result rows): `{checksum}`",
            "",
        ]
        for title, header, rows in self._tables():
            lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
            lines.append("")
        return "\n".join(lines)

    def html(self, checksum: str) -> str:
        e = html.escape
        parts = [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8"><title>Population screen</title><style>',
            "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;"
            "margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
            ".bar{background:#3b6ea5;height:.8rem;display:inline-block;margin-right:.3rem}",
            "</style></head><body>",
            "<h1>Population screen</h1>",
            f"<p>As of {e(self.as_of)}; rule sets: {e(', '.join(self.ruleset_ids))}.</p>",
            f"<p>Checksum (sha256 over the sorted result rows): <code>{e(checksum)}</code></p>",
        ]
        for title, header, rows in self._tables():
            top = max((int(c) for row in rows for c in row[1:] if c.isdigit()), default=0) or 1
            parts += [f"<h2>{e(title)}</h2>", "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"]
            for row in rows:
                cells = [f"<td>{e(row[0])}</td>"] + [f"<td>{_bar(c, top)}{e(c)}</td>" for c in row[1:]]
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</table>")
        parts.append("</body></html>\n")
        return "\n".join(parts)


def _bar(cell: str, top: int) -> str:
    """A bar chart in the table itself: a bar as long as the count, relative to the table's largest."""
    if not cell.isdigit():
        return ""
    return f'<span class="bar" style="width:{round(8 * int(cell) / top, 2)}rem"></span>'
