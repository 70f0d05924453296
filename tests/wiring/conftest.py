"""The served app (web and CDS Hooks behind wiring's edges) over a copy of the seeded web database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sijpath import wiring
from sijpath.settings import Settings
from tests.web.conftest import Clock
from tests.web.seeded import copy_services, seed_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_template(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def served(template: Path, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """`served(client=(address, port), **settings)`: a test client of the whole served app (`.engine` its database)."""
    clients: list[TestClient] = []
    generators = []

    def make(client: tuple[str, int] = ("127.0.0.1", 50000), **overrides: object) -> TestClient:
        folder = tmp_path / f"db{len(clients)}"
        folder.mkdir()
        generator = copy_services(template, folder, Clock())
        generators.append(generator)
        services = next(generator)
        settings = Settings.model_validate({**services.settings.model_dump(), "data_dir": folder, **overrides})
        services = wiring.web_services(settings, services.engine, Clock())
        app = wiring.server_app(services, wiring.cds_service(settings, services.engine))
        clients.append(TestClient(app, client=client, follow_redirects=False))
        clients[-1].engine = services.engine  # type: ignore[attr-defined]
        return clients[-1]

    yield make
    for test_client in clients:
        test_client.close()
    for generator in generators:
        generator.close()
