"""Typed models of the FHIR R4 elements sijpath reads; anything else in a resource is ignored, never guessed at."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

__all__ = [
    "CodeableConcept",
    "Coding",
    "Condition",
    "DiagnosticReport",
    "Dosage",
    "Extension",
    "FhirDate",
    "FhirDateTime",
    "HumanName",
    "Identifier",
    "MedicationAdministration",
    "MedicationStatement",
    "Observation",
    "ObservationComponent",
    "Patient",
    "Period",
    "Procedure",
    "Quantity",
    "Reference",
    "Resource",
    "calendar_date",
]


class Element(BaseModel):
    """A FHIR element: elements sijpath does not use are ignored; the ones it uses are strictly typed."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# FHIR R4 dateTime: a time, when present, must carry a zone (https://hl7.org/fhir/R4/datatypes.html#dateTime).
_DATE_TIME = re.compile(
    r"(?P<date>\d{4}(-\d{2}(-\d{2})?)?)"
    r"(?P<time>T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?"
)


def _check_date_time(text: str) -> str:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the common case, a plain day: no regex needed
        try:
            dt.date.fromisoformat(text)
            return text
        except ValueError:
            pass  # the full check below says what is wrong
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)")
    if match["time"] and not match["zone"]:
        raise ValueError(f"{text!r} has a time but no time zone (FHIR requires one, e.g. `Z` or `-05:00`)")
    _check_calendar(text, match["date"], match["time"])
    return text


def _check_date(text: str) -> str:
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"{text!r} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
    _check_calendar(text, text, None)
    return text


def _check_calendar(text: str, date: str, time: str | None) -> None:
    """The day (and time) must exist: `2025-02-30` and `T25:00` fit the pattern but name no moment."""
    try:
        if time:
            dt.datetime.fromisoformat(text)
        elif len(date) == 10:
            dt.date.fromisoformat(date)
        elif len(date) == 7:
            dt.date.fromisoformat(f"{date}-01")
    except ValueError:
        raise ValueError(f"{text!r} is not a day and time that exists") from None


FhirDateTime = Annotated[StrictStr, AfterValidator(_check_date_time)]
FhirDate = Annotated[StrictStr, AfterValidator(_check_date)]


def calendar_date(text: str) -> dt.date | None:
    """The calendar day a FHIR date or dateTime names, as written in its own time zone; None when only a year
    or month is given (too imprecise for a clinical timeline)."""
    if len(text) < 10:
        return None
    return dt.date.fromisoformat(text[:10])


class Coding(Element):
    system: StrictStr | None = None
    code: StrictStr | None = None
    display: StrictStr | None = None


class CodeableConcept(Element):
    coding: tuple[Coding, ...] = ()
    text: StrictStr | None = None

    def codes(self, system: str) -> tuple[str, ...]:
        """The codes of this concept in one code system."""
        return tuple(c.code for c in self.coding if c.system == system and c.code is not None)


class Reference(Element):
    reference: StrictStr | None = None
    display: StrictStr | None = None


class Quantity(Element):
    value: StrictFloat | None = None
    comparator: Literal["<", "<=", ">=", ">"] | None = None
    unit: StrictStr | None = None
    system: StrictStr | None = None
    code: StrictStr | None = None


class Period(Element):
    start: FhirDateTime | None = None
    end: FhirDateTime | None = None


class Extension(Element):
    url: StrictStr
    valueCode: StrictStr | None = None
    valueBoolean: StrictBool | None = None
    valueInteger: StrictInt | None = None
    valueDecimal: StrictFloat | None = None
    valueString: StrictStr | None = None
    valueDate: StrictStr | None = None
    valueCodeableConcept: CodeableConcept | None = None
    valueQuantity: Quantity | None = None
    valueDuration: Quantity | None = None


class Annotation(Element):
    text: StrictStr


class HumanName(Element):
    text: StrictStr | None = None
    family: StrictStr | None = None
    given: tuple[StrictStr, ...] = ()
    use: StrictStr | None = None

    def full(self) -> str | None:
        """The name as written (`text`), else the given names and the family name."""
        if self.text and self.text.strip():
            return self.text.strip()
        parts = [*self.given, *([self.family] if self.family else [])]
        return " ".join(p.strip() for p in parts if p.strip()) or None


