"""Medical-necessity letters: every statement from a computed criterion, against the payer's clause, with its facts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis
from sijpath.engine.assessment import LATERALITY_MODIFIERS, Assessment, CriterionResult, UnitAssessment
from sijpath.engine.requirements import Gap, requirements
from sijpath.engine.ruleset import CoverageStatement, RuleSet
from sijpath.errors import Problem, RequestNotSupportedError
from sijpath.evidence.catalog import Source
from sijpath.pathway.requests import procedure as procedure_of
from sijpath.pathway.requests import request_gaps, request_steps
from sijpath.settings import Practice

__all__ = [
    "NO_POLICY_SOURCE",
    "Fact",
    "Letter",
    "Missing",
    "Requirement",
    "Statement",
    "build_letter",
    "policy_sources",
    "record_reference",
]

NO_POLICY_SOURCE = "the clinical pathway's own criterion: no payer or guideline source in the catalog states it"
# `diagnostic_blocks[0]`, `pain.below_l5`: where a fact without an id of its own sits in sijpath's episode. A
# reviewer cannot look that up, so the letter names such a fact by its date and description only.
_FIELD_PATH = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*)*$")


@dataclass(frozen=True, slots=True)
class Missing:
    """An identifier or signatory a payer needs that neither the record nor the settings give: never invented."""

    what: str
    where: str  # how to supply it: the record field or setting


@dataclass(frozen=True, slots=True)
class Requirement:
    """One value a criterion is judged against (`Relief a block must reach …: 75%`): the payer's policy's when
    `policy`, else the rule set's own (a study's selection criterion, or the issuer's or sijpath's reading)."""

    text: str
    sources: tuple[Source, ...]
    note: str | None = None
    policy: bool = True


@dataclass(frozen=True, slots=True)
class Fact:
    """A dated record entry as a reviewer reads it: no internal field keys."""

    date: str
    text: str
    record: str | None  # the record's own id of the entry, when it has one


@dataclass(frozen=True, slots=True)
class Statement:
    """One documented criterion: what the payer's policy asks, and the dated facts that meet it."""

    criterion: CriterionResult
    needed: str
    payer: tuple[Source, ...]  # the payer's own policy, where it states the criterion
    other: tuple[Source, ...]  # guidelines and literature that also state it
    requirements: tuple[Requirement, ...]
    facts: tuple[Fact, ...]

    @property
    def title(self) -> str:
        c = self.criterion
        return c.title if self.needed == "met" else f"Not the case: {c.title[:1].lower()}{c.title[1:]}"

    @property
    def for_review(self) -> tuple[Source, ...]:
        """Sources whose wording sijpath has not read, or that are sijpath's own reading: the reviewer checks them."""
        every = (*self.payer, *self.other, *(s for r in self.requirements for s in r.sources))
        return tuple({s.id: s for s in every if s.unverified or s.own_reading}.values())


