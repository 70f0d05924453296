"""Which resources can give the FHIR reader an SI-joint fact: a DuckDB test that errs only towards reading.

The screen reads in full every patient who has at least one resource this test calls relevant. For the others it
reads only their Patient resources: the reader would take no fact from the rest (so the patient is not assessed),
and what it could report about them (data issues) is not shown for a patient who is not assessed. The test follows
the reader (`fhir/reader.py`, `observations.py`, `procedures.py`) and says "relevant" whenever it cannot be sure:

- a line with no resource type, a Procedure, MedicationStatement or MedicationAdministration: always (any
  dated MedicationStatement is a course of medication; the other two the reader reads by many elements);
- an Observation: when `code.coding` names sijpath's own code system, or LOINC with a code the reader reads
  (pain score, ODI, smoking status); the reader skips any other Observation;
- a Condition: when it has a `recordedDate` or `onsetDateTime` and `code.coding` names ICD-10-CM or SNOMED CT or
  a `category` names sijpath's own code system; an undated Condition or one in another code system is skipped;
- a DiagnosticReport: when `code.coding` names sijpath's own code system (the imaging-* codes);
- any of these three when `code.coding` (or `category`) is there but not a list: relevant, the reader decides;
- every other resource type (Encounter, MedicationRequest, Practitioner, ...): never (the reader reads none).

DuckDB's JSON functions compare the unescaped strings, as the reader does (`"http:\\/\\/loinc.org"` is LOINC).
tests/screening/test_relevance.py holds every patient the full reader assesses (or cannot read) to the test.
"""

from __future__ import annotations

from sijpath.fhir.vocabulary import ICD10CM, LOINC, LOINC_ODI_SCORE, LOINC_PAIN_NRS, LOINC_SMOKING_STATUS, OWN, SNOMED

__all__ = ["FRAGMENTS", "RELEVANT_RESOURCE"]


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_text(v) for v in values) + "]"


def _not_a_list(fragment: str) -> str:
    return f"coalesce(json_type({fragment}), 'ARRAY') <> 'ARRAY'"


# The scan parses each line once into the fragments it needs (`scan.KEYED_SELECT`); these name them.
_KIND, _CODING, _CATEGORY, _RECORDED, _ONSET = "(j[1] ->> '$')", "j[5]", "j[6]", "j[7]", "j[8]"
FRAGMENTS = ("$.code.coding", "$.category", "$.recordedDate", "$.onsetDateTime")
"""The paths (after resourceType, id, subject.reference, patient.reference) whose fragments the test reads."""


def _strings(fragment: str, path: str) -> str:
    """The strings at `path` in a fragment; none when the element is absent (as on the whole line)."""
    return f"coalesce(json_extract_string({fragment}, '{path}'), []::VARCHAR[])"


_CODE_SYSTEMS = _strings(_CODING, "$[*].system")
_CODES = _strings(_CODING, "$[*].code")
_CATEGORY_SYSTEMS = _strings(_CATEGORY, "$[*].coding[*].system")
_READ_LOINC = (LOINC_PAIN_NRS, LOINC_ODI_SCORE, LOINC_SMOKING_STATUS)

_OBSERVATION = (
    f"list_contains({_CODE_SYSTEMS}, {_text(OWN)})"
    f" OR (list_contains({_CODE_SYSTEMS}, {_text(LOINC)}) AND list_has_any({_CODES}, {_list(_READ_LOINC)}))"
    f" OR {_not_a_list(_CODING)}"
)
_CONDITION = (
    f"({_RECORDED} IS NOT NULL OR {_ONSET} IS NOT NULL)"
    f" AND (list_has_any({_CODE_SYSTEMS}, {_list((ICD10CM, SNOMED))})"
    f" OR list_contains({_CATEGORY_SYSTEMS}, {_text(OWN)})"
    f" OR {_not_a_list(_CODING)} OR {_not_a_list(_CATEGORY)})"
)
_REPORT = f"list_contains({_CODE_SYSTEMS}, {_text(OWN)}) OR {_not_a_list(_CODING)}"

RELEVANT_RESOURCE = f"""(CASE
    WHEN {_KIND} IS NULL OR {_KIND} IN ('Procedure', 'MedicationStatement', 'MedicationAdministration') THEN true
    WHEN {_KIND} = 'Observation' THEN coalesce({_OBSERVATION}, true)
    WHEN {_KIND} = 'Condition' THEN coalesce({_CONDITION}, true)
    WHEN {_KIND} = 'DiagnosticReport' THEN coalesce({_REPORT}, true)
    ELSE false
END)"""
"""A SQL expression over the line's fragments `j` (`scan.KEYED_SELECT`): can the reader take a fact from it."""
