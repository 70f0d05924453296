"""Which options the aid shows for one joint, why the others are not shown, and what must be clarified first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sijpath.domain.issues import DataIssue
from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.engine.assessment import UnitAssessment
from sijpath.evidence.value_sets import ValueSet

__all__ = [
    "STAGE_OPTIONS",
    "STEROID_FLAGS",
    "Choice",
    "choose_options",
    "clarify_first",
    "fusion_needs",
    "side_conflicts",
]

# Stages at which a procedure decision is on the table, and the options each allows (others are explained).
STAGE_OPTIONS: dict[str, tuple[str, ...]] = {
    "non-surgical-care": ("wait-and-see", "repeat-injections", "rfa"),
    "surgical-candidacy": ("wait-and-see", "repeat-injections", "rfa", "fusion"),
}
# The pathway's steroid warnings: with either raised, more steroid injections are not put forward as an option.
STEROID_FLAGS = frozenset({"injection-frequency-exceeded", "cumulative-steroid-exposure"})
# What each of the pathway's required fusion criteria asks the record to show, in plain words (criterion ids).
FUSION_NEEDS = {
    "conservative-care-duration": "enough months of non-surgical care",
    "conservative-care-components": "each kind of non-surgical care this care pathway asks for first",
    "no-fusion-contraindication": "a check by your care team that nothing argues against surgery",
    "imaging-structural-change": "a recent CT or MRI scan of this joint that shows changes in it",
    "functional-impairment": "a record of how much the pain limits your daily life or work",
    "pain-severity": "a recent pain score high enough to think about surgery",
}
NOT_TRIED = "not yet tried: "
ASK_ANYWAY = "You can still ask your care team about it."
# What each screened finding is, in plain words (the pathway's red-flag and exclusion flags, by code).
RED_FLAG_WORDS = {
    "red-flag-infection": "a possible infection",
    "red-flag-tumor": "a possible growth (tumour) in or near the bone",
    "red-flag-fracture": "a possible broken bone",
}
EXCLUSION_WORDS = {
    "exclusion-inflammatory-arthropathy": "a kind of joint inflammation, such as spondyloarthritis",
    "exclusion-generalized-pain-disorder": "a condition that causes pain in many places, such as fibromyalgia",
}
ON_HOLD = (
    "A procedure could be unsafe, or could hide a problem that needs care of its own. "
    "That is why SI-joint procedures are on hold for now."
)
PREGNANCY = "red-flag-pregnancy"
PREGNANCY_WORDS = (
    "Your records show that you are pregnant or had a baby recently. Before any SI-joint shot or procedure, your "
    "care team will check with your pregnancy care team. This is not an emergency. Physical therapy, exercise and "
    "your other care can go on. Please ask your doctor whether and when SI-joint procedures can be done."
)
URGENCY = (
    "Please see a doctor soon to have this checked. Do not wait for a visit that is months away. "
    "If you feel much worse, get care right away."
)
SIDE_UNKNOWN = (
    "Your records do not say which side hurts: the left, the right, or both.",
    "Please tell your care team which side it is, and ask them to write it down. "
    "Once that is known, the options for that side can be shown.",
)
# The option each kind of procedure a value set can exclude stands for (value-sets.toml `excludes`).
OPTION_OF_PROCEDURE = {"injection": "repeat-injections", "ablation": "rfa", "fusion": "fusion"}
PROCEDURE_WORDS = {"repeat-injections": "steroid injections", "rfa": "RFA", "fusion": "fusion"}
STEROID_WORDS = (
    "Not offered now: your records show steroid injections close together, or a high total dose of steroid. "
    "More steroid could do more harm than good. Your care team can tell you more."
)


@dataclass(frozen=True)
class Choice:
    """The options shown, in order, and each option left out with the reason in plain words."""

    offered: tuple[str, ...]
    not_offered: tuple[tuple[str, str], ...]


# The assessment's data issues about sides, as the pathway words them (sijpath.pathway's side checks).
_NO_SIDE = re.compile(r"^the side of this (?P<kind>.+?) is not recorded")
_OTHER_SIDE = re.compile(r"^(?P<joint>left|right) joint, but the pain is (?P<pain>left|right)-sided")


def fusion_needs(unit: UnitAssessment) -> tuple[str, ...]:
    """What the record does not yet show of the pathway's required fusion criteria for this joint, in plain words
    (unmet or unknown: missing data never counts as met)."""
    needs = []
    for criterion in unit.criteria:
        if criterion.stage != "surgical-candidacy" or criterion.role != "required" or criterion.status == "met":
            continue
        words = FUSION_NEEDS.get(criterion.id, criterion.title[:1].lower() + criterion.title[1:])
        summary = criterion.outcome.summary
        needs.append(f"{words} ({summary})" if summary.startswith(NOT_TRIED) else words)
    return tuple(needs)


def _not_at_this_stage(unit: UnitAssessment) -> str:
    """Why fusion is not offered at this stage: the actual unmet conditions, and that the patient may still ask."""
    needs = fusion_needs(unit)
    if not needs:
        return f"Not offered now: this care pathway does not put fusion forward at this stage. {ASK_ANYWAY}"
    return (
        f"Not offered now. In this care pathway, fusion is talked about once your record shows: {'; '.join(needs)}. "
        + ASK_ANYWAY
    )


def _sides_missing(unit: UnitAssessment, issues: Iterable[DataIssue]) -> tuple[str, ...] | None:
    """What to say when the pain side is recorded but some procedures have no side; None when none lacks one."""
    kinds = [m["kind"] for m in (_NO_SIDE.match(issue.message) for issue in issues) if m]
    if not kinds or unit.presentation != "painful" or unit.key not in ("left", "right"):
        return None
    what = ", ".join(dict.fromkeys(kinds))
    count = f"{len(kinds)} of your procedures" if len(kinds) > 1 else "one of your procedures"
    return (
        f"Your records show pain on the {unit.key} side. They do not say which side {count} ({what}) "
        f"{'were' if len(kinds) > 1 else 'was'} done on.",
        "Please ask your care team to record the side. Until then, those procedures count for neither joint, "
        "so the options for this side cannot be shown yet.",
    )


def side_conflicts(unit: UnitAssessment, issues: Iterable[DataIssue]) -> tuple[str, ...]:
    """What to tell the patient when procedures are recorded on the other side from the pain (not used here)."""
    joints = [m["joint"] for m in (_OTHER_SIDE.match(issue.message) for issue in issues) if m and m["pain"] == unit.key]
    if not joints:
        return ()
    sides = " and ".join(f"the {joint} side" for joint in dict.fromkeys(joints))
    count = f"{len(joints)} procedures are" if len(joints) > 1 else "one procedure is"
    return (
        f"Your records show pain on the {unit.key} side, but {count} recorded on {sides}. "
        "They are not counted for either side here. Please ask your care team to check which side is right.",
    )


def clarify_first(unit: UnitAssessment, issues: Iterable[DataIssue] = ()) -> tuple[str, ...]:
    """Why no procedure options are shown, said kindly; empty when options are shown. `issues` are the
    assessment's data issues (a procedure without a side is named as such, not as an unknown pain side)."""
    # Red flags (critical) hold every procedure option until they are clarified (issue 14, safety); an exclusion
    # drops only the procedures it excludes, in choose_options (IPDAS review: it must not hide the others).
    critical = [flag for flag in unit.flags if flag.severity == "critical"]
    if unit.stage == "red-flags" or critical:
        return _held(tuple(flag.code for flag in critical))
    if unit.stage == "other-pain-source":
        return (
            "The numbing test did not show that the SI joint is the main source of your pain. "
            "That is why SI-joint treatments are not offered here. Your care team will look at other causes, "
            "such as the lower spine, a nerve root or the hip.",
        )
    if unit.next_step.code == "fusion-failure-work-up":
        return (
            "You have had fusion on this joint, and the pain is still there after the time the bones should have "
            "joined. Your care team will first look for the reason, for example with a CT scan. "
            "After that, any next choice can be talked through.",
        )
    if unit.stage == "post-fusion":
        return (
            "You have had fusion on this joint. This aid is about choosing a treatment, so it has no new choice "
            "to offer. Your care team will follow how you recover.",
        )
    if unit.next_step.step.code == "record-side":
        return _sides_missing(unit, issues) or SIDE_UNKNOWN
    if unit.stage not in STAGE_OPTIONS:
        return (
            "It is not yet clear that the SI joint is the source of your pain. The next step is to find out. "
            "After that, treatment options can be talked through.",
        )
    return ()


