"""A test EHR: signs JWTs with its own ES384 and RS384 keys, builds hook requests with full, partial, null, absent
and error prefetch, and plays the FHIR server the service reads from."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.testclient import TestClient

from sijpath.cdshooks.discovery import PREFETCH

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "fhir"
# The CDS Hooks 2.0.1 and Da Vinci CRD examples, copied verbatim with their provenance (fixtures/*/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FHIR_BASE = "https://ehr.example.org/fhir"
JWKS_URL = "https://ehr.example.org/.well-known/jwks.json"
TOKEN = "secret-access-token-4f1c9e"  # the FHIR access token: must never reach a log
KEY_OF_TYPE = {
    "Patient": "patient",
    "Procedure": "procedures",
    "Observation": "observations",
    "Condition": "conditions",
    "MedicationAdministration": "medicationAdministrations",
    "MedicationStatement": "medicationStatements",
    "DiagnosticReport": "diagnosticReports",
}
TYPE_OF_KEY = {v: k for k, v in KEY_OF_TYPE.items()}
OPERATION_OUTCOME = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}


@dataclass(frozen=True)
class SigningKey:
    """A client key pair; `jwks` is what the client publishes."""

    alg: str
    kid: str
    private: Any

    @classmethod
    def generate(cls, alg: str) -> SigningKey:
        private = ec.generate_private_key(ec.SECP384R1()) if alg == "ES384" else rsa.generate_private_key(65537, 2048)
        return cls(alg, f"test-{alg.lower()}-{uuid.uuid4().hex[:8]}", private)

    @property
    def jwks(self) -> dict[str, Any]:
        to_jwk = ECAlgorithm.to_jwk if self.alg == "ES384" else RSAAlgorithm.to_jwk
        public = to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": self.alg, "use": "sig"}]}


@dataclass
class Ehr:
    """The CDS client: every call carries a fresh JWT for the exact URL it calls."""

    client: TestClient
    issuer: str
    key: SigningKey
    base: str = "http://testserver"

    def token(self, aud: str | list[str], *, header: Mapping[str, Any] | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
        payload.update(claims)
        headers = {"kid": self.key.kid, "typ": "JWT", **(header or {})}
        return jwt.encode(payload, self.key.private, algorithm=self.key.alg, headers=headers)

    def auth(self, path: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(self.base + path, **claims)}"}

    def discover(self) -> httpx.Response:
        return self.client.get("/cds-services", headers=self.auth("/cds-services"))

    def call(self, service_id: str, body: Any, *, headers: Mapping[str, str] | None = None) -> httpx.Response:
        path = f"/cds-services/{service_id}"
        sent = dict(headers) if headers is not None else self.auth(path)
        if isinstance(body, bytes | str):
            return self.client.post(path, content=body, headers={**sent, "Content-Type": "application/json"})
        return self.client.post(path, json=body, headers=sent)

    def feedback(self, service_id: str, items: list[dict[str, Any]] | Any) -> httpx.Response:
        path = f"/cds-services/{service_id}/feedback"
        body = {"feedback": items} if isinstance(items, list) else items
        return self.client.post(path, json=body, headers=self.auth(path))


@dataclass
class Record:
    """One patient's FHIR record (an example Bundle, references made relative as a FHIR server returns them)."""

    patient_id: str
    resources: list[dict[str, Any]]

    @classmethod
    def example(cls, name: str) -> Record:
        bundle = json.loads((EXAMPLES / f"{name}.json").read_text())
        text = json.dumps(bundle)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            text = text.replace(entry["fullUrl"], f"{resource['resourceType']}/{resource['id']}")
        resources = [e["resource"] for e in json.loads(text)["entry"]]
        return cls(next(r["id"] for r in resources if r["resourceType"] == "Patient"), resources)

    @property
    def pain_side(self) -> str | None:
        """The side of the pain the record gives (the example patients each hurt on one side)."""
        for resource in self.resources:
            for component in resource.get("component", []):
                if any(c.get("code") == "pain-laterality" for c in component["code"]["coding"]):
                    code: str = component["valueCodeableConcept"]["coding"][0]["code"]
                    return code.removesuffix("-sij")
        return None

    def renamed(self, patient_id: str) -> Record:
        """The same record under another patient id (as the spec's and CRD's examples name their patients)."""
        text = json.dumps(self.resources).replace(f'"Patient/{self.patient_id}"', f'"Patient/{patient_id}"')
        resources = json.loads(text)
        for resource in resources:
            if resource["resourceType"] == "Patient":
                resource["id"] = patient_id
        return Record(patient_id, resources)

    def of_key(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["resourceType"] == TYPE_OF_KEY[key]]

    def prefetch(self, mode: str = "full", keys: Iterable[str] = ()) -> dict[str, Any] | None:
        """full: every key; partial: all but `keys`; null: every key null; absent: none; error: `keys` hold an
        OperationOutcome."""
        if mode == "absent":
            return None
        chosen = set(keys)
        out: dict[str, Any] = {}
        for key in PREFETCH:
            if mode == "null":
                out[key] = None
            elif mode == "partial" and key in chosen:
                continue
            elif mode == "error" and key in chosen:
                out[key] = copy.deepcopy(OPERATION_OUTCOME)
            elif key == "patient":
                out[key] = next(iter(self.of_key(key)), None)
            else:
                out[key] = searchset(self.of_key(key))
        return out


