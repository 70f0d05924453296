"""Composition root of the running service: settings, the database, and the web app with the CDS Hooks service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine

from sijpath.cdshooks.app import create_cds_app, with_cds_hooks
from sijpath.cdshooks.service import CdsService, create_service
from sijpath.domain.document import problems_from_validation
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import UnknownRuleSetError, UsageError
from sijpath.outcomes.eq5d import Eq5dValueSet, parse_value_set
from sijpath.outcomes.local_results import MINIMUM_N_SOURCE
from sijpath.outcomes.responders import THRESHOLDS
from sijpath.settings import Settings
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.database import connect, require_current_schema
from sijpath.web.app import create_app
from sijpath.web.services import App
from sijpath.wiring import builtin_ruleset_ids, load_catalog, load_episode, load_published_results, load_ruleset
from sijpath.wiring.decision_aids import cached_local_results, registry_decision_aids
from sijpath.wiring.letters import DocumentLetters
from sijpath.wiring.practice import practice_from
from sijpath.wiring.proxies import ClientAddress
from sijpath.wiring.request_limits import RequestSizeLimit

__all__ = [
    "SETTINGS_VARIABLE",
    "App",
    "Settings",
    "cds_service",
    "load_eq5d_value_set",
    "open_database",
    "seed_examples",
    "served_from_environment",
    "server_app",
    "settings_from",
    "settle_collector",
    "web_services",
]


def settings_from(environ: Mapping[str, str], **overrides: Any) -> Settings:
    """Settings from `SIJPATH_*` variables, then command-line overrides (None means not given)."""
    values: dict[str, Any] = {}
    for name, variable in (
        ("data_dir", "SIJPATH_DATA_DIR"),
        ("database_url", "SIJPATH_DATABASE_URL"),
        ("default_ruleset", "SIJPATH_RULESET"),
        ("session_idle_minutes", "SIJPATH_SESSION_IDLE_MINUTES"),
        ("session_max_hours", "SIJPATH_SESSION_MAX_HOURS"),
        ("max_request_mb", "SIJPATH_MAX_REQUEST_MB"),
        ("trusted_proxies", "SIJPATH_TRUSTED_PROXIES"),
        ("cds_fhir_servers", "SIJPATH_CDS_FHIR_SERVERS"),
        ("cds_allow_http_fhir_server", "SIJPATH_CDS_ALLOW_HTTP_FHIR_SERVER"),
        ("cds_base_url", "SIJPATH_CDS_BASE_URL"),
        ("cds_trusted_issuers", "SIJPATH_CDS_ISSUERS"),
        ("cds_development_mode", "SIJPATH_CDS_DEVELOPMENT_MODE"),
        ("cds_ruleset", "SIJPATH_CDS_RULESET"),
        ("cds_fhir_timeout_seconds", "SIJPATH_CDS_FHIR_TIMEOUT"),
        ("web_app_url", "SIJPATH_WEB_APP_URL"),
        ("eq5d_value_set", "SIJPATH_EQ5D_VALUE_SET"),
        ("payer_rulesets", "SIJPATH_PAYER_RULESETS"),
    ):
        if environ.get(variable):
            values[name] = environ[variable]
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.setdefault("practice", practice_from(environ))
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise UsageError("settings are not valid", problems_from_validation(exc)) from None


def open_database(settings: Settings, *, require_current: bool = True) -> Engine:
    """The database engine; with `require_current`, refuse a schema that is behind this sijpath."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = connect(settings.url)
    if require_current:
        require_current_schema(engine, settings.url)
    return engine


def web_services(settings: Settings, engine: Engine, now: Callable[[], dt.datetime] | None = None) -> App:
    """The services of the web app (and later the CDS Hooks service) over a database."""

    known = tuple(builtin_ruleset_ids())
    for payer, ids in settings.payer_rulesets.items():
        if not ids or set(ids) - set(known):
            raise UsageError(f"payer_rulesets: {payer[:80]} names no rule set or one not built in ({', '.join(ids)})")

    def ruleset(ruleset_id: str, as_of: dt.date, contractor: str | None = None) -> RuleSet:
        # Built-in ids only: `load_ruleset` also reads files, which a request must never choose.
        if ruleset_id not in known:
            raise UnknownRuleSetError(f"no rule set `{ruleset_id[:80]}` (built-in: {', '.join(known)})")
        return load_ruleset(ruleset_id, as_of, contractor or None)

    clock = now or (lambda: dt.datetime.now(dt.UTC))
    published = load_published_results()
    catalog = load_catalog()
    cited = {r.source for r in published} | {t.source for t in THRESHOLDS} | {MINIMUM_N_SOURCE}
    figures = cached_local_results(engine, clock)
    return App(
        engine,
        settings,
        ruleset,
        known,
        clock,
        published,
        {s: catalog[s].label() for s in cited},
        registry_decision_aids(engine, clock, figures),
        letters=DocumentLetters(),
        local_results=figures,
        eq5d_value_set=load_eq5d_value_set(settings.eq5d_value_set),
    )


def load_eq5d_value_set(path: Path | None) -> Eq5dValueSet | None:
    """The configured EQ-5D-5L value set, read once at start-up: a file that cannot be read or used stops it."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"eq5d_value_set: cannot read {path} ({getattr(exc, 'strerror', None) or exc})") from None
    return parse_value_set(text, str(path))


def cds_service(settings: Settings, engine: Engine, now: Callable[[], dt.datetime] | None = None) -> CdsService:
    """The CDS Hooks service over a database; its rule set is loaded here, so one that cannot be used stops start-up."""
    load_ruleset(settings.cds_ruleset_id)
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    return create_service(settings, engine, load_ruleset, clock)


def server_app(services: App, cds: CdsService) -> Any:
    """What `sijpath serve` runs: the CDS Hooks service at /cds-services beside the web app, behind the two edges
    every request passes: the real client address (trusted proxies only) and the one request-size limit."""
    settings = services.settings
    apps = with_cds_hooks(create_cds_app(cds), create_app(services))
    return ClientAddress(RequestSizeLimit(apps, settings.max_request_bytes), settings.proxy_networks)


SETTINGS_VARIABLE = "SIJPATH_SERVE_SETTINGS"  # the settings `sijpath serve` hands its worker processes, as JSON


def served_from_environment() -> Any:
    """The app of one worker process of `sijpath serve --workers N`, from the settings its parent checked."""
    import os

    settings = Settings.model_validate_json(os.environ[SETTINGS_VARIABLE])
    engine = open_database(settings)
    app = server_app(web_services(settings, engine), cds_service(settings, engine))
    settle_collector()
    return app


def settle_collector() -> None:
    """What start-up loaded (rule sets, catalog, code) stays out of every garbage collection, and the youngest
    generation is collected every 10,000 allocations rather than 700: a request allocates thousands of objects
    that reference counting frees anyway, so the default made several collections per CDS call (~5% of its CPU)
    for almost no garbage. Memory stays bounded: the soak test holds."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def seed_examples(services: App, examples: Path) -> int:
    """Load the example patients into an empty database (the demo's first run); returns how many."""
    with services.engine.connect() as connection:
        if store.patient_count(connection):
            return 0
    system = User("sijpath-demo-seed", "admin")
    files = sorted(examples.glob("*.yaml"))
    for path in files:
        services.save(system, load_episode(path), None, "localhost", action="seed")
    return len(files)