def _held(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Why procedures are on hold, said kindly: what was found, why it stops a procedure, and how soon to act."""
    found = [RED_FLAG_WORDS[c] for c in codes if c in RED_FLAG_WORDS and c != PREGNANCY]
    # A pregnancy or recent birth is no emergency: it needs the pregnancy care team's word before a procedure.
    lines = [PREGNANCY_WORDS] if PREGNANCY in codes else []
    if found or not lines:
        what = " and ".join(found) if found else "something"
        lines = [f"Your records show {what} that needs to be checked first. {ON_HOLD}", URGENCY, *lines]
    return (
        *lines,
        "Your care team will talk with you about it. Until then, no SI-joint procedure is part of this decision.",
    )


def _failed_ablation(
    unit: UnitAssessment, ablations: Sequence[RadiofrequencyAblation], relief_needed: float
) -> str | None:
    """Why RFA is not offered again, when this joint's latest RFA gave less relief than counts as helping."""
    # Pulsed radiofrequency lesions nothing, so the pathway does not count it as an ablation; neither does the aid.
    own = sorted(
        (a for a in ablations if a.side in (unit.key, "bilateral") and a.technique != "pulsed"), key=lambda a: a.date
    )
    if not own or own[-1].relief_percent is None or own[-1].relief_percent >= relief_needed:
        return None
    latest = own[-1]
    return (
        f"Not offered now: RFA was tried on this joint on {latest.date.isoformat()} and gave "
        f"{latest.relief_percent:g}% relief, less than the {relief_needed:g}% that counts as helping. "
        "So it is not offered again."
    )


def _excluded(unit: UnitAssessment, value_sets: Mapping[str, ValueSet]) -> dict[str, str]:
    """Each option an exclusion flag of this joint excludes, with what was found and why it is not on the table."""
    found: dict[str, list[str]] = {}
    for flag in unit.flags:
        value_set_id = flag.code.removeprefix("exclusion-")
        if not flag.code.startswith("exclusion-") or value_set_id not in value_sets:
            continue
        value_set = value_sets[value_set_id]
        for kind in value_set.excludes:
            found.setdefault(OPTION_OF_PROCEDURE[kind], []).append(EXCLUSION_WORDS.get(flag.code, value_set.title))
    return {
        key: f"Not offered: your records show {' and '.join(what)}. The sources this care pathway follows do not "
        f"put {PROCEDURE_WORDS[key]} forward for people with this, so {PROCEDURE_WORDS[key]} is not part of this "
        "decision. Your care team can tell you more, and you can still ask them about it."
        for key, what in found.items()
    }


def choose_options(
    unit: UnitAssessment,
    ablations: Sequence[RadiofrequencyAblation],
    relief_needed: float,
    value_sets: Mapping[str, ValueSet] | None = None,
) -> Choice:
    """The options this joint's stage allows, less those its record argues against or an exclusion excludes;
    wait and see always stays."""
    allowed = STAGE_OPTIONS[unit.stage]
    reasons: dict[str, str] = {} if "fusion" in allowed else {"fusion": _not_at_this_stage(unit)}
    reasons |= _excluded(unit, value_sets or {})
    if STEROID_FLAGS & {flag.code for flag in unit.flags}:
        reasons["repeat-injections"] = STEROID_WORDS
    failed = _failed_ablation(unit, ablations, relief_needed)
    if failed:
        reasons["rfa"] = failed
    order = ("wait-and-see", "repeat-injections", "rfa", "fusion")
    return Choice(
        offered=tuple(key for key in allowed if key not in reasons),
        not_offered=tuple((key, reasons[key]) for key in order if key in reasons),
    )
