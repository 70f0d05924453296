"""Which fhirServer a CDS client may send sijpath to: its issuer's allow-list, and https unless testing allows http.

The client's access token goes with every read, and sijpath connects wherever `fhirServer` points: left open, any
trusted client could make sijpath probe hosts and ports on its own network (loopback included) and read what
answers. So each issuer may name only the servers configured for it (`--cds-fhir-server ISS=URL`), by default
https on its own host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sijpath.cdshooks.security import DEVELOPMENT_CALLER
from sijpath.errors import DataUnavailableError
from sijpath.settings import Settings

__all__ = ["check_fhir_server"]


def check_fhir_server(settings: Settings, issuer: str, url: str) -> None:
    """DataUnavailableError (412, nothing fetched, no token sent) unless `issuer` may name `url` as its fhirServer."""
    try:
        _check(settings, issuer, url)
    except ValueError:  # a port that is no port (`https://ehr:99999`): urlsplit refuses it
        raise DataUnavailableError("fhirServer is not a URL sijpath can read from") from None


def _check(settings: Settings, issuer: str, url: str) -> None:
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.cds_allow_http_fhir_server else {"https"}
    if parts.scheme not in allowed_schemes:
        # The spec requires TLS with real data; the client's access token never goes out in clear text.
        raise DataUnavailableError("fhirServer is not an https:// URL; sijpath sends the access token only over TLS")
    listed = settings.cds_fhir_servers.get(issuer)
    if listed is not None:
        if not any(_under(url, base) for base in listed):
            raise DataUnavailableError("fhirServer is not one the client may name (see --cds-fhir-server)")
        return
    if issuer == DEVELOPMENT_CALLER and settings.cds_development_mode:
        return  # development mode trusts every caller; it says so at start-up
    issuer_host = urlsplit(issuer).hostname
    if issuer_host is None or parts.hostname != issuer_host:
        raise DataUnavailableError(
            "fhirServer is not on the client's own host; allow it with --cds-fhir-server ISS=URL"
        )


def _under(url: str, base: str) -> bool:
    """`url` is `base` or below it: same scheme, host and port, and its path starts at a segment boundary."""
    wanted, given = urlsplit(base.rstrip("/")), urlsplit(url.rstrip("/"))
    if (wanted.scheme, wanted.hostname, wanted.port) != (given.scheme, given.hostname, given.port):
        return False
    return given.path == wanted.path or given.path.startswith(wanted.path + "/")
