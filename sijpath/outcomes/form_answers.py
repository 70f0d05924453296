"""Form fields (staff entry form, patient link page) as an outcome entry: text turned into numbers, blanks left out.

Only the conversion lives here; the ranges and rules are the entry's own (`entries.parse_entry`), so a form can
never accept what an API call or a FHIR import would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sijpath.outcomes.eq5d import EQ5D_DIMENSIONS
from sijpath.outcomes.odi import ODI_SECTIONS

__all__ = ["EQ5D_FIELDS", "ODI_FIELDS", "entry_from_form"]

ODI_FIELDS = tuple(f"odi_{i + 1}" for i in range(len(ODI_SECTIONS)))
EQ5D_FIELDS = tuple(f"eq5d_{d}" for d in EQ5D_DIMENSIONS)
_WHOLE = re.compile(r"-?\d{1,6}")
_DECIMAL = re.compile(r"-?\d{1,6}(\.\d{1,4})?")
_CHOICES = ("satisfaction", "ct_bridging")
_TEXT = ("complication",)
_YES_NO = ("opioid_use", "working", "revision", "readmission")


def _whole(text: str) -> Any:
    # Not a whole number: passed on as text, so validation names the field ("Input should be a valid integer").
    return int(text) if _WHOLE.fullmatch(text) else text


def _decimal(text: str) -> Any:
    return float(text) if _DECIMAL.fullmatch(text) else text


def entry_from_form(fields: Mapping[str, str], *, with_date: bool = True) -> dict[str, Any]:
    """The entry a form describes: every non-blank field, typed; a section group counts only when one of its
    fields is filled (an ODI with blanks keeps them as unanswered sections)."""
    value = {k: v.strip() for k, v in fields.items() if isinstance(v, str)}
    entry: dict[str, Any] = {}
    if with_date and value.get("measured_on"):
        entry["measured_on"] = value["measured_on"]
    for name in ("nrs_back", "nrs_leg", "eq5d_vas"):
        if value.get(name):
            entry[name] = _whole(value[name])
    for name in ("odi_total", "mme_per_day"):
        if value.get(name):
            entry[name] = _decimal(value[name])
    if any(value.get(f) for f in ODI_FIELDS):
        entry["odi_items"] = [_whole(value[f]) if value.get(f) else None for f in ODI_FIELDS]
    if any(value.get(f) for f in EQ5D_FIELDS):
        # A dimension left blank is sent as 0, which validation refuses by name: EQ-5D-5L needs all five.
        entry["eq5d"] = [_whole(value[f]) if value.get(f) else 0 for f in EQ5D_FIELDS]
    for name in _YES_NO:
        if value.get(name) in ("yes", "no"):
            entry[name] = value[name] == "yes"
        elif value.get(name):
            entry[name] = value[name]  # validation names it: not true or false
    for name in (*_CHOICES, *_TEXT):
        if value.get(name):
            entry[name] = value[name]
    return entry
