"""Which therapeutic injections count as the image-guided injections a rule set accepts (fusion trial, before RFA)."""

from __future__ import annotations

from dataclasses import dataclass

from sijpath.domain.injections import InjectionReading
from sijpath.pathway import thresholds as th
from sijpath.pathway.facts import JointFacts

__all__ = ["GuidedInjections", "accepted_guidance", "guided_injections"]


def accepted_guidance(guidance: str, accepted: set[str]) -> bool:
    """Whether an injection's recorded guidance is one the rule set accepts (`fluoroscopy-or-ct`, all a CPT 27096
    claim says, only when both would do: it does not say which)."""
    if guidance == "fluoroscopy-or-ct":
        return {"fluoroscopy", "ct"} <= accepted
    return guidance in accepted


@dataclass(frozen=True, slots=True)
class GuidedInjections:
    """This joint's injections read for the history before RFA: the latest with accepted guidance, and why the
    others after it do not count (`unguided`: recorded with other guidance; `unrecorded`: guidance not recorded)."""

    latest: InjectionReading | None
    unguided: tuple[InjectionReading, ...]
    unrecorded: tuple[InjectionReading, ...]
    accepted: str

    def listed(self) -> str:
        """The injections not counted, each with why ('' when every injection counts)."""
        parts = [f"{r.injection.date} ({_guidance_text(r.injection.guidance)})" for r in self.unguided]
        parts += [f"{r.injection.date} (guidance not recorded)" for r in self.unrecorded]
        return ", ".join(parts)

    def note(self) -> str:
        """The injections not counted and why, as a clause ('' when every injection counts)."""
        listed = self.listed()
        return f"; not counted as failed image-guided injections ({self.accepted}): {listed}" if listed else ""

    @property
    def none_guided(self) -> bool:
        """Injections are recorded, and each was given with guidance the rule set does not accept (none of
        unrecorded guidance, which may have been accepted)."""
        return self.latest is None and bool(self.unguided) and not self.unrecorded

    def missing(self) -> tuple[str, ...]:
        return tuple(
            f"whether the therapeutic injection of {r.injection.date} was image-guided ({self.accepted})"
            for r in self.unrecorded
        )


def guided_injections(j: JointFacts) -> GuidedInjections:
    """The latest injection of this joint with guidance the rule set accepts; those after it, set aside. An
    injection given blind (or under guidance the rule set does not accept) is not the image-guided injection the
    sources mean; one whose guidance is not recorded is not known to be."""
    accepted = set(j.t[th.ACCEPTED_BLOCK_GUIDANCE_MODALITIES])
    latest = None
    after: list[InjectionReading] = []
    for reading in j.injections:
        guidance = reading.injection.guidance
        if guidance is not None and accepted_guidance(guidance, accepted):
            latest, after = reading, []
        else:
            after.append(reading)
    return GuidedInjections(
        latest,
        tuple(r for r in after if r.injection.guidance is not None),
        tuple(r for r in after if r.injection.guidance is None),
        " or ".join(sorted(accepted)),
    )


def _guidance_text(guidance: str | None) -> str:
    return "no image guidance" if guidance == "none" else f"{guidance} guidance"
