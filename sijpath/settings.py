"""Deployment settings: the data, the default rule set, request and session limits, proxies, the CDS Hooks service."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["PAYER_RULESETS", "Practice", "Settings"]

# The payers sijpath ships a rule set for (docs/deployment.md, "Payers and rule sets"): Medicare's LCDs, the
# injection LCD first (the earlier and commoner request), and the combined strict commercial criteria.
PAYER_RULESETS: dict[str, tuple[str, ...]] = {
    "Medicare": ("cms-sij-injection", "cms-mis-fusion"),
    "Commercial (eviCore, BCBS Alabama, Ambetter)": ("commercial-strict",),
}


def npi_check_digit_holds(npi: str) -> bool:
    """The NPI's tenth digit is its Luhn check digit over the nine before it, prefixed 80840 (the card issuer
    prefix the NPI standard assigns); a mistyped NPI fails it."""
    total = 0
    for position, digit in enumerate(reversed("80840" + npi[:9])):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10 == int(npi[9])


class Practice(BaseModel):
    """The letterhead and the ordering provider a prior-authorization letter is signed for; each left unset is
    shown on a draft as missing, never filled in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, description="Practice name (letterhead).")
    address: str | None = Field(
        default=None, min_length=1, max_length=400, description="Postal address; lines separated by `;`."
    )
    phone: str | None = Field(default=None, min_length=1, max_length=40)
    fax: str | None = Field(default=None, min_length=1, max_length=40)
    provider: str | None = Field(
        default=None, min_length=1, max_length=200, description="Ordering provider, as they sign (name, degree)."
    )
    npi: str | None = Field(default=None, pattern=r"^\d{10}$", description="The ordering provider's 10-digit NPI.")

    @field_validator("npi")
    @classmethod
    def _npi_check_digit(cls, value: str | None) -> str | None:
        if value is not None and not npi_check_digit_holds(value):
            raise ValueError(f"NPI {value} fails its check digit (mistyped?)")
        return value

    @property
    def address_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in (self.address or "").split(";") if line.strip())


class Settings(BaseModel):
    """Read once by the composition root (from options and `SIJPATH_*` variables) and handed down; nothing
    below it reads the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    default_ruleset: str = "source-articles"
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(
        default=12, ge=1, le=7 * 24, description="A session ends this long after sign-in, however busy it is."
    )
    login_attempts_per_minute: int = Field(
        default=5, ge=1, le=1000, description="Failed sign-ins for one user name from one address, per minute."
    )
    login_failures_per_address_minute: int = Field(
        default=50, ge=1, le=10_000, description="Failed sign-ins from one address, any user name, per minute."
    )
    login_failures_per_user_minute: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Failed sign-ins for one user name from all addresses, per minute; past it, only addresses that "
        "have not failed for that name this minute may try (the right password from elsewhere still works).",
    )
    token_max_days: int = Field(default=365, ge=1, le=3650, description="Longest lifetime of an API token.")
    max_request_mb: int = Field(
        default=32, ge=1, le=1024, description="Largest request body on any route (413 beyond it)."
    )
    trusted_proxies: tuple[str, ...] = Field(
        default=(),
        description="Addresses or networks of reverse proxies whose X-Forwarded-For is believed (default: none).",
    )
    assessment_cache_dates: int = Field(
        default=32, ge=2, le=10_000, description="(rule set, as-of date) pairs whose assessments the store keeps."
    )
    secure_cookies: bool = Field(default=True, description="Send cookies over HTTPS only (off for local HTTP).")
    demo_login: tuple[str, str] | None = Field(default=None, description="Shown on the login page in demo mode.")
    # The CDS Hooks service (docs/cds-hooks.md).
    cds_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="Public base URL of the service (JWT `aud` is this + the path); default: as the request came.",
    )
    cds_trusted_issuers: dict[str, str] = Field(
        default_factory=dict,
        description="JWT `iss` of each trusted CDS client → its JWKS (a file path or an https:// URL).",
    )
    cds_fhir_servers: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Issuer → the fhirServer base URLs it may name (default: https on the issuer's own host).",
    )
    cds_fhir_max_response_mb: int = Field(
        default=16, ge=1, le=512, description="Largest answer sijpath reads from a fhirServer."
    )
    cds_fhir_max_resources: int = Field(
        default=20_000, ge=1, le=1_000_000, description="Most resources read from a fhirServer for one call."
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
        description="Allow an http:// fhirServer, JWTs still checked (test EHRs only; real data needs TLS).",
    )
    cds_spec_version: Literal["2.0.1", "3.0.0"] = "2.0.1"
    cds_cors_origins: tuple[str, ...] = ("*",)
    practice: Practice = Field(
        default_factory=Practice, description="Letterhead and ordering provider of prior-authorization letters."
    )
    eq5d_value_set: Path | None = Field(
        default=None,
        description="An EQ-5D-5L value set (TOML, docs/outcomes.md) the web app computes the index with; sijpath "
        "ships none (EuroQol's sets need a licence), and without one the index stays empty.",
    )
    payer_rulesets: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(PAYER_RULESETS),
        description="Payer (as chosen in a patient's coverage) → the built-in rule sets that speak for it, the first "
        "shown by default; a patient with another payer or none is shown under default_ruleset.",
    )
    web_app_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="Public URL of the web app, for links from CDS cards to a patient's page.",
    )

    @field_validator("cds_trusted_issuers", "cds_fhir_servers", "payer_rulesets", mode="before")
    @classmethod
    def _mapping_from_text(cls, value: Any) -> Any:
        """From a variable: a JSON object (`{"https://ehr.example/": "/etc/sijpath/ehr-jwks.json"}`)."""
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("cds_trusted_issuers")
    @classmethod
    def _jwks_over_tls_only(cls, value: dict[str, str]) -> dict[str, str]:
        for issuer, location in value.items():
            if "://" in location and not location.startswith("https://"):
                # A JWKS is the trust anchor: fetched in clear text, anyone on the path could swap in their keys.
                raise ValueError(f"the JWKS of {issuer} must be a file or an https:// URL, not {location[:80]}")
        return value

    @field_validator("cds_fhir_servers")
    @classmethod
    def _fhir_servers_are_urls(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for issuer, urls in value.items():
            for url in urls:
                if not url.startswith(("https://", "http://")) or "?" in url or "#" in url:
                    raise ValueError(f"the fhirServer {url[:80]!r} allowed for {issuer} is not an http(s) base URL")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies_from_text(cls, value: Any) -> Any:
        """From a variable: addresses or networks separated by commas (`10.0.0.5, 10.1.0.0/24`)."""
        return tuple(p.strip() for p in value.split(",") if p.strip()) if isinstance(value, str) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"trusted proxy {item[:80]!r} is not an IP address or network") from None
        return value

    @property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies)

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_mb * 1024 * 1024

    @property
    def session_lifetime(self) -> dt.timedelta:
        return dt.timedelta(hours=self.session_max_hours)

    @property
    def cds_ruleset_id(self) -> str:
        return self.cds_ruleset or self.default_ruleset

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sijpath.db'}"

    @property
    def session_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)