@dataclass(frozen=True, slots=True)
class Letter:
    """The content of a letter; renderers only lay it out."""

    assessment: Assessment
    unit: UnitAssessment
    ruleset: RuleSet
    episode: Episode
    procedure: str
    procedure_name: str
    coverage: CoverageStatement | None
    statements: tuple[Statement, ...]
    gaps: tuple[Gap, ...]
    practice: Practice
    narrative: str | None = None

    @property
    def catalog(self) -> Any:
        return self.ruleset.catalog

    @property
    def draft(self) -> bool:
        return bool(self.gaps) or self.coverage_blocks or bool(self.missing)

    @property
    def coverage_blocks(self) -> bool:
        """A payer policy that does not state the procedure as covered gives no basis for a letter."""
        if self.coverage is not None:
            return self.coverage.status != "covered"
        return bool(self.ruleset.coverage)

    @property
    def diagnoses(self) -> tuple[Diagnosis, ...]:
        """The active ICD-10-CM diagnoses recorded by the letter's date, oldest first."""
        as_of = self.assessment.as_of
        found = [
            d
            for d in self.episode.diagnoses
            if d.system == "icd-10-cm" and d.status == "active" and d.recorded_date <= as_of
        ]
        return tuple(sorted(found, key=lambda d: (d.recorded_date, d.code)))

    @property
    def missing(self) -> tuple[Missing, ...]:
        patient, practice = self.episode.patient, self.practice
        wanted = [
            (patient.name, "patient name", "the record's patient.name (FHIR Patient.name)"),
            (patient.birth_date, "patient date of birth", "the record's patient.birth_date"),
            (patient.member_id, "member ID", "the record's patient.member_id (FHIR Patient.identifier, type MB)"),
            (self.diagnoses, "ICD-10-CM diagnosis", "an active ICD-10-CM diagnosis in the record"),
            (practice.name, "practice name (letterhead)", "the setting SIJPATH_PRACTICE_NAME"),
            (practice.provider, "ordering provider", "the setting SIJPATH_ORDERING_PROVIDER, or --ordering-provider"),
            (practice.npi, "ordering provider's NPI", "the setting SIJPATH_ORDERING_PROVIDER_NPI, or --npi"),
        ]
        return tuple(Missing(what, where) for value, what, where in wanted if not value)

    @property
    def sources(self) -> list[Source]:
        """Every policy-grade source the letter rests on: the coverage statement's, then each criterion's."""
        used: dict[str, Source] = {}
        if self.coverage is not None:
            for source in policy_sources([self.catalog[i] for i in self.coverage.cites]):
                used.setdefault(source.id, source)
        for statement in self.statements:
            for source in (*statement.payer, *statement.other, *(s for r in statement.requirements for s in r.sources)):
                used.setdefault(source.id, source)
        return list(used.values())

    @property
    def side(self) -> str:
        """`CPT 27279-LT, left SI joint`: the procedure as an order names it."""
        return f"CPT {self.code}, {self.joint}"

    @property
    def code(self) -> str:
        """`27279-LT`: the CPT code with its laterality modifier."""
        modifier = LATERALITY_MODIFIERS.get(self.unit.key)
        return f"{self.procedure}{'-' + modifier if modifier else ''}"

    @property
    def joint(self) -> str:
        """`right SI joint`: the joint as the letter's sentences name it."""
        return self.unit.title[:1].lower() + self.unit.title[1:]

    @property
    def identity(self) -> str:
        """The patient as every page names them; what is missing says so."""
        p = self.episode.patient
        return (
            f"{p.name or 'Patient name MISSING'} · DOB {p.birth_date or 'MISSING'} · "
            f"Member ID {p.member_id or 'MISSING'} · Record {p.id}"
        )


def build_letter(
    assessment: Assessment,
    unit: UnitAssessment,
    ruleset: RuleSet,
    procedure: str,
    draft: bool,
    *,
    episode: Episode,
    practice: Practice | None = None,
    narrative: str | None = None,
) -> Letter:
    """Assemble a letter for `procedure` on one joint under `ruleset`; without `draft`, refuse when anything is
    missing: a criterion, the policy's coverage, or an identifier the payer needs."""
    # A red flag (or one whose status is still to be confirmed) holds every SI-joint procedure: no letter, not even
    # a draft, may ask for one while it stands.
    holding = [f for f in unit.flags if f.severity == "critical"]
    if holding or unit.stage == "red-flags":
        problems = [Problem(f.code, f.message) for f in holding] or [Problem("red-flags", unit.next_step.rationale)]
        raise RequestNotSupportedError(
            f"no letter for CPT {procedure} on the {unit.title[:1].lower()}{unit.title[1:]}: a red flag holds every "
            "SI-joint procedure until it is worked up",
            problems,
        )
    found = request_gaps(unit, ruleset, procedure)
    needed = {r.criterion.id: r.needed for r in requirements(ruleset, request_steps(unit, procedure))}
    statements = tuple(
        _statement(c, needed[c.id], ruleset) for c in unit.criteria if c.id in needed and c.status == needed[c.id]
    )
    letter = Letter(
        assessment,
        unit,
        ruleset,
        episode,
        procedure,
        procedure_of(procedure).description,
        ruleset.coverage.get(procedure),
        statements,
        tuple(found),
        practice or Practice(),
        narrative.strip() if narrative and narrative.strip() else None,
    )
    if letter.draft and not draft:
        problems = [
            Problem(
                g.criterion.id,
                f"{g.criterion.status.replace('-', ' ')}: {g.criterion.summary}; needed: {'; '.join(g.settle)}",
            )
            for g in found
        ]
        if letter.coverage_blocks:
            status = letter.coverage.status if letter.coverage is not None else "not listed"
            problems.insert(0, Problem("coverage", f"CPT {procedure} is {status} under {ruleset.id}"))
        problems += [Problem("missing", f"{m.what}: set {m.where}") for m in letter.missing]
        raise RequestNotSupportedError(
            f"the letter for {letter.side} under {ruleset.id} {ruleset.version} cannot be submitted as it stands; "
            "use --draft for a letter that marks each gap and each missing item",
            problems,
        )
    return letter


