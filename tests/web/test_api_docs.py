"""The API reference at /api/docs: served by the app itself, every operation and schema, nothing from elsewhere."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sijpath.web.api_docs import type_text
from sijpath.web.app import CSP


def test_the_reference_lists_every_operation_of_the_openapi_document(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()

    page = client.get("/api/docs")

    assert page.status_code == 200
    for path, item in spec["paths"].items():
        for method in item:
            assert f"<code>{method.upper()} {path}</code>" in page.text
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page.text


def test_the_reference_loads_nothing_from_another_site_and_keeps_the_strict_csp(client: TestClient) -> None:
    page = client.get("/api/docs")

    assert page.headers["content-security-policy"] == CSP
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert "<script" not in page.text


def test_schema_types_read_as_words() -> None:
    assert type_text({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}) == "string (date) or null"
    assert type_text({"type": "array", "items": {"$ref": "#/components/schemas/WorklistPatient"}}) == (
        "array of WorklistPatient"
    )
    assert type_text({"type": "object", "additionalProperties": {"type": "string"}}) == "object of string"
