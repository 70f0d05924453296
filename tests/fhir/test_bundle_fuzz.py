"""Fuzzing the Bundle reader: any mangled example Bundle imports, or fails with a sijpath error; nothing else."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpath.errors import SijpathError
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.reader import ImportedEpisode
from tests.fhir.records import EXAMPLES, example_bundle

BUNDLES = {path.stem: example_bundle(path.stem) for path in EXAMPLES}
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Path = tuple[str | int, ...]

# What a broken record puts where a value belongs: other JSON types, numbers as text, impossible dates, dangling
# references, numbers too large for a double or for 64 bits, codes and code systems of other elements.
ODD_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            -3,
            1.5,
            1e308,
            2**70,
            "",
            "8",
            "2025",
            "2025-02-30",
            "2025-01-10T09:00:00",
            "2025-01-10T25:00:00Z",
            "Procedure/nope",
            "urn:uuid:00000000-0000-4000-8000-000000000000",
            # Codes and systems in the wrong place.
            "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
            "http://loinc.org",
            "27279",
            "72514-3",
            "wk",
        ]
    ),
    st.just({}),
    st.just([]),
    st.just([None]),
    st.just({"reference": "Patient/someone-else"}),
    st.just({"reference": "Procedure/gone"}),
    st.text(max_size=4),
)
ELEMENTS = st.sampled_from(["search", "request", "partOf", "subject", "id", "resource", "status", "valueQuantity"])


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(document: Any, data: st.DataObject) -> Any:
    """Drop a key, replace a value, truncate a list or string, or add an element, somewhere in the document."""
    path = data.draw(st.sampled_from(_paths(document)))
    operation = data.draw(st.sampled_from(["drop", "replace", "truncate", "add"]))
    if not path:
        # A copy: the odd values `{}` and `[]` are shared by every draw, and a later mutation of the returned
        # document would change them (Hypothesis then sees its data generation change between runs).
        return copy.deepcopy(data.draw(ODD_VALUES)) if operation == "replace" else document
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    key, value = path[-1], parent[path[-1]]
    if operation == "drop":
        del parent[key]
    elif operation == "replace":
        parent[key] = copy.deepcopy(data.draw(ODD_VALUES))
    elif operation == "truncate" and isinstance(value, list | str):
        parent[key] = value[: data.draw(st.integers(0, max(len(value) - 1, 0)))]
    elif operation == "add" and isinstance(value, dict):
        value[data.draw(ELEMENTS)] = copy.deepcopy(data.draw(ODD_VALUES))
    return document


@FUZZ
@given(st.sampled_from(sorted(BUNDLES)), st.data())
def test_a_mangled_bundle_imports_or_fails_with_a_sijpath_error_never_another_exception(
    name: str, data: st.DataObject
) -> None:
    document = copy.deepcopy(BUNDLES[name])
    for _ in range(data.draw(st.integers(1, 8))):
        document = _mutate(document, data)
    try:
        imported = import_bundle(json.dumps(document))
    except SijpathError:
        return
    assert all(isinstance(episode, ImportedEpisode) for episode in imported.values())
    assert all(isinstance(patient_id, str) and patient_id for patient_id in imported)
