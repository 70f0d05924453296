"""Opioid exposure before any SI-joint procedure: the daily MME of current opioid courses against CDC 2022."""

from __future__ import annotations

from sijpath.domain.care import MedicationCourse
from sijpath.engine.results import Evidence, FlagResult
from sijpath.engine.rule import Flag, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway.facts import JointFacts

__all__ = ["OPIOID_DOSE_FLAG", "current_opioids"]


def current_opioids(j: JointFacts) -> list[MedicationCourse]:
    """Opioid courses running on the as-of date: started by then and not ended before it. An open-ended course
    counts however long ago it was confirmed: for a safety warning, unconfirmed is not the same as stopped."""
    return [
        m
        for m in j.episode.medications
        if m.drug_class == "opioid" and m.start_date <= j.as_of and (m.end_date is None or m.end_date >= j.as_of)
    ]


def opioid_dose(j: JointFacts, o: Outcomes | None = None) -> FlagResult | None:
    """Current daily MME at or above the CDC 2022 reassessment dose (and, if so, whether above the avoid dose)."""
    reassess = j.t[th.REASSESS_OPIOID_DOSE_MME_PER_DAY]
    avoid = j.t[th.AVOID_OPIOID_DOSE_MME_PER_DAY]
    courses = current_opioids(j)
    if not courses:
        return None
    dosed = [m for m in courses if m.daily_mme is not None]
    total = sum(m.daily_mme or 0.0 for m in dosed)
    undosed = len(courses) - len(dosed)

    def evidence() -> list[Evidence]:
        found = []
        for m in courses:
            dose = f"{m.daily_mme:g} MME/day" if m.daily_mme is not None else "dose (MME/day) not recorded"
            confirmed = f", last confirmed {m.last_confirmed}" if m.end_date is None and m.last_confirmed else ""
            found.append(
                Evidence(m.start_date, f"{m.drug or 'opioid'} since {m.start_date}{confirmed}: {dose}", j.where(m))
            )
        return found

    if total >= reassess:
        level = (
            f"at or above {avoid:g} MME/day, a dose the CDC 2022 guideline says to avoid or carefully justify"
            if total >= avoid
            else f"at or above {reassess:g} MME/day, where the CDC 2022 guideline advises reassessing benefit and risk"
        )
        unknown_part = f" ({undosed} more opioid course(s) without a recorded dose)" if undosed else ""
        # An open-ended course never confirmed since its start still warns (unconfirmed is not stopped), but the
        # message does not assert that it is current: it asks for the medicines to be reconciled.
        unconfirmed = [m for m in dosed if m.end_date is None and m.last_confirmed is None]
        if unconfirmed and len(unconfirmed) == len(dosed):
            known = ", ".join(f"{m.drug or 'opioid'} since {m.start_date}" for m in unconfirmed)
            lead = (
                f"opioids of {total:g} MME/day on record ({known}), never confirmed as still taken{unknown_part}: "
                f"reconcile the medicines; if current, {level}"
            )
        else:
            lead = f"current opioids total {total:g} MME/day{unknown_part}, {level}"
        return FlagResult("warning", f"{lead}; consider this before any procedure.", evidence)
    if undosed:
        return FlagResult(
            "info",
            f"{undosed} current opioid course(s) without a recorded daily dose: the MME cannot be compared with the "
            f"CDC 2022 thresholds ({reassess:g} and {avoid:g} MME/day); record the dose.",
            evidence,
        )
    return None


OPIOID_DOSE_FLAG = Flag[JointFacts](
    id="opioid-dose",
    title="Opioid dose at the CDC 2022 thresholds",
    code="opioid-dose-high",
    stage="diagnosis",
    cites=("cdc-2022-opioid-guideline",),
    check=opioid_dose,
    reads=(th.REASSESS_OPIOID_DOSE_MME_PER_DAY, th.AVOID_OPIOID_DOSE_MME_PER_DAY),
    shared=True,
)
