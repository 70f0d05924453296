"""The users page: accounts with their role and state, a role changed or an account disabled there, each audited."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from sijpath.store.tables import audit_log, users
from sijpath.web.services import App

SignIn = Callable[[str], TestClient]


def _role(services: App, username: str) -> str:
    with services.engine.connect() as connection:
        return str(connection.execute(select(users.c.role).where(users.c.username == username)).scalar_one())


def test_an_admin_changes_a_role_on_the_page_and_the_change_is_audited(sign_in: SignIn, services: App) -> None:
    admin = sign_in("admin")
    page = admin.get("/admin").text
    assert 'action="/admin/users/staff/role"' in page

    response = admin.post("/admin/users/staff/role", data={"csrf_token": admin.csrf, "role": "auditor"})

    assert response.status_code == 200  # followed to the admin page
    assert "Role changed" in response.text
    assert _role(services, "staff") == "auditor"
    with services.engine.connect() as connection:
        details = connection.execute(select(audit_log.c.detail).where(audit_log.c.action == "user-role")).scalars()
        assert "staff: staff → auditor" in list(details)


def test_an_unknown_role_is_refused_and_changes_nothing(sign_in: SignIn, services: App) -> None:
    admin = sign_in("admin")

    response = admin.post("/admin/users/staff/role", data={"csrf_token": admin.csrf, "role": "root"})

    assert response.status_code == 400
    assert "role &#39;root&#39; is not one of" in response.text
    assert _role(services, "staff") == "staff"


def test_the_last_active_admin_cannot_be_given_another_role(sign_in: SignIn, services: App) -> None:
    admin = sign_in("admin")

    response = admin.post("/admin/users/admin/role", data={"csrf_token": admin.csrf, "role": "staff"})

    assert response.status_code >= 400
    assert _role(services, "admin") == "admin"
