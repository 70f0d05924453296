"""Browser fixtures: the web app served over HTTP on a free localhost port, and a headless Debian Chromium.

The server runs uvicorn in a thread over a temporary SQLite database holding the example patients, with a
fixed clock (2026-11-01) so pages assessed "today" give the same answers on every run. The users are the
demo clinician (`sijpath serve --demo`'s login) and one user for each other role.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from sijpath import wiring
from sijpath.cli.server import DEMO_PASSWORD, DEMO_USER
from sijpath.settings import Settings
from sijpath.store.accounts import add_user
from sijpath.store.database import transaction, upgrade

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"  # the password of every user but the demo clinician
OTHER_ROLES = ("staff", "admin", "auditor")
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
TABLET: ViewportSize = {"width": 820, "height": 1180}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a running sijpath web app (as `sijpath serve --demo --insecure-http` sets it up)."""
    from sijpath.web.app import create_app

    data_dir = tmp_path_factory.mktemp("sijpath-data")
    settings = Settings(data_dir=data_dir, secure_cookies=False, demo_login=(DEMO_USER, DEMO_PASSWORD))
    upgrade(wiring.open_database(settings, require_current=False))
    engine = wiring.open_database(settings)
    services = wiring.web_services(settings, engine, lambda: NOW)
    assert wiring.seed_examples(services, EXAMPLES) > 0
    with transaction(engine) as connection:
        add_user(connection, DEMO_USER, DEMO_PASSWORD, "clinician", NOW)
        for role in OTHER_ROLES:
            add_user(connection, role, PASSWORD, role, NOW)

    port = _free_port()
    config = uvicorn.Config(create_app(services), host="127.0.0.1", port=port, access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sijpath-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the test server did not start on port {port}")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (installed by `.ci/run`), headless, driven by Playwright; no browser download."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip(f"no chromium binary at {CHROMIUM} or on PATH (apt-get install chromium)")
    executable = str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored); CI keeps the folder as test artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport=LAPTOP)`: a page in a fresh browser context (no cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(viewport: ViewportSize = LAPTOP) -> Page:
        context = browser.new_context(base_url=base_url, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def no_console_errors() -> Iterator[list[str]]:
    """Fail a test whose pages logged a browser error (a script error, a style or image the CSP blocked) or
    failed to load a subresource (a missing stylesheet). Error statuses of the pages themselves are each
    test's business, and so is Chromium's own request for /favicon.ico, which the app does not serve."""
    errors: list[str] = []
    yield errors
    assert errors == []
