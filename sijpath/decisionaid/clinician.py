"""The aid's section for clinicians: billing codes with their coverage notes, the rule sets used, the licence and the
measured reading level, kept out of the patient's text so that text stays plain (IPDAS plain-language guidance)."""

from __future__ import annotations

from collections.abc import Mapping

from sijpath.engine.ruleset import CoverageStatement

__all__ = ["CLINICIAN_HEADING", "LICENCE", "clinician_lines", "code_note"]

CLINICIAN_HEADING = "## For clinicians"
LICENCE = "sijpath is open-source software under the Apache-2.0 licence."
STATUS_WORDS = {
    "covered": "covered under this rule set, if its conditions are met",
    "not-covered": "not covered under this rule set",
    "not-addressed": "not addressed by this rule set",
}


def code_note(code: str | None, coverage: Mapping[str, CoverageStatement]) -> str:
    """The option's CPT/HCPCS code and what the rule set says about it, with its note; empty for no procedure."""
    if code is None:
        return ""
    statement = coverage.get(code)
    if statement is None:
        return f"code {code}: not known, this rule set says nothing about it."
    note = f" ({statement.note})" if statement.note else ""
    return f"code {code}: {STATUS_WORDS.get(statement.status, statement.status)}{note}."


def clinician_lines(ruleset: str, codes: tuple[tuple[str, str], ...], reading: str) -> list[str]:
    """The clinician section: rule sets, each option's code and coverage, licence and the reading statistics."""
    return [
        CLINICIAN_HEADING,
        "",
        f"- Rule sets: {ruleset}.",
        *(f"- {name}: {note}" for name, note in codes if note),
        f"- Licence: {LICENCE}",
        f"- Reading level: {reading} in the patient text above; written for grade 8 or below (Flesch-Kincaid).",
        "",
    ]