class Identifier(Element):
    type: CodeableConcept | None = None
    system: StrictStr | None = None
    value: StrictStr | None = None


# The HL7 v2 identifier type of a health-plan member number (table 0203, code MB).
IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
MEMBER_NUMBER = "MB"


class Resource(Element):
    """What every resource sijpath reads has: a type, an id, and extensions."""

    resourceType: StrictStr
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")] | None = None
    extension: tuple[Extension, ...] = ()

    def extension_value(self, url: str) -> Extension | None:
        return next((e for e in self.extension if e.url == url), None)


class Patient(Resource):
    resourceType: Literal["Patient"]
    birthDate: FhirDate | None = None
    gender: Literal["male", "female", "other", "unknown"] | None = None
    name: tuple[HumanName, ...] = ()
    identifier: tuple[Identifier, ...] = ()


class Procedure(Resource):
    resourceType: Literal["Procedure"]
    status: StrictStr
    category: CodeableConcept | None = None
    code: CodeableConcept | None = None
    subject: Reference
    performedDateTime: FhirDateTime | None = None
    performedPeriod: Period | None = None
    bodySite: tuple[CodeableConcept, ...] = ()
    usedCode: tuple[CodeableConcept, ...] = ()


class ObservationComponent(Element):
    code: CodeableConcept
    valueQuantity: Quantity | None = None
    valueCodeableConcept: CodeableConcept | None = None
    valueBoolean: StrictBool | None = None
    valueInteger: StrictInt | None = None
    valueDateTime: FhirDateTime | None = None
    valueString: StrictStr | None = None


class Observation(Resource):
    resourceType: Literal["Observation"]
    status: StrictStr
    category: tuple[CodeableConcept, ...] = ()
    code: CodeableConcept
    subject: Reference | None = None
    partOf: tuple[Reference, ...] = ()
    effectiveDateTime: FhirDateTime | None = None
    effectivePeriod: Period | None = None
    valueQuantity: Quantity | None = None
    valueCodeableConcept: CodeableConcept | None = None
    valueBoolean: StrictBool | None = None
    valueInteger: StrictInt | None = None
    valueDateTime: FhirDateTime | None = None
    valueString: StrictStr | None = None
    bodySite: CodeableConcept | None = None
    note: tuple[Annotation, ...] = ()
    component: tuple[ObservationComponent, ...] = ()


class Condition(Resource):
    resourceType: Literal["Condition"]
    clinicalStatus: CodeableConcept | None = None
    verificationStatus: CodeableConcept | None = None
    category: tuple[CodeableConcept, ...] = ()
    code: CodeableConcept | None = None
    subject: Reference
    onsetDateTime: FhirDateTime | None = None
    recordedDate: FhirDateTime | None = None
    note: tuple[Annotation, ...] = ()


class Dosage(Element):
    dose: Quantity | None = None
    extension: tuple[Extension, ...] = ()


class MedicationAdministration(Resource):
    resourceType: Literal["MedicationAdministration"]
    status: StrictStr
    medicationCodeableConcept: CodeableConcept | None = None
    subject: Reference
    partOf: tuple[Reference, ...] = ()
    effectiveDateTime: FhirDateTime | None = None
    effectivePeriod: Period | None = None
    dosage: Dosage | None = None


class MedicationStatement(Resource):
    resourceType: Literal["MedicationStatement"]
    status: StrictStr
    medicationCodeableConcept: CodeableConcept | None = None
    subject: Reference
    effectiveDateTime: FhirDateTime | None = None
    effectivePeriod: Period | None = None
    dateAsserted: FhirDateTime | None = None


class DiagnosticReport(Resource):
    resourceType: Literal["DiagnosticReport"]
    status: StrictStr
    category: tuple[CodeableConcept, ...] = ()
    code: CodeableConcept
    subject: Reference | None = None
    effectiveDateTime: FhirDateTime | None = None
    effectivePeriod: Period | None = None
    conclusionCode: tuple[CodeableConcept, ...] = ()
