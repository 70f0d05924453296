"""The decision aid for one joint, built from its assessment: which options apply, their outcomes side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sijpath.decisionaid.answers import SURE_QUESTIONS, VALUE_QUESTIONS
from sijpath.decisionaid.choices import Choice, choose_options, clarify_first
from sijpath.decisionaid.evidence import OutcomeEvidence, OutcomeRow
from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.ruleset import CoverageStatement
from sijpath.evidence.catalog import Catalog, Source
from sijpath.outcomes.local_results import LocalResults

__all__ = ["NAMES", "SHORT_NAMES", "Aid", "AidOption", "Comparison", "build_aid"]

NAMES = {
    "wait-and-see": "Wait and see: keep up physical therapy, exercise and medicines",
    "repeat-injections": "Repeat steroid injections into the SI joint",
    "rfa": "Radiofrequency ablation (RFA): heat treatment of the small nerves to the joint",
    "fusion": "SI-joint fusion: surgery that joins the joint with implants",
}
# What an option is called where space is short (side-by-side rows, pictures): never the internal key.
SHORT_NAMES = {
    "wait-and-see": "Wait and see",
    "repeat-injections": "Repeat injections",
    "rfa": "RFA",
    "fusion": "Fusion",
}
LIVING_WITH = {
    "wait-and-see": "You keep your usual routine and add exercise. Nothing is done that cannot be undone. "
    "Pain may go on, and you can choose another option later.",
    "repeat-injections": "Each injection is a short visit. Relief, if it comes, may fade, and more steroid over time "
    "is a worry.",
    "rfa": "RFA is a short visit, usually without a stay in hospital. The nerves can grow back, so relief may fade, "
    "and it can be done again.",
    "fusion": "Fusion is surgery and cannot be undone. Many people go home the same or next day. "
    "The bone joins over 6 to 12 months. Some people need more surgery later.",
}
# The CPT/HCPCS code the rule set's coverage is looked up by, per option (wait-and-see has none).
CODES = {"repeat-injections": "27096", "rfa": "64625", "fusion": "27279"}
COVERAGE_WORDS = {
    "covered": "covered under this rule set, if its conditions are met",
    "not-covered": "not covered under this rule set",
    "not-addressed": "not addressed by this rule set",
}
QUESTIONS = (
    "What happens if I wait?",
    "How many people like me are helped, and how many have problems?",
    "How long would any relief last?",
    "What does my insurance cover, and what would I pay?",
    "What would recovery mean for my work and family?",
)
VALUES = tuple(text for _, text in VALUE_QUESTIONS)
SURE = tuple(text for _, text in SURE_QUESTIONS)
STATEMENT = (
    "This aid supports a conversation with your care team. It is not a recommendation. "
    "sijpath supports decisions; it does not make them."
)


@dataclass(frozen=True)
class AidOption:
    """One option shown, with its benefits and harms in the same form."""

    key: str
    name: str
    living_with: str
    benefits: tuple[OutcomeRow, ...]
    harms: tuple[OutcomeRow, ...]
    coverage: str = "No procedure to cover."


@dataclass(frozen=True)
class Comparison:
    """One outcome at one time point for two or more options: the only place numbers sit side by side."""

    outcome: str
    months: int
    rows: tuple[OutcomeRow, ...]


@dataclass(frozen=True)
class Aid:
    """Everything a rendered aid shows for one joint."""

    patient_id: str
    joint: str
    joint_key: str
    stage: str
    made_on: dt.date
    ruleset: str
    options: tuple[AidOption, ...]
    not_offered: tuple[tuple[str, str], ...]
    comparisons: tuple[Comparison, ...]
    clarify: tuple[str, ...]
    sources: tuple[Source, ...]
    evidence_reviewed: dt.date
    review_every_months: int
    evidence_due: dt.date
    evidence_stale: bool
    local: LocalResults | None = None  # this clinic's own results, beside the cited evidence (None: not shown)
    statement: str = STATEMENT
    questions: tuple[str, ...] = QUESTIONS
    values: tuple[str, ...] = VALUES
    sure: tuple[str, ...] = SURE


def _comparisons(rows: tuple[OutcomeRow, ...]) -> tuple[Comparison, ...]:
    grouped: dict[tuple[str, int], list[OutcomeRow]] = {}
    for row in rows:
        if row.known and row.months is not None:
            grouped.setdefault((row.outcome, row.months), []).append(row)
    return tuple(
        Comparison(outcome, months, tuple(group))
        for (outcome, months), group in grouped.items()
        if len({row.option for row in group}) > 1
    )


def _coverage(key: str, coverage: Mapping[str, CoverageStatement]) -> str:
    code = CODES.get(key)
    if code is None:
        return "No procedure to cover."
    statement = coverage.get(code)
    if statement is None:
        return f"Not known: this rule set says nothing about code {code}."
    note = f" ({statement.note})" if statement.note else ""
    return f"Code {code}: {COVERAGE_WORDS.get(statement.status, statement.status)}{note}."


def _local_sources(local: LocalResults | None, keys: Sequence[str]) -> set[str]:
    """What the clinic's own figures beside these options cite: their thresholds and the minimum N."""
    figures = [f for key in keys for f in (local.for_option(key) if local else ())]
    return {s for f in figures for s in f.sources} | ({local.minimum_source} if local and figures else set())


