"""The decision aid for one joint, built from its assessment: which options apply, their outcomes side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sijpath.decisionaid.answers import SURE_QUESTIONS, VALUE_QUESTIONS
from sijpath.decisionaid.choices import Choice, choose_options, clarify_first, fusion_needs, side_conflicts
from sijpath.decisionaid.clinician import code_note
from sijpath.decisionaid.evidence import OutcomeEvidence, OutcomeRow
from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.ruleset import CoverageStatement
from sijpath.evidence.catalog import Catalog, Source
from sijpath.outcomes.local_results import LocalResults

__all__ = ["NAMES", "SHORT_NAMES", "Aid", "AidOption", "Comparison", "build_aid"]

NAMES = {
    # Named for what its numbers measured: the trials' non-surgical groups, not people who only waited (IPDAS review).
    "wait-and-see": "Keep to non-surgical care: no surgery or new procedure for now",
    "repeat-injections": "Repeat steroid injections into the SI joint",
    "rfa": "Radiofrequency ablation (RFA): heat treatment of the small nerves to the joint",
    "fusion": "SI-joint fusion: surgery that joins the joint with implants",
}
# What an option is called where space is short (side-by-side rows, pictures): never the internal key.
SHORT_NAMES = {
    "wait-and-see": "Non-surgical care",
    "repeat-injections": "Repeat injections",
    "rfa": "RFA",
    "fusion": "Fusion",
}
LIVING_WITH = {
    "wait-and-see": "You carry on with the care you have now, such as physical therapy, exercise and medicines. "
    "Nothing is done that cannot be undone. Pain may go on, and you can choose another option later.",
    "repeat-injections": "Each injection is a short visit. Relief, if it comes, may fade, and more steroid over time "
    "is a worry.",
    "rfa": "RFA is a short visit, usually without a stay in hospital. The nerves can grow back, so relief may fade, "
    "and it can be done again.",
    "fusion": "Fusion is surgery and cannot be undone. Many people go home the same or next day. "
    "The bone joins over 6 to 12 months. Some people need more surgery later.",
}
# The CPT/HCPCS code the rule set's coverage is looked up by, per option (wait-and-see has none).
CODES = {"repeat-injections": "27096", "rfa": "64625", "fusion": "27279"}
# Coverage in the patient's words; the code and the rule set's own note go to the clinician section.
COVERAGE_WORDS = {
    "covered": "covered under the coverage rules used here, if their conditions are met",
    "not-covered": "not covered under the coverage rules used here",
    "not-addressed": "not addressed by the coverage rules used here",
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
    # What the record must still show before the option can be considered (fusion's unmet required criteria).
    before: tuple[str, ...] = ()
    # The option's billing code and the rule set's word on it, for the clinician section only.
    code_note: str = ""


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
    # What the patient should know about the record itself (procedures on the other side from the pain).
    record_notes: tuple[str, ...] = ()
    # When the aid was produced and by which sijpath: apart from `made_on`, the date the record was read as of.
    generated_on: dt.date | None = None
    version: str = ""


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


def _benefits(key: str, shown: tuple[str, ...], evidence: OutcomeEvidence) -> tuple[OutcomeRow, ...]:
    """An option's benefits. Non-surgical care's numbers are trial comparison groups: each is shown only beside the
    option its trial compared it with (an RFA trial's control group says nothing about a fusion decision), and its
    gap row only when none is."""
    rows = tuple(r for r in evidence.for_option(key) if r.kind == "benefit")
    if key != "wait-and-see":
        return rows
    paired = {r.cites for other in shown if other != key for r in evidence.for_option(other) if r.known}
    kept = tuple(r for r in rows if r.known and r.cites in paired)
    return kept or tuple(r for r in rows if not r.known)


def _coverage(key: str, coverage: Mapping[str, CoverageStatement], plan: UnitAssessment | None = None) -> str:
    code = CODES.get(key)
    if code is None:
        return "No procedure to cover."
    statement = coverage.get(code)
    if statement is None:
        said = "Not known: the coverage rules used here say nothing about it."
    else:
        said = f"{COVERAGE_WORDS.get(statement.status, statement.status).capitalize()}."
    asks = _plan_asks(key, plan) if plan is not None else ()
    return said + (
        f" This plan's rules also ask for what your record does not yet show: {'; '.join(asks)}." if asks else ""
    )


# The payer's criteria that bear on each procedure: those of diagnosis and confirmation, fusion's own stage, and the
# one non-surgical criterion that is the procedure's own gate (a repeat injection's lasting relief, RFA candidacy).
_PLAN_STAGES = {
    "repeat-injections": ("diagnosis", "confirmation"),
    "rfa": ("diagnosis", "confirmation"),
    "fusion": ("diagnosis", "confirmation", "surgical-candidacy"),
}
_PLAN_GATES = {"repeat-injections": "injection-relief-lasting", "rfa": "rfa-candidate"}
# Met or not, a repeat block that fails is the pivot away from the SI joint, never something a plan asks for.
_NOT_ASKED = "repeat-block-fails-to-confirm"


def _plan_asks(key: str, plan: UnitAssessment) -> tuple[str, ...]:
    """The payer's required criteria for this procedure that the record does not meet (or does not show)."""
    return tuple(
        c.title
        for c in plan.criteria
        if (c.stage in _PLAN_STAGES[key] or c.id == _PLAN_GATES.get(key))
        and c.role == "required"
        and c.status != "met"
        and c.id != _NOT_ASKED
    )


def _ruleset_label(clinical: Assessment, plan: Assessment | None) -> str:
    label = f"{clinical.ruleset_title} ({clinical.ruleset_id} {clinical.ruleset_version})"
    if plan is None:
        return label
    return f"{plan.ruleset_title} ({plan.ruleset_id} {plan.ruleset_version}) for coverage, and {label} for the options"


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
    plan: tuple[Assessment, UnitAssessment] | None = None,
    generated_on: dt.date | None = None,
    version: str = "",
) -> Aid:
    """The aid for one joint: options only when the stage allows a procedure decision and nothing needs clarifying.
    `ablations` are the patient's recorded RFAs and `relief_needed` the relief (%) an RFA must give to count as
    having helped (the rule set's lasting-relief threshold); `local` is this clinic's own results from its registry,
    shown beside the cited evidence of RFA and fusion. `plan` is a payer's assessment of the same joint when
    coverage comes from a payer's rule set: it changes only the coverage lines, never the clinical content."""
    clarify = clarify_first(unit, assessment.data_issues)
    choice = choose_options(unit, ablations, relief_needed, catalog.value_sets) if not clarify else Choice((), ())
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
            _benefits(key, keys, evidence),
            tuple(r for r in evidence.for_option(key) if r.kind == "harm"),
            _coverage(key, coverage or {}, plan[1] if plan else None),
            fusion_needs(unit) if key == "fusion" else (),
            code_note(CODES.get(key), coverage or {}),
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
        ruleset=_ruleset_label(assessment, plan[0] if plan else None),
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
        record_notes=side_conflicts(unit, assessment.data_issues),
        generated_on=generated_on,
        version=version,
    )
