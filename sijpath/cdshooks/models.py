"""The CDS Hooks request and feedback bodies as pydantic models: unknown fields ignored, anything else malformed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from sijpath.errors import InputError, Problem
from sijpath.limits import check_json

__all__ = [
    "AcceptedSuggestion",
    "BundleEntry",
    "CdsRequest",
    "Coding",
    "Context",
    "DraftOrders",
    "FeedbackItem",
    "FeedbackRequest",
    "FhirAuthorization",
    "OverrideReason",
    "parse",
]

Text = Annotated[str, Field(min_length=1, max_length=1000)]
Url = Annotated[str, Field(pattern=r"^https?://[^\s/?#]+[^\s]*$", max_length=2000)]
ModelT = TypeVar("ModelT", bound=BaseModel)


class Wire(BaseModel):
    """A JSON object on the wire: fields this version does not know (`extension`, 3.0 additions) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class FhirAuthorization(Wire):
    """The access token for `fhirServer`; it is a secret: never logged, never stored, never shown in errors."""

    access_token: SecretStr = Field(min_length=1)
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class BundleEntry(Wire):
    fullUrl: str | None = None
    resource: dict[str, Any] | None = None


class DraftOrders(Wire):
    """`context.draftOrders`: a Bundle of the orders being selected or signed; real clients often omit `type`."""

    resourceType: Literal["Bundle"]
    type: str | None = None
    entry: tuple[BundleEntry, ...] = ()


class Context(Wire):
    """The hook context; every hook's own fields are optional here and checked by the service that reads them."""

    userId: Text | None = None
    patientId: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    encounterId: Text | None = None
    draftOrders: DraftOrders | None = None
    selections: tuple[Text, ...] | None = None


class CdsRequest(Wire):
    """POST {baseUrl}/cds-services/{id}: one hook invocation."""

    hook: Annotated[str, Field(min_length=1, max_length=100)]
    hookInstance: Annotated[str, Field(min_length=1, max_length=200)]
    fhirServer: Url | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: Context
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_for_the_token(self) -> CdsRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization is given without fhirServer")
        return self


class Coding(Wire):
    """A coded reason; `display` is optional on the way in (real clients leave it out)."""

    system: str | None = None
    code: Annotated[str, Field(min_length=1, max_length=200)]
    display: str | None = None


class OverrideReason(Wire):
    reason: Coding | None = None
    userComment: Annotated[str, Field(max_length=4000)] | None = None


class AcceptedSuggestion(Wire):
    id: Annotated[str, Field(min_length=1, max_length=200)]


class FeedbackItem(Wire):
    """What the clinician did with one card."""

    card: Annotated[str, Field(min_length=1, max_length=64)]
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: tuple[AcceptedSuggestion, ...] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: dt.datetime

    @model_validator(mode="after")
    def _accepted_names_its_suggestions(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("an accepted card must list acceptedSuggestions")
        return self

    @property
    def timestamp(self) -> str:
        """The outcome time in UTC with microseconds: the same instant always gives the same text."""
        moment = self.outcomeTimestamp
        moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
        return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


class FeedbackRequest(Wire):
    """POST {baseUrl}/cds-services/{id}/feedback."""

    feedback: tuple[FeedbackItem, ...]


def parse(model: type[ModelT], body: bytes, what: str) -> ModelT:
    """Validate a JSON body; every problem is reported by location and message, never by the value sent."""
    check_json(body, what)
    try:
        document = orjson.loads(body)  # then validating the objects is faster than pydantic's own JSON parsing
    except orjson.JSONDecodeError:
        raise InputError(f"the {what} is not valid JSON") from None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(part) for part in error["loc"]), error["msg"])
            for error in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        raise InputError(f"the {what} is not valid", problems) from None
