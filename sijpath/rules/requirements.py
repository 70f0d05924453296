"""What a procedure request needs under a rule set, and the document or measurement that would settle each gap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sijpath.engine.assessment import Assessment, Criterion
from sijpath.engine.ruleset import RuleSet
from sijpath.rules.surgery import FUSION_GATES

__all__ = ["PROCEDURES", "REMEDIES", "Gap", "Requirement", "gaps", "requirements"]

ProcedureKind = Literal["fusion", "ablation", "injection"]
Needed = Literal["met", "not-met"]

# CPT/HCPCS code → (short name, kind). Names paraphrase the descriptors in the reference notes.
PROCEDURES: dict[str, tuple[str, ProcedureKind]] = {
    "27279": ("minimally invasive SI-joint arthrodesis with a transfixing device", "fusion"),
    "27280": ("open SI-joint arthrodesis", "fusion"),
    "27278": ("percutaneous SI-joint arthrodesis without a transfixation device", "fusion"),
    "64625": ("radiofrequency ablation of the nerves innervating the SI joint", "ablation"),
    "64451": ("injection of the nerves innervating the SI joint", "injection"),
    "27096": ("image-guided SI-joint injection", "injection"),
    "G0260": ("SI-joint injection (ASC/OPPS)", "injection"),
}

CONFIRMED: tuple[tuple[str, Needed], ...] = (
    ("sij-pain-presentation", "met"),
    ("diagnostic-block-confirms-sij", "met"),
    ("comparative-blocks", "met"),
    ("repeat-block-fails-to-confirm", "not-met"),
)
INJECTIONS_FAILED: tuple[tuple[str, Needed], ...] = (("injection-relief-lasting", "not-met"),)

# What settles a criterion that is not (yet) as a request needs it.
REMEDIES: dict[str, str] = {
    "sij-pain-presentation": "documentation that the pain lies below L5 and does not radiate below the knee",
    "pain-duration": "a documented pain onset at least the required number of months before the request",
    "provocation-cluster": "a documented examination with the required number of provocation tests reproducing "
    "the familiar pain",
    "fortin-point": "a documented positive Fortin finger test",
    "diagnostic-block-confirms-sij": "image-guided, anesthetic-only block(s) meeting the rule set's technique, "
    "with pre- and post-block scores showing the required relief, as many as it requires",
    "comparative-blocks": "a second positive block of the same joint with an anesthetic of different duration",
    "repeat-block-fails-to-confirm": "none: a repeat block did not confirm the SI joint; other pain sources come first",
    "diagnostic-block-limit": "none: the limit of diagnostic sessions is reached",
    "injection-relief-lasting": "documentation that therapeutic injections no longer give lasting relief",
    "rfa-candidate": "a confirmed SI joint and therapeutic injections that failed to give lasting relief",
    "conservative-care-before-injection": "documented conservative care for the required number of weeks",
    "conservative-care-duration": "documentation of continuous non-surgical care for the required months",
    "conservative-care-components": "records of each required component of non-surgical care",
    "imaging-structural-change": "a recent CT or MRI report describing joint space widening, subchondral change or "
    "joint disruption",
    "imaging-triad": "reports of SI-joint CT or MRI, an AP pelvis radiograph and lumbar CT or MRI that exclude "
    "other causes",
    "imaging-recency": "a CT or MRI of the SI joint within the required number of months",
    "injection-count-limit": "none now: the yearly number of injections is reached; wait until an injection falls "
    "out of the rolling 12 months",
    "functional-impairment": "a current ODI score, or documentation of limits on work and daily activities",
    "pain-severity": "a current pain score at or above the required level",
    "nicotine-free": "documented never-smoker status, or a cotinine level at or under the limit",
    "no-fusion-contraindication": "a documented review finding no generalized pain disorder, infection, tumor or "
    "inflammatory arthropathy",
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """A criterion a request needs, and the status it needs (`met`, or `not-met` for e.g. lasting relief)."""

    criterion_id: str
    needed: Needed


@dataclass(frozen=True, slots=True)
class Gap:
    """A requirement the record does not (yet) satisfy, and what would settle it."""

    criterion: Criterion
    needed: Needed

    @property
    def settle(self) -> list[str]:
        if self.criterion.status == "unknown" and self.criterion.missing:
            return list(self.criterion.missing)
        return [REMEDIES.get(self.criterion.id, "documentation that meets this criterion")]

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {
            "criterion": c.id,
            "title": c.title,
            "status": c.status,
            "needed": self.needed,
            "summary": c.summary,
            "settle": self.settle,
        }


def requirements(procedure: str, ruleset: RuleSet[Any]) -> list[Requirement]:
    """The enabled criteria a request for `procedure` needs under `ruleset`, in the rule set's order."""
    if procedure not in PROCEDURES:
        raise ValueError(f"unknown procedure code {procedure!r} (known: {', '.join(PROCEDURES)})")
    kind = PROCEDURES[procedure][1]
    wanted: list[tuple[str, Needed]]
    if kind == "fusion":
        wanted = [*CONFIRMED, *INJECTIONS_FAILED]
        wanted += [(gate, "met") for gate in FUSION_GATES]
    elif kind == "ablation":
        wanted = [*CONFIRMED, *INJECTIONS_FAILED, ("rfa-candidate", "met")]
    else:
        indications = {
            *ruleset.indications.get("diagnostic-block", ()),
            *ruleset.indications.get("therapeutic-injection", ()),
        }
        wanted = [("sij-pain-presentation", "met")]
        wanted += [(indication, "met") for indication in sorted(indications) if indication != "sij-pain-presentation"]
        wanted.append(("diagnostic-block-limit", "met"))
    enabled = {rule.id for rule in ruleset.criteria}
    return [Requirement(c, needed) for c, needed in wanted if c in enabled]


def gaps(assessment: Assessment, ruleset: RuleSet[Any], procedure: str) -> list[Gap]:
    """Every requirement of `procedure` the assessment does not show as needed."""
    found = []
    for requirement in requirements(procedure, ruleset):
        try:
            criterion = assessment.criterion(requirement.criterion_id)
        except KeyError:
            # Not evaluated at the patient's stage (after a fusion only post-fusion rules run): never a pass.
            rule = next(r for r in ruleset.criteria if r.id == requirement.criterion_id)
            criterion = Criterion(
                rule.id,
                rule.title,
                rule.stage,
                rule.role,
                "unknown",
                f"not assessed at the patient's current stage ({assessment.stage})",
                (),
                (f"{rule.title.lower()}, assessed at the current stage",),
                (),
            )
        if criterion.status != requirement.needed:
            found.append(Gap(criterion, requirement.needed))
    return found
