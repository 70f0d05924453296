"""The practice a letter is written for (letterhead, ordering provider, NPI), from `SIJPATH_*` variables and options."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from sijpath.domain.document import problems_from_validation
from sijpath.errors import Problem, UsageError
from sijpath.settings import Practice

__all__ = ["PRACTICE_VARIABLES", "practice_from"]

# Each field of `Practice` and the variable that sets it; docs/deployment.md lists them.
PRACTICE_VARIABLES: dict[str, str] = {
    "name": "SIJPATH_PRACTICE_NAME",
    "address": "SIJPATH_PRACTICE_ADDRESS",
    "phone": "SIJPATH_PRACTICE_PHONE",
    "fax": "SIJPATH_PRACTICE_FAX",
    "provider": "SIJPATH_ORDERING_PROVIDER",
    "npi": "SIJPATH_ORDERING_PROVIDER_NPI",
}


def practice_from(environ: Mapping[str, str], **overrides: str | None) -> Practice:
    """The practice from the variables, then the options given (None means not given); a bad NPI is an error that
    names the variable, never a letter with a wrong number on it."""
    values = {name: environ[variable] for name, variable in PRACTICE_VARIABLES.items() if environ.get(variable)}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Practice.model_validate(values)
    except ValidationError as exc:
        problems = [
            Problem(f"{p.location} ({PRACTICE_VARIABLES[p.location]})", p.message)
            if p.location in PRACTICE_VARIABLES
            else p
            for p in problems_from_validation(exc)
        ]
        raise UsageError("the practice settings are not valid", problems) from None
