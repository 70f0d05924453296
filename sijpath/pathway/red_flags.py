"""The red-flag and exclusion screen: a flag per value set, and the facts the decision's first rows test."""

from __future__ import annotations

import weakref

from sijpath.engine.conditions import Fact
from sijpath.engine.decision import Decision
from sijpath.engine.results import FlagResult, Outcome, met, not_met
from sijpath.engine.rule import Criterion, DecisionFlag, Gate, Outcomes
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import EvidenceCatalogError
from sijpath.evidence.value_sets import ScreenKind, ValueSets
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts

__all__ = [
    "BORN_AFTER_AS_OF",
    "NO_INJECTION_EXCLUSION",
    "RED_FLAG",
    "RED_FLAG_TO_CONFIRM",
    "SCREENED",
    "check_value_sets",
    "red_flag_reason",
]

SCREEN_SOURCE = "sijpath-red-flag-screen"
SCREENED: dict[str, ScreenKind] = {}
"""Every category the pathway screens for, with its kind; value-sets.toml must define each, with that kind."""


def _screen_flag(value_set_id: str, kind: ScreenKind, title: str) -> DecisionFlag[JointFacts]:
    """The flag raised when the record matches one value set: critical for a red flag, a warning for an exclusion."""

    def check(j: JointFacts, decision: Decision, ruleset: RuleSet) -> FlagResult | None:
        hit = j.patient.screen_by_id.get(value_set_id)
        if hit is None:
            return None
        value_set = hit.value_set
        if hit.to_confirm and kind == "red-flag":
            return FlagResult(
                "warning",
                lambda: (
                    f"{hit.describe()}: recorded more than {value_set.confirm_after_months} months ago and still "
                    "marked active; confirm whether it is current (or record it resolved) before any SI-joint "
                    "procedure."
                ),
                hit.evidence,
                tuple(c for c in value_set.cites if c != SCREEN_SOURCE),
            )
        by_rule_set = _excluded_by(ruleset, value_set_id)
        if hit.red_flag:
            effect = "every SI-joint procedure is held until it is worked up"
        elif by_rule_set:
            effect = f"{ruleset.title} excludes " + " and ".join(k for k, _ in by_rule_set) + " for it"
        elif kind == "caution":
            effect = value_set.note or "a caution before any SI-joint procedure"
        else:
            effect = "excludes " + " and ".join(value_set.excludes) + " of either SI joint"
        cites = [c for c in value_set.cites if c != SCREEN_SOURCE] + [c for _, cs in by_rule_set for c in cs]
        return FlagResult(
            "critical" if hit.red_flag else "warning",
            lambda: f"{hit.describe()}: {effect}. {value_set.work_up}.",
            hit.evidence,
            tuple(dict.fromkeys(cites)),
        )

    SCREENED[value_set_id] = kind
    prefix = {"red-flag": "red-flag", "exclusion": "exclusion", "caution": "caution"}[kind]
    return DecisionFlag[JointFacts](
        id=f"{prefix}-{value_set_id}",
        title=title,
        code=f"{prefix}-{value_set_id}",
        cites={"red-flag": (SCREEN_SOURCE,), "exclusion": ("bcbs-al-mp-555",), "caution": ("cms-l39797",)}[kind],
        check=check,
        applies=_screened,
    )


def _screened(j: JointFacts) -> bool:
    """The record matches a value set of the screen (rarely): only then can a screen flag fire."""
    return bool(j.patient.screen)


RED_FLAG_INFECTION = _screen_flag("infection", "red-flag", "Red flag: infection")
RED_FLAG_CAUDA_EQUINA = _screen_flag("cauda-equina", "red-flag", "Red flag: cauda equina syndrome")
RED_FLAG_TUMOR = _screen_flag("tumor", "red-flag", "Red flag: tumour or destructive lesion")
RED_FLAG_FRACTURE = _screen_flag("fracture", "red-flag", "Red flag: fracture")
RED_FLAG_PREGNANCY = _screen_flag("pregnancy", "red-flag", "Red flag: pregnancy or postpartum")
EXCLUSION_INFLAMMATORY_ARTHROPATHY = _screen_flag(
    "inflammatory-arthropathy", "exclusion", "Exclusion: inflammatory arthropathy"
)
EXCLUSION_GENERALIZED_PAIN = _screen_flag(
    "generalized-pain-disorder", "exclusion", "Exclusion: generalized pain disorder"
)
CAUTION_PRIOR_LUMBAR_FUSION = _screen_flag("prior-lumbar-fusion", "caution", "Caution: prior lumbar fusion")
CAUTION_HIP_OSTEOARTHRITIS = _screen_flag("hip-osteoarthritis", "caution", "Caution: hip osteoarthritis on imaging")
CAUTION_NEUROGENIC_CLAUDICATION = _screen_flag(
    "neurogenic-claudication", "caution", "Caution: lumbar stenosis with neurogenic claudication"
)