def build_aid(
    assessment: Assessment,
    unit: UnitAssessment,
    evidence: OutcomeEvidence,
    catalog: Catalog,
    coverage: Mapping[str, CoverageStatement] | None = None,
    ablations: Sequence[RadiofrequencyAblation] = (),
    relief_needed: float = 50.0,
    local: LocalResults | None = None,
) -> Aid:
    """The aid for one joint: options only when the stage allows a procedure decision and nothing needs clarifying.
    `ablations` are the patient's recorded RFAs and `relief_needed` the relief (%) an RFA must give to count as
    having helped (the rule set's lasting-relief threshold); `local` is this clinic's own results from its registry,
    shown beside the cited evidence of RFA and fusion."""
    clarify = clarify_first(unit)
    choice = choose_options(unit, ablations, relief_needed) if not clarify else Choice((), ())
    if choice.offered == ("wait-and-see",):
        # Waiting alone is no choice between options: say what stands in the way of the others instead.
        clarify = (
            "Right now there is no treatment choice to make: the other treatments are not open to you yet.",
            *(reason for _, reason in choice.not_offered),
            "Your care team will first record what is missing or review your care. After that, the options can be "
            "talked through.",
        )
        choice = Choice((), choice.not_offered)
    keys = choice.offered
    options = tuple(
        AidOption(
            key,
            NAMES[key],
            LIVING_WITH[key],
            tuple(r for r in evidence.for_option(key) if r.kind == "benefit"),
            tuple(r for r in evidence.for_option(key) if r.kind == "harm"),
            _coverage(key, coverage or {}),
        )
        for key in keys
    )
    not_offered = tuple((NAMES[key], why) for key, why in choice.not_offered)
    shown = tuple(row for option in options for row in (*option.benefits, *option.harms))
    cited = sorted({sid for row in shown for sid in row.cites} | _local_sources(local, keys))
    return Aid(
        patient_id=assessment.patient_id,
        joint=unit.title,
        joint_key=unit.key,
        stage=unit.stage,
        made_on=assessment.as_of,
        ruleset=f"{assessment.ruleset_title} ({assessment.ruleset_id} {assessment.ruleset_version})",
        options=options,
        not_offered=not_offered,
        comparisons=_comparisons(shown),
        clarify=clarify,
        sources=tuple(catalog[sid] for sid in cited),
        evidence_reviewed=evidence.evidence_reviewed,
        review_every_months=evidence.review_every_months,
        evidence_due=evidence.review_due,
        evidence_stale=evidence.stale_on(assessment.as_of),
        local=local,
    )