def searchset(resources: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"{FHIR_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }
    if next_url:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


def hook_request(
    hook: str,
    patient_id: str | None,
    prefetch: dict[str, Any] | None = None,
    *,
    fhir: bool = False,
    draft_orders: list[dict[str, Any]] | None = None,
    selections: list[str] | None = None,
    bundle_type: str | None = None,
) -> dict[str, Any]:
    """A hook request as an EHR sends it; `fhir` adds fhirServer and fhirAuthorization."""
    context: dict[str, Any] = {"userId": "Practitioner/dr-jones"}
    if patient_id is not None:
        context["patientId"] = patient_id
    if draft_orders is not None:
        orders: dict[str, Any] = {"resourceType": "Bundle", "entry": [{"resource": o} for o in draft_orders]}
        if bundle_type:
            orders["type"] = bundle_type
        context["draftOrders"] = orders
    if selections is not None:
        context["selections"] = selections
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir:
        body["fhirServer"] = FHIR_BASE
        body["fhirAuthorization"] = {
            "access_token": TOKEN,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "sijpath",
            "patient": patient_id,
        }
    return body


def order(
    code: str,
    patient_id: str,
    rid: str = "sr-1",
    system: str = "http://www.ama-assn.org/go/cpt",
    side: str | None = None,
) -> dict[str, Any]:
    """A draft order; with `side`, its bodySite names the joint (as an EHR's laterality field does)."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    if side is not None:
        resource["bodySite"] = [{"text": f"{side} sacroiliac joint"}]
    return resource


@dataclass
class FakeFhir:
    """The EHR's FHIR server (and its JWKS endpoint), behind an httpx mock transport; `fail` maps a resource type
    to a status (or `timeout`), `page_size` splits searches into pages."""

    records: dict[str, Record] = field(default_factory=dict)
    jwks: dict[str, Any] | None = None
    base: str = FHIR_BASE
    token: str = TOKEN
    fail: dict[str, int | str] = field(default_factory=dict)
    page_size: int | None = None
    seen: list[httpx.Request] = field(default_factory=list)

    def add(self, record: Record) -> Record:
        self.records[record.patient_id] = record
        return record

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        url = str(request.url)
        if url == JWKS_URL and self.jwks is not None:
            return httpx.Response(200, json=self.jwks)
        if not url.startswith(self.base + "/"):
            raise httpx.ConnectError("no route to host", request=request)
        parts = urlsplit(url)
        path = parts.path.removeprefix(urlsplit(self.base).path + "/")
        kind = path.split("/")[0]
        failure = self.fail.get(kind)
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if failure is not None:
            return httpx.Response(int(failure), json=OPERATION_OUTCOME)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return httpx.Response(401)
        if "/" in path:
            rid = path.split("/")[1]
            found = [
                r
                for rec in self.records.values()
                for r in rec.resources
                if r["resourceType"] == kind and r["id"] == rid
            ]
            return httpx.Response(200, json=found[0]) if found else httpx.Response(404, json=OPERATION_OUTCOME)
        query = parse_qs(parts.query)
        record = self.records.get(query.get("patient", [""])[0])
        matches = [r for r in record.resources if r["resourceType"] == kind] if record else []
        offset = int(query.get("_offset", ["0"])[0])
        if self.page_size is None:
            return httpx.Response(200, json=searchset(matches))
        page = matches[offset : offset + self.page_size]
        more = offset + self.page_size < len(matches)
        following = f"{self.base}/{kind}?patient={query['patient'][0]}&_offset={offset + self.page_size}"
        return httpx.Response(200, json=searchset(page, following if more else None))
