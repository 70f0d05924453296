"""The patient page's summary as data: the banner, each joint's next step with what is missing now, the payer's rule
sets, the compact citation numbers and the rule-set matrix's cells."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sijpath.domain.episode import Episode
from sijpath.engine.assessment import LATERALITY_MODIFIERS, Assessment, UnitAssessment
from sijpath.engine.compare import PATHWAY_ROWS, Comparison, Row
from sijpath.engine.ruleset import RuleSet
from sijpath.evidence.catalog import Source
from sijpath.store.coverage import Coverage

__all__ = [
    "FORMS_FOR_CRITERION",
    "OTHER_PAYER",
    "Banner",
    "JointSummary",
    "Missing",
    "References",
    "banner",
    "joint_summary",
    "matrix_cell",
    "payer_rulesets",
]

OTHER_PAYER = "other"
"""The payer of a coverage whose plan sijpath has no rule set for: the clinical pathway is shown."""
# Where a reason's first clause ends: at a semicolon, or a full stop before a new sentence (not "e.g. fibromyalgia").
_CLAUSE_END = re.compile(r";\s|\.\s+(?=[A-Z])")
STATUS_TEXT = {"met": "✔ met", "not-met": "✘ not met", "unknown": "? unknown"}


@dataclass(frozen=True, slots=True)
class Banner:
    """Who the page is about and under which rules: what a clinician checks before reading on."""

    name: str
    patient_id: str
    age: int | None
    sex: str
    laterality: str
    payer: str
    plan: str
    member_id: str
    contractor: str
    ruleset: str
    payer_rulesets: tuple[str, ...]


# The page's own forms that record what a criterion reads (fact_pages' kinds); the rest comes from the chart (a FHIR
# import or the API): provocation tests, function, smoking status, the contraindication review, pain scores.
FORMS_FOR_CRITERION: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("diagnostic-block-confirms-sij", "diagnostic-block-before-injection", "repeat-block-fails-to-confirm"),
        ("blocks",),
    ),
    "comparative-blocks": ("blocks",),
    "lateral-branch-blocks-before-rfa": ("lateral-branch-blocks",),
    **dict.fromkeys(
        ("injection-relief-lasting", "injection-relief-shortening", "injections-needed-every-few-months"),
        ("injections",),
    ),
    **dict.fromkeys(
        ("conservative-care-before-injection", "conservative-care-duration", "conservative-care-components"),
        ("therapy", "supportive-care"),
    ),
    **dict.fromkeys(
        ("imaging-triad", "imaging-recency", "imaging-structural-change", "post-fusion-bony-bridging"), ("imaging",)
    ),
}


@dataclass(frozen=True, slots=True)
class Missing:
    """A piece of data that would settle unknown criteria, with the criteria's titles and the page's forms that
    record it (none: it comes from the chart)."""

    item: str
    settles: tuple[str, ...]
    forms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JointSummary:
    """One joint at a glance: the step with its code and side, why, what is missing for it now and later."""

    unit: UnitAssessment
    step: str
    code: str
    why: str
    why_in_full: str  # "" when `why` says it all
    missing_now: tuple[Missing, ...]
    missing_later: tuple[Missing, ...]


def payer_rulesets(payers: Mapping[str, tuple[str, ...]], coverage: Coverage | None) -> tuple[str, ...]:
    """The rule sets that speak for the patient's payer (settings' `payer_rulesets`); none for another payer."""
    return payers.get(coverage.payer, ()) if coverage is not None else ()


def _age(episode: Episode, as_of: dt.date) -> int | None:
    born = episode.patient.birth_date
    if born is None or born > as_of:
        return None
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def banner(
    episode: Episode,
    as_of: dt.date,
    coverage: Coverage | None,
    ruleset: RuleSet,
    payers: Mapping[str, tuple[str, ...]],
    contractors: Mapping[str, str],
) -> Banner:
    """The banner; the member ID from the coverage, else from the record (an import may carry it)."""
    patient = episode.patient
    return Banner(
        name=patient.name or "name not recorded",
        patient_id=patient.id,
        age=_age(episode, as_of),
        sex=patient.sex if patient.sex != "unknown" else "sex not recorded",
        laterality=episode.pain.laterality or "side not recorded",
        payer=("Other payer" if coverage.payer == OTHER_PAYER else coverage.payer) if coverage else "not recorded",
        plan=coverage.plan if coverage else "",
        member_id=(coverage.member_id if coverage else "") or patient.member_id or "not recorded",
        contractor=contractors.get(coverage.medicare_contractor, "") if coverage else "",
        ruleset=f"{ruleset.title} {ruleset.version}",
        payer_rulesets=payer_rulesets(payers, coverage),
    )


def joint_summary(unit: UnitAssessment, ruleset: RuleSet) -> JointSummary:
    """The joint's summary: missing data is "now" when its criterion belongs to the joint's current stage or gates
    the next step, "later" otherwise (what later steps will need)."""
    action = unit.next_step
    procedure = action.step.procedure
    code = ""
    if procedure is not None:
        modifier = LATERALITY_MODIFIERS.get(action.laterality or "")
        code = f"CPT {procedure.code}{'-' + modifier if modifier else ''}, {action.laterality or unit.key}"
    gates = {criterion.id for criterion, _ in ruleset.gates_for(action.step)}
    titles = {c.id: c.title for c in unit.criteria}
    stage_of = {c.id: c.stage for c in unit.criteria}
    now: list[Missing] = []
    later: list[Missing] = []
    for missing in unit.missing_data:
        forms = tuple(dict.fromkeys(f for i in missing.needed_for for f in FORMS_FOR_CRITERION.get(i, ())))
        entry = Missing(missing.item, tuple(titles[i] for i in missing.needed_for), forms)
        current = any(stage_of[i] == unit.stage or i in gates for i in missing.needed_for)
        (now if current else later).append(entry)
    return JointSummary(unit, action.title, code, *_why(action.rationale), tuple(now), tuple(later))


def _why(rationale: str) -> tuple[str, str]:
    """The reason's first clause as one sentence, and the whole reason when it says more than that."""
    first = _CLAUSE_END.split(rationale, maxsplit=1)[0].rstrip(".")
    sentence = f"{first[:1].upper()}{first[1:]}."
    return sentence, rationale if len(first) < len(rationale.rstrip(".")) else ""


class References:
    """Every source the page cites, numbered once in the order first cited: criteria show `[1, 3]`, the list the
    full labels."""

    def __init__(self, assessment: Assessment) -> None:
        self._numbers: dict[str, int] = {}
        self.sources: list[Source] = []
        for unit in assessment.units:
            for group in unit.sources():
                for source in group:
                    if source.id not in self._numbers:
                        self.sources.append(source)
                        self._numbers[source.id] = len(self.sources)

    def numbers(self, sources: Sequence[Source]) -> list[int]:
        return sorted({self._numbers[s.id] for s in sources if s.id in self._numbers})


def matrix_cell(comparison: Comparison, unit_index: int, row: Row, column: int) -> str:
    """A cell of the rule-set matrix in words: the step's title, the stage and flags spelt out, a criterion's
    status, or a dash where that rule set does not use the criterion."""
    value = row.cells[column]
    if value is None:
        return "— not used"
    if row.key == "next-step":
        unit = comparison.units[unit_index].units[column]
        return unit.next_step.title if unit is not None else value
    if row.key in PATHWAY_ROWS:
        return value.replace("-", " ")
    return STATUS_TEXT.get(value, value)
