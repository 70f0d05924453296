"""Deployment settings: where the data lives, which rule set is the default, session limits, the CDS Hooks service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Settings"]


class Settings(BaseModel):
    """Read once by the composition root (from options and `SIJPATH_*` variables) and handed down; nothing
    below it reads the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    default_ruleset: str = "source-articles"
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    login_attempts_per_minute: int = Field(default=5, ge=1, le=1000)
    secure_cookies: bool = Field(default=True, description="Send cookies over HTTPS only (off for local HTTP).")
    demo_login: tuple[str, str] | None = Field(default=None, description="Shown on the login page in demo mode.")
    # The CDS Hooks service (docs/cds-hooks.md).
    cds_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="Public base URL of the service (JWT `aud` is this + the path); default: as the request came.",
    )
    cds_trusted_issuers: dict[str, str] = Field(
        default_factory=dict, description="JWT `iss` of each trusted CDS client → its JWKS (a file path or URL)."
    )
    cds_development_mode: bool = Field(
        default=False, description="Skip JWT verification (never in production; logged loudly at start-up)."
    )
    cds_ruleset: str | None = Field(default=None, description="Rule set the CDS service applies (default_ruleset).")
    cds_fhir_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Per request to fhirServer; three times this for all of a call's."
    )
    cds_allow_http_fhir_server: bool = Field(
        default=False,
        description="Send the access token to an http:// fhirServer (test EHRs only; real data needs TLS).",
    )
    cds_spec_version: Literal["2.0.1", "3.0.0"] = "2.0.1"
    cds_cors_origins: tuple[str, ...] = ("*",)
    web_app_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="Public URL of the web app, for links from CDS cards to a patient's page.",
    )

    @field_validator("cds_trusted_issuers", mode="before")
    @classmethod
    def _issuers_from_text(cls, value: Any) -> Any:
        """From a variable: a JSON object (`{"https://ehr.example/": "/etc/sijpath/ehr-jwks.json"}`)."""
        return json.loads(value) if isinstance(value, str) else value

    @property
    def cds_ruleset_id(self) -> str:
        return self.cds_ruleset or self.default_ruleset

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sijpath.db'}"

    @property
    def session_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)
