"""The safety sections of `docs/rules.md`: the red-flag and exclusion screen, validity windows, block readings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sijpath.engine.ruleset import RuleSet
from sijpath.engine.thresholds import ThresholdSpec
from sijpath.evidence.catalog import Catalog
from sijpath.pathway import thresholds as th

__all__ = ["safety_markdown"]

Cites = Callable[[Sequence[str], Catalog], str]

_EFFECT = {
    "red-flag": "stops every SI-joint procedure of both joints; the next step is its work-up",
    "exclusion": "blocks the procedures its sources exclude",
    "caution": "blocks nothing; a warning names the risk and the sources to exclude",
}

# The dated facts a rule relies on, and the threshold that bounds how old each may be.
_WINDOWS: tuple[tuple[str, ThresholdSpec[Any]], ...] = (
    ("CT or MRI (and the imaging triad)", th.MAX_IMAGING_AGE_MONTHS),
    ("Contraindication review", th.MAX_CONTRAINDICATION_REVIEW_AGE_MONTHS),
    ("Smoking status or cotinine", th.MAX_SMOKING_STATUS_AGE_MONTHS),
    ("Pain and ODI scores, function notes", th.MAX_SCORE_AGE_MONTHS),
    ("Examination findings (provocation tests, Fortin finger test)", th.MAX_EXAM_AGE_MONTHS),
    ("Conservative care (a pause this long ends a period)", th.MAX_CONSERVATIVE_CARE_GAP_MONTHS),
)


def safety_markdown(rulesets: Sequence[RuleSet], catalog: Catalog, cites: Cites) -> list[str]:
    """The three sections, as Markdown lines."""
    return [*_screen(catalog, cites), *_windows(rulesets), *_readings(rulesets)]


def _screen(catalog: Catalog, cites: Cites) -> list[str]:
    lines = [
        "",
        '<a id="red-flag-screen"></a>',
        "## The red-flag and exclusion screen",
        "",
        "Runs first for every joint under every rule set. ICD-10-CM codes match by prefix, SNOMED CT codes exactly;",
        "only active diagnoses and recorded contraindications count, and of imaging the latest study of a region and",
        "side decides. Value sets are cited data (`sijpath/evidence/value-sets.toml`), not code.",
        "",
        "SNOMED CT matching is exact: sijpath has no terminology server offline, so there is no subsumption. A",
        'child or sibling of a listed concept (a disorder "of sacroiliac joint" below a listed disorder, say) is',
        "not matched unless it is listed itself; record the ICD-10-CM code beside a SNOMED CT one, whose prefix",
        "match takes in the whole family.",
        "",
        "| Value set | Kind | Effect | ICD-10-CM prefixes | SNOMED CT | Contraindication kinds | Imaging findings "
        "(regions) | Work-up | Sources |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for vs in catalog.value_sets.values():
        effect = _EFFECT[vs.kind] + (f" ({', '.join(vs.excludes)})" if vs.excludes else "")
        imaging = f"{', '.join(vs.imaging_findings)} ({', '.join(vs.imaging_regions)})" if vs.imaging_findings else "—"
        lines.append(
            f"| `{vs.id}` {vs.title} | {vs.kind} | {effect} | {_codes(vs.icd10cm_prefixes)} | "
            f"{_codes(vs.snomed_codes)} | {_codes(vs.contraindication_kinds)} | {imaging} | {vs.work_up} | "
            f"{cites(vs.cites, catalog)} |"
        )
    lines += ["", "A birth date after the as-of date holds every step until the record is corrected."]
    return lines


def _windows(rulesets: Sequence[RuleSet]) -> list[str]:
    lines = [
        "",
        '<a id="validity-windows"></a>',
        "## Validity windows",
        "",
        'A dated fact older than its window makes the criterion that reads it unknown, with the remedy "a repeat X";',
        "it is never met. Months per rule set (— where the rule set enables no rule that reads it):",
        "",
        "| Fact | Threshold | " + " | ".join(f"`{rs.id}`" for rs in rulesets) + " |",
        "|---|---|" + "---|" * len(rulesets),
    ]
    for fact, spec in _WINDOWS:
        lines.append(f"| {fact} | `{spec.name}` | " + " | ".join(_setting(rs, spec) for rs in rulesets) + " |")
    lines += [
        "",
        "An open-ended medication or therapy course counts only up to its last confirmation (`last_confirmed`), never",
        "to the as-of date; one never confirmed counts for its start day, and care duration is then unknown.",
    ]
    return lines


def _readings(rulesets: Sequence[RuleSet]) -> list[str]:
    lines = [
        "",
        '<a id="block-readings"></a>',
        "## Block readings",
        "",
        "A valid block (accepted guidance, no steroid, contrast where required, a post-block score read within the",
        "anesthetic's window and not too soon, enough pre-block pain and a large enough drop) is read three ways:",
        "**positive** at or above the threshold, **partial** from the little-relief bound up to it, **negative**",
        'below the bound ("little to no relief"). Only a negative repeat block pivots to other pain sources; a',
        "partial one asks for a repeat or comparative block. Same-joint same-day blocks are one occasion.",
        "",
        "| Rule set | Positive | Negative (little relief) below | Blocks to confirm | Pre-block pain at least "
        "| Drop at least | Read after (minutes) | Anesthetic windows (minutes) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rs in rulesets:
        exclusive = rs.values.get(th.BLOCK_RELIEF_EXCLUSIVE_FLAG)
        positive = f"{'>' if exclusive else '≥'}{_setting(rs, th.MIN_BLOCK_RELIEF_PERCENT)}%"
        windows = rs.values.get(th.ANESTHETIC_WINDOW_MINUTES) or {}
        shown = ", ".join(f"{drug} {minutes}" for drug, minutes in sorted(windows.items())) or "—"
        lines.append(
            f"| `{rs.id}` | {positive} | {_setting(rs, th.MAX_LITTLE_BLOCK_RELIEF_PERCENT)}% | "
            f"{_setting(rs, th.MIN_POSITIVE_BLOCK_COUNT)} | {_setting(rs, th.MIN_PRE_BLOCK_NRS_POINTS)} | "
            f"{_setting(rs, th.MIN_BLOCK_RELIEF_DROP_NRS_POINTS)} | {_setting(rs, th.MIN_POST_BLOCK_MINUTES)} | "
            f"{shown} |"
        )
    return lines


def _setting(rs: RuleSet, spec: ThresholdSpec[Any]) -> str:
    value = rs.values.get(spec)
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(f"`{c}`" for c in codes) if codes else "—"
