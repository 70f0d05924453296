"""Writing resources as a Bulk Data export: one NDJSON file per resource type, references made relative."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

__all__ = ["bundle_resources", "write_export"]


def bundle_resources(bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A Bundle's resources with every `urn:uuid:` reference to an entry rewritten as `Type/id`, as an export has."""
    names: dict[str, str] = {}
    resources: list[dict[str, Any]] = []
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        if entry.get("fullUrl"):
            names[entry["fullUrl"]] = f"{resource['resourceType']}/{resource['id']}"
        resources.append(resource)
    return [_relative(resource, names) for resource in resources]


def _relative(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (names.get(v, v) if k == "reference" and isinstance(v, str) else _relative(v, names))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_relative(v, names) for v in value]
    return value


def write_export(folder: Path, resources: Iterable[Mapping[str, Any]], parts: int = 1) -> list[Path]:
    """Write resources as `<Type>.ndjson` (or `<Type>.<n>.ndjson` over `parts` files, round robin) and a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    streams: dict[str, list[Any]] = {}
    counts: dict[str, int] = {}
    try:
        for resource in resources:
            kind = str(resource["resourceType"])
            if kind not in streams:
                names = [f"{kind}.ndjson"] if parts == 1 else [f"{kind}.{n:03d}.ndjson" for n in range(parts)]
                streams[kind] = [(folder / name).open("wb") for name in names]
            n = counts.get(kind, 0)
            counts[kind] = n + 1
            streams[kind][n % len(streams[kind])].write(orjson.dumps(resource) + b"\n")
    finally:
        for handles in streams.values():
            for handle in handles:
                handle.close()
    files = sorted(Path(h.name) for handles in streams.values() for h in handles)
    output = [{"type": p.name.split(".")[0], "url": p.name} for p in files]
    manifest = {"transactionTime": "synthetic", "requiresAccessToken": False, "output": output, "error": []}
    (folder / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return files
