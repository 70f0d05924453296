"""One hook invocation: the orders that concern us, the patient's data, the assessment, the cards, the audit."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import ssl
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import Engine

from sijpath.cdshooks.cards import CardContext, no_data_card, pathway_cards
from sijpath.cdshooks.discovery import PREFETCH, Service
from sijpath.cdshooks.feedback import issued
from sijpath.cdshooks.fetch import FhirServer
from sijpath.cdshooks.fhir_servers import check_fhir_server
from sijpath.cdshooks.models import CdsRequest
from sijpath.cdshooks.orders import Order, order_card, procedure_orders
from sijpath.cdshooks.prefetch import Gathered, gather
from sijpath.cdshooks.security import Caller, Verifier
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import DataUnavailableError, UsageError
from sijpath.fhir.bundle import group_by_patient
from sijpath.pathway.assess import evaluate
from sijpath.settings import Settings
from sijpath.store import audit, replays
from sijpath.store.database import transaction
from sijpath.store.feedback import record_issued

__all__ = ["CdsService", "Invocation", "RulesetLoader", "actor", "create_service"]

log = logging.getLogger("sijpath.cdshooks")

RulesetLoader = Callable[[str, dt.date], RuleSet]
T = TypeVar("T")


@dataclass
class Invocation:
    """What one call produced, for the response and the audit trail."""

    cards: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    ruleset: str = ""
    data: str = ""
    ruleset_id: str = ""
    ruleset_version: str = ""


@dataclass
class CdsService:
    """The CDS service over a store and a rule set; `now` is the one clock and `transport` reaches fhirServer
    (tests pass a mock one)."""

    engine: Engine
    settings: Settings
    load_ruleset: RulesetLoader
    now: Callable[[], dt.datetime]
    verifier: Verifier
    transport: httpx.AsyncBaseTransport | None = None
    _rulesets: dict[dt.date, RuleSet] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tls: ssl.SSLContext | None = field(default=None, repr=False)
    _replay_checks: int = field(default=0, repr=False)
    _worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="sijpath-cds"), repr=False
    )

    async def write(self, work: Callable[[], T]) -> T:
        """Run database work one call at a time, in arrival order, so calls never wait on each other for the write
        lock (SQLite's busy wait is what makes long tails). SQLite lives in this process: its work is CPU and runs
        on the event loop (a thread would only add contention for the GIL). A database over the network is I/O:
        its work goes to one writer thread, and the loop goes on with other calls meanwhile."""
        if self.engine.dialect.name == "sqlite":
            return work()
        return await asyncio.get_running_loop().run_in_executor(self._worker, work)

    async def first_use(self, issuer: str, jti: str, keep_until: float, now: float) -> bool:
        """The replay check in the database, which every server process shares (a token works once, whichever
        worker it reaches); expired jtis are forgotten every few hundred calls."""

        def check() -> bool:
            moment = dt.datetime.fromtimestamp(now, dt.UTC)
            with transaction(self.engine) as connection:
                self._replay_checks += 1
                if self._replay_checks % 256 == 0:
                    replays.prune(connection, moment)
                return replays.first_use(connection, issuer, jti, dt.datetime.fromtimestamp(keep_until, dt.UTC), moment)

        return await self.write(check)

    def http(self) -> httpx.AsyncClient:
        """A client for one call's fetches: time-limited, no redirects, no cookies kept, no proxy from the
        environment (the access token goes to fhirServer and nowhere else)."""
        if self._tls is None and self.transport is None:
            self._tls = httpx.create_ssl_context()
        return httpx.AsyncClient(
            transport=self.transport,
            verify=self._tls or True,
            timeout=httpx.Timeout(self.settings.cds_fhir_timeout_seconds),
            follow_redirects=False,
            trust_env=False,
        )

    def ruleset(self, day: dt.date) -> RuleSet:
        """The configured rule set in the version in force on `day`, loaded once per day."""
        with self._lock:
            if day not in self._rulesets:
                if len(self._rulesets) > 7:
                    self._rulesets.clear()
                self._rulesets[day] = self.load_ruleset(self.settings.cds_ruleset_id, day)
            return self._rulesets[day]

    async def invoke(
        self, service: Service, request: CdsRequest, caller: Caller
    ) -> tuple[Invocation, Gathered | None, list[Order]]:
        """The asynchronous part: which orders concern us, and the patient's data (prefetched or fetched)."""
        if request.hook not in service.hooks:
            return Invocation(note=f"hook {request.hook} is not one this service answers"), None, []
        orders: list[Order] = []
        if service.kind == "procedure-order":
            orders = procedure_orders(request.context, request.hook)
            if not orders:
                return Invocation(note="no SI-joint procedure order"), None, []
        if request.context.patientId is None:
            return Invocation(note="no context.patientId"), None, []
        clients: list[httpx.AsyncClient] = []

        def server() -> FhirServer | None:
            if request.fhirServer is None:
                return None
            check_fhir_server(self.settings, caller.issuer, request.fhirServer)
            clients.append(self.http())
            auth = request.fhirAuthorization
            return FhirServer(
                clients[-1],
                request.fhirServer,
                auth.access_token.get_secret_value() if auth else None,
                max_bytes=self.settings.cds_fhir_max_response_mb * 1024 * 1024,
                max_resources=self.settings.cds_fhir_max_resources,
            )

        try:
            # One deadline for all fetching: the per-read timeout alone lets a slow server drip for minutes.
            async with asyncio.timeout(self.settings.cds_fhir_timeout_seconds * 3):
                gathered = await gather(PREFETCH, request.prefetch, request.context, server)
        except TimeoutError:
            raise DataUnavailableError("fhirServer did not deliver the data in time") from None
        finally:
            for client in clients:
                await client.aclose()
        return Invocation(), gathered, orders

    def assess(self, service: Service, request: CdsRequest, gathered: Gathered, orders: Sequence[Order]) -> Invocation:
        """Read the patient's record, assess it under the rule set, and make the cards (all CPU: run on the loop)."""
        patient_id = request.context.patientId
        assert patient_id is not None
        groups = group_by_patient([r for r, _ in gathered.entries], [u for _, u in gathered.entries])
        day = self.now().astimezone().date()  # the server's local day, as in the web app
        ruleset = self.ruleset(day)
        ctx = CardContext(service.id, request.hookInstance, patient_id, ruleset, self.settings.web_app_url)
        received = groups.patients.get(patient_id, [])
        if all(resource.get("resourceType") == "Patient" for resource in received):
            # Nothing clinical arrived: an assessment of the empty record would read like a new referral.
            if service.kind == "pathway":
                cards = [no_data_card(ctx, "SI-joint pathway")]
            else:
                cards = [
                    no_data_card(ctx, f"CPT {o.code}", f"no-data\x1f{o.reference or ''}\x1f{o.code}", "warning")
                    for o in orders
                ]
            named = f"{ruleset.id}@{ruleset.version}"
            return Invocation(cards, "no clinical data received", named, gathered.summary, ruleset.id, ruleset.version)
        imported = groups.read(patient_id)
        assessment = evaluate(imported.episode, ruleset, day, imported.issues)
        if service.kind == "pathway":
            cards = pathway_cards(ctx, assessment)
        else:
            cards = [order_card(ctx, assessment, order) for order in orders]
        return Invocation(cards, "", f"{ruleset.id}@{ruleset.version}", gathered.summary, ruleset.id, ruleset.version)

    def remember(self, service: Service, request: CdsRequest, outcome: Invocation, caller: Caller, remote: str) -> None:
        """Keep the cards (for feedback) and audit the call, in one transaction."""
        with transaction(self.engine) as connection:
            record_issued(
                connection,
                service_id=service.id,
                ruleset_id=outcome.ruleset_id,
                cards=issued(outcome.cards, request, outcome.ruleset_version),
                at=self.now(),
            )
            self._audit(
                connection,
                service.id,
                request.hook,
                request.hookInstance,
                request.context.patientId,
                caller,
                200,
                outcome,
                remote,
            )

    def audit_call(
        self,
        service_id: str,
        hook: str,
        hook_instance: str,
        patient_id: str | None,
        caller: Caller,
        status: int,
        outcome: Invocation,
        remote: str = "",
    ) -> None:
        """Audit a call that made no cards (an error, or nothing to say)."""
        with transaction(self.engine) as connection:
            self._audit(connection, service_id, hook, hook_instance, patient_id, caller, status, outcome, remote)

    def _audit(
        self,
        connection: Any,
        service_id: str,
        hook: str,
        hook_instance: str,
        patient_id: str | None,
        caller: Caller,
        status: int,
        outcome: Invocation,
        remote: str = "",
    ) -> None:
        parts = [
            f"service={service_id}",
            f"hook={hook[:100]}",
            f"hookInstance={hook_instance[:200]}",
            f"status={status}",
            f"cards={','.join(c['uuid'] for c in outcome.cards) or 'none'}",
        ]
        parts += [f"ruleset={outcome.ruleset}"] if outcome.ruleset else []
        parts += [f"data={outcome.data}"] if outcome.data else []
        parts += [f"jti={caller.jti[:200]}"] if caller.jti else []
        parts += [f"tenant={caller.tenant[:200]}"] if caller.tenant else []
        parts += [f"note={outcome.note}"] if outcome.note else []
        audit.record(
            connection,
            actor=actor(caller.issuer),
            action="cds-hooks",
            patient_id=patient_id,
            detail=" ".join(parts),
            remote=remote[:64],
            at=self.now(),
        )


def actor(issuer: str) -> str:
    """The audit actor for a CDS client: its issuer, shortened with a digest when over the column's 64 characters."""
    if len(issuer) <= 60:
        return f"cds:{issuer}"
    return f"cds:{issuer[:47]}~{hashlib.sha256(issuer.encode()).hexdigest()[:12]}"


def create_service(
    settings: Settings,
    engine: Engine,
    load_ruleset: RulesetLoader,
    now: Callable[[], dt.datetime],
    transport: httpx.AsyncBaseTransport | None = None,
) -> CdsService:
    """The service with its JWT verifier (which fetches issuers' JWKS through the same kind of client)."""
    if settings.cds_trusted_issuers and not settings.cds_base_url and not settings.cds_development_mode:
        # Without it the expected `aud` would come from the request's Host header, which the caller chooses: a
        # token minted for another service could be replayed here.
        raise UsageError("trusted CDS issuers need the public base URL the EHR calls (--cds-base-url)")
    made: list[CdsService] = []
    verifier = Verifier(
        settings.cds_trusted_issuers,
        lambda: made[0].http(),
        development=settings.cds_development_mode,
        first_use=lambda *token: made[0].first_use(*token),
    )
    made.append(CdsService(engine, settings, load_ruleset, now, verifier, transport))
    if not settings.cds_trusted_issuers and not settings.cds_development_mode:
        log.warning("CDS Hooks: no trusted issuers are configured, so every call will be refused (401)")
    return made[0]