def _statement(criterion: CriterionResult, needed: str, ruleset: RuleSet) -> Statement:
    cited_ids = set(ruleset.sources) | {i for c in ruleset.coverage.values() for i in c.cites}
    # A study the rule set cites is evidence, never the payer's policy clause.
    payer_ids = {i for i in cited_ids if not ruleset.catalog[i].study}
    cited = policy_sources(criterion.citations)
    rule = next((r for r in ruleset.criteria if r.id == criterion.id), None)
    found: list[Requirement] = []
    for spec in (*rule.reads, *rule.optional_reads) if rule is not None else ():
        setting = ruleset.thresholds.get(spec.name)
        # Only the values the payer's own policy states: the rest is how sijpath reads the record, not a clause.
        if setting is not None and cited_ids.intersection(setting.cites):
            sources = tuple(policy_sources([ruleset.catalog[i] for i in setting.cites]))
            text = f"{spec.meaning.rstrip('.')}: {threshold_text(spec.name, setting.value)}"
            # A value resting only on studies or on sijpath's own readings is the rule set's, not a policy clause.
            policy = bool(payer_ids.intersection(setting.cites)) and any(
                not (s.study or s.own_reading) for s in sources
            )
            found.append(Requirement(text, sources, setting.note, policy))
    facts = tuple(
        Fact(e.date.isoformat() if e.date else "undated", e.fact, record_reference(e.ref)) for e in criterion.evidence
    )
    return Statement(
        criterion,
        needed,
        tuple(s for s in cited if s.id in payer_ids),
        tuple(s for s in cited if s.id not in payer_ids and not s.own_reading),
        tuple(found),
        facts,
    )


_UNITS = {
    "_percent": "%",
    "_months": " months",
    "_weeks": " weeks",
    "_minutes": " minutes",
    "_points": " points on the 0-10 pain scale",
    "_ng_per_ml": " ng/mL",
    "_mme_per_day": " MME per day",
}


def threshold_text(name: str, value: object) -> str:
    """A rule set's value as a reviewer reads it: `75%`, `6 months`, `yes`, `fluoroscopy, ct`."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v} minutes" for k, v in value.items())
    number = f"{value:g}" if isinstance(value, float) else str(value)
    unit = next((u for suffix, u in _UNITS.items() if name.endswith(suffix)), "")
    return number + unit


def record_reference(ref: str | None) -> str | None:
    """The record's own id of a fact (`Procedure/blk-2`), or None for sijpath's internal place of it
    (`diagnostic_blocks[0]`, `pain.below_l5`), which a reviewer could not look up."""
    if ref is None:
        return None
    path = _FIELD_PATH.match(ref)
    return None if path is not None and path[1] in Episode.model_fields else ref


def policy_sources(citations: Sequence[Source]) -> list[Source]:
    """The citations a payer reviewer can weigh: patient-education articles are never the basis of a letter."""
    return [s for s in citations if s.verification != "source-article"]