# The rule-set thresholds that exclude a kind of procedure for screened conditions, as the flag words them.
_RULE_SET_EXCLUSIONS = (
    ("SI-joint blocks and injections", th.INJECTION_EXCLUDING_CONDITIONS),
    ("fusion", th.FUSION_EXCLUDING_CONDITIONS),
)


def _excluded_by(ruleset: RuleSet, value_set_id: str) -> list[tuple[str, tuple[str, ...]]]:
    """(what the rule set excludes, the sources it cites) for each kind of procedure it excludes for this condition."""
    found = []
    for words, spec in _RULE_SET_EXCLUSIONS:
        setting = ruleset.thresholds.get(spec.name)
        if setting is not None and value_set_id in setting.value:
            found.append((words, setting.cites))
    return found


def no_injection_exclusion(j: JointFacts, o: Outcomes) -> Outcome:
    """None of the conditions the rule set excludes SI-joint injections for is recorded (red flags have their own
    row, before every procedure)."""
    conditions = j.t[th.INJECTION_EXCLUDING_CONDITIONS]
    hits = [h for h in j.patient.standing_in_the_way("injection") if h.value_set.kind != "red-flag"]
    if hits:
        return not_met(
            lambda: (
                "a condition this rule set excludes SI-joint injections for: " + "; ".join(h.describe() for h in hits)
            ),
            lambda: [e for h in hits for e in h.evidence],
        )
    names = ", ".join(j.patient.value_sets[c].title.lower() for c in conditions)
    return met(f"none recorded of the conditions that exclude an SI-joint injection here ({names})")


NO_INJECTION_EXCLUSION = Criterion[JointFacts](
    id="no-injection-exclusion",
    title="No condition the rule set excludes SI-joint injections for",
    stage="diagnosis",
    cites=("cms-sij-injection-lcd-2023",),
    check=no_injection_exclusion,
    required_for=(Gate(v.DIAGNOSTIC_BLOCK), Gate(v.CONFIRMATORY_BLOCK), Gate(v.THERAPEUTIC_INJECTION)),
    remedy="evaluation of the excluded condition as the pain source (or a record that it is not current)",
    reads=(th.INJECTION_EXCLUDING_CONDITIONS,),
    shared=True,
)


# Keyed by id (value sets are a mapping, so unhashable) and weak: a checked catalog that is freed leaves no entry
# behind for a new, unchecked one with the same id to be mistaken for.
_CHECKED: weakref.WeakValueDictionary[int, ValueSets] = weakref.WeakValueDictionary()


def check_value_sets(value_sets: ValueSets) -> None:
    """Refuse a catalog whose value sets do not cover the screen: a missing one would silently never fire.

    A catalog's value sets are immutable, so each is checked once per process (this runs for every assessment).
    """
    if _CHECKED.get(id(value_sets)) is value_sets:
        return
    for value_set_id, kind in SCREENED.items():
        if value_set_id not in value_sets:
            raise EvidenceCatalogError(
                f"the evidence catalog has no value set `{value_set_id}` for the red-flag screen"
            )
        if value_sets[value_set_id].kind != kind:
            raise EvidenceCatalogError(f"value set `{value_set_id}` must be a {kind}")
    _CHECKED[id(value_sets)] = value_sets


RED_FLAG = Fact[JointFacts](
    "the record has a red flag (infection, cauda equina syndrome, tumour or destructive lesion, fracture, pregnancy "
    "or postpartum)",
    lambda j: bool(j.patient.red_flags),
)
RED_FLAG_TO_CONFIRM = Fact[JointFacts](
    "a red-flag diagnosis recorded long ago is still marked active: whether it is current is not known",
    lambda j: bool(j.patient.red_flags_to_confirm),
)
BORN_AFTER_AS_OF = Fact[JointFacts](
    "the patient's birth date is after the as-of date", lambda j: j.patient.born_after_as_of
)


def red_flag_reason(j: JointFacts) -> str:
    """Why every SI-joint procedure is held, naming each red flag, its facts and its work-up."""
    parts = [
        f"{hit.describe()} ({hit.value_set.work_up[:1].lower()}{hit.value_set.work_up[1:]})"
        for hit in j.patient.red_flags
    ]
    return "red flag: " + "; ".join(parts) + ". No SI-joint procedure is suggested until it is worked up"


def red_flag_to_confirm_reason(j: JointFacts) -> str:
    """Which old red-flag diagnoses to confirm, and why nothing else comes first."""
    parts = [
        f"{hit.describe()} (recorded more than {hit.value_set.confirm_after_months} months ago)"
        for hit in j.patient.red_flags_to_confirm
    ]
    return (
        "still marked active: " + "; ".join(parts) + ". Confirm whether it is current (record it resolved if not) "
        "before any SI-joint procedure; if current, it is worked up first"
    )
