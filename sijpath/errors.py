"""The one tree of sijpath errors; callers map it to exit codes (cli) and HTTP statuses (web) in one place each.

    SijpathError
    ├── InputError                  a file or document sijpath cannot use
    │   ├── UnreadableInputError    not JSON/YAML/TOML at all, or not found
    │   ├── EpisodeValidationError  parsed, but the episode does not fit the schema
    │   ├── FhirDocumentError       parsed, but not a FHIR R4 Bundle or NDJSON export sijpath can read
    │   ├── OutcomeEntryError       an outcome entry or index procedure with out-of-range or impossible values
    │   └── RequestTooLargeError    a request body over the configured limit (HTTP 413)
    ├── RuleSetError                a rule-set file or id that cannot be used
    │   ├── RuleSetValidationError  unknown keys, rule ids, units or sources
    │   └── UnknownRuleSetError     no rule set with that id
    ├── UsageError                  a request that cannot be carried out as asked (e.g. one rule set twice)
    ├── StoreError                  the database cannot serve the request
    │   ├── SchemaBehindError       the database schema is older than this sijpath (run `sijpath db upgrade`)
    │   ├── NotFoundError           no such patient, user or record
    │   └── ConflictError           someone else changed the record since it was read (optimistic concurrency)
    ├── AccessError                 not signed in, or the role may not do this
    │   └── AuthenticationError     a caller's credentials (a CDS client's JWT) cannot be verified
    ├── DataUnavailableError        the data a decision needs can be got neither from the request nor its source
    ├── EvidenceCatalogError        the evidence catalog has unknown or duplicate ids
    └── RequestNotSupportedError    a letter was asked for what the record does not (yet) support

Problems *in the clinical data* of an otherwise valid episode are not errors: they become
`DataIssue`s on the assessment, so one implausible fact never aborts a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BulkExportError",
    "ConflictError",
    "DataUnavailableError",
    "EpisodeValidationError",
    "EvidenceCatalogError",
    "FhirDocumentError",
    "InputError",
    "NotFoundError",
    "OutcomeEntryError",
    "Problem",
    "RequestNotSupportedError",
    "RequestTooLargeError",
    "RuleSetError",
    "RuleSetValidationError",
    "SchemaBehindError",
    "SijpathError",
    "StoreError",
    "UnknownRuleSetError",
    "UnreadableInputError",
    "UsageError",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located by a field path (`diagnostic_blocks[0].post_block_nrs`)."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class SijpathError(Exception):
    """Base of every error sijpath raises on purpose."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  - {problem}" for problem in self.problems)]
        return "\n".join(lines)


class InputError(SijpathError):
    """An input file or document that sijpath cannot use."""


class UnreadableInputError(InputError):
    """The input is missing, or is not well-formed JSON, YAML or TOML."""


class EpisodeValidationError(InputError):
    """The document parsed, but does not describe a valid episode; `problems` name each field."""


class FhirDocumentError(InputError):
    """The input parsed, but is not a FHIR R4 Bundle or bulk-data NDJSON export that sijpath can read."""


class OutcomeEntryError(InputError):
    """An outcome entry or index procedure that cannot be stored as given; `problems` name each field. Nothing of
    it was stored."""


class RequestTooLargeError(InputError):
    """A request body over the server's limit (`max_request_mb`); nothing of it was used."""


class RuleSetError(SijpathError):
    """A rule set that cannot be loaded or used."""


class RuleSetValidationError(RuleSetError):
    """A rule-set file with unknown keys, unknown rule ids, unknown sources or wrong units."""


class UnknownRuleSetError(RuleSetError):
    """No rule set is known under the requested id."""


class EvidenceCatalogError(SijpathError):
    """The evidence catalog references an unknown source or defines one twice."""


class RequestNotSupportedError(SijpathError):
    """A medical-necessity letter was requested, but criteria are unmet or unknown; `problems` lists each gap."""


class UsageError(SijpathError):
    """A request that cannot be carried out as asked, such as comparing a rule set with itself."""


class StoreError(SijpathError):
    """The database cannot serve the request."""


class SchemaBehindError(StoreError):
    """The database schema is older than this version of sijpath; `sijpath db upgrade` brings it up to date."""


class NotFoundError(StoreError):
    """No patient, user or record under the requested key."""


class ConflictError(StoreError):
    """The record changed since the caller read it; nothing was written, reload and re-apply the change."""


class AccessError(SijpathError):
    """Not signed in, or signed in with a role that may not do this."""


class AuthenticationError(AccessError):
    """The caller's credentials (a CDS client's signed JWT) are missing, invalid, expired or replayed."""


class BulkExportError(SijpathError):
    """A FHIR server's Bulk Data export (or its token endpoint) refused or failed; the message names the step, the
    HTTP status and what the server's OperationOutcome says."""


class DataUnavailableError(SijpathError):
    """The data a decision needs was neither sent with the request nor obtainable from its source (CDS Hooks 412)."""
