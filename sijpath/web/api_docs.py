"""The API's reference page at /api/docs, rendered on the server from the OpenAPI document (no CDN, no script)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sijpath.web.pages import templates

__all__ = ["router", "type_text"]

router = APIRouter(include_in_schema=False)
_METHODS = ("get", "post", "put", "patch", "delete")


def type_text(schema: dict[str, Any] | bool) -> str:
    """A JSON Schema in a few words: `string (date)`, `array of WorklistPatient`, `integer or null`."""
    if isinstance(schema, bool):  # `true`: anything goes; `false`: nothing does
        return "any" if schema else "nothing"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_text(part) for part in schema["anyOf"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"array of {type_text(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {type_text(schema['additionalProperties'])}"
    if "enum" in schema:
        return f"{kind}: one of {', '.join(map(str, schema['enum']))}"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": type_text(p.get("schema", {})),
                            "description": p.get("description", p.get("schema", {}).get("description", "")),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": [(media, type_text(content.get("schema", {}))) for media, content in body.items()],
                    "responses": [
                        (code, r.get("description", ""), _response_type(r)) for code, r in op["responses"].items()
                    ],
                }
            )
    return operations


def _response_type(response: dict[str, Any]) -> str:
    content = response.get("content", {})
    return ", ".join(type_text(c.get("schema", {})) for c in content.values() if c.get("schema"))


def _schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = spec.get("components", {}).get("schemas", {})
    return [
        {
            "name": name,
            "description": schema.get("description", ""),
            "fields": [
                (field, type_text(sub), field in schema.get("required", ()), sub.get("description", ""))
                for field, sub in schema.get("properties", {}).items()
            ],
        }
        for name, schema in sorted(found.items())
    ]


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()  # FastAPI builds it once and keeps it
    context = {"spec": spec, "operations": _operations(spec), "schemas": _schemas(spec), "who": None}
    return templates.TemplateResponse(request, "api_docs.html", context)
