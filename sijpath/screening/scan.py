"""The scan of a Bulk Data export with DuckDB: declared columns, every resource's JSON grouped by patient, on disk."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb
import orjson

from sijpath.errors import FhirDocumentError, UnreadableInputError
from sijpath.fhir.reader import MODELS
from sijpath.screening.relevance import FRAGMENTS, RELEVANT_RESOURCE
from sijpath.screening.resource_types import R4_RESOURCE_TYPES
from sijpath.screening.rows import IssueRow

__all__ = [
    "BAD_LINES_SHOWN",
    "KEYED_SELECT",
    "MEMORY_CEILING",
    "Export",
    "PatientResources",
    "Scan",
    "bad_line_rows",
    "find_export",
    "line_problem",
    "scan_export",
    "type_issue_rows",
]

# DuckDB's own ceiling; past it the sort spills to a temporary folder, so an export of any size fits.
MEMORY_CEILING = "1GB"
_FETCH = 5_000
BAD_LINES_SHOWN = 100
# The patient a resource is about: Patient.id, else subject or patient naming `Patient/<id>` (relative or absolute).
# One parse of each line gives every fragment the scan needs (a list of paths), not one parse per key; `->> '$'` is
# a fragment's string value, as `json_extract_string` gives it.
KEYED_SELECT = r"""
SELECT filename AS file, j[1] ->> '$' AS kind, j[2] ->> '$' AS id,
    CASE WHEN j[1] ->> '$' = 'Patient'
            THEN (CASE WHEN regexp_full_match(j[2] ->> '$', '[A-Za-z0-9\-.]{1,64}') THEN j[2] ->> '$' END)
         ELSE nullif(regexp_extract(coalesce(j[3] ->> '$', j[4] ->> '$'),
            '(?:^|/)Patient/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$', 1), '')
    END AS patient,
    RELEVANT AS relevant,
    json AS resource
FROM (
    SELECT filename, json, json_extract(json, PATHS) AS j
    FROM read_json($files, format = 'newline_delimited', records = false, columns = {'json': 'JSON'},
                   ignore_errors = true, filename = true)
)
"""
_PATHS = ("$.resourceType", "$.id", "$.subject.reference", "$.patient.reference", *FRAGMENTS)
KEYED_SELECT = KEYED_SELECT.replace("RELEVANT", RELEVANT_RESOURCE).replace(
    "PATHS", "[" + ", ".join(f"'{p}'" for p in _PATHS) + "]"
)
_KEYED = "CREATE TABLE keyed AS " + KEYED_SELECT


@dataclass(frozen=True, slots=True)
class Export:
    """A Bulk Data export folder: its NDJSON files, and what its manifest lists that is not there."""

    folder: Path
    files: tuple[Path, ...]
    issues: tuple[IssueRow, ...]


PatientResources = tuple[str, list[str], int]
"""One patient's id, the JSON text of their resources (sorted by type, id and text) and how many resources the export
holds about them: fewer texts than that when the patient has no SI-joint-relevant resource (`Scan.patients`)."""


def find_export(folder: Path) -> Export:
    """The export in a folder: every `*.ndjson` file in it; a manifest's missing files become issue rows."""
    if not folder.exists():
        raise UnreadableInputError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UnreadableInputError(f"{folder}: not a folder (a Bulk Data export is a folder of .ndjson files)")
    files = tuple(sorted(p for p in folder.iterdir() if p.suffix == ".ndjson" and p.is_file()))
    if not files:
        raise FhirDocumentError(f"{folder}: no .ndjson files (a Bulk Data export has one or more per resource type)")
    return Export(folder, files, tuple(_manifest_issues(folder, {p.name for p in files})))


def _manifest_issues(folder: Path, present: set[str]) -> list[IssueRow]:
    path = folder / "manifest.json"
    if not path.is_file():
        return []
    try:
        manifest = orjson.loads(path.read_bytes())
        listed = [str(item["url"]).rsplit("/", 1)[-1] for item in manifest.get("output", [])]
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
        return [IssueRow("", "manifest", str(path), "not a Bulk Data manifest (no output[].url); files read anyway")]
    return [
        IssueRow("", "missing-file", name, "the manifest lists this file, but it is not in the folder")
        for name in sorted(set(listed) - present)
    ]


class Scan:
    """The scanned export: resources keyed by patient in a temporary DuckDB file. Use as a context manager."""

    def __init__(self, export: Export, connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self.export = export
        self._connection = connection
        self._folder = folder

    def __enter__(self) -> Scan:
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _one(self, query: str) -> int:
        found = self._connection.execute(query).fetchone()
        return int(found[0]) if found else 0

    @property
    def resource_count(self) -> int:
        return self._one("SELECT count(*) FROM keyed WHERE kind IS NOT NULL")

    @property
    def patient_count(self) -> int:
        return self._one("SELECT count(DISTINCT patient) FROM keyed")

    def type_counts(self) -> dict[str, int]:
        """How many resources of each type the export holds (lines that are no resource not counted)."""
        rows = self._connection.execute("SELECT kind, count(*) FROM keyed WHERE kind IS NOT NULL GROUP BY kind")
        return dict(sorted((str(kind), int(n)) for kind, n in rows.fetchall()))

    def issues(self) -> list[IssueRow]:
        """What the scan found that belongs to no one patient: bad lines, unknown types, resources naming no one."""
        found = list(self.export.issues)
        bad = self._connection.execute("SELECT file FROM keyed WHERE kind IS NULL GROUP BY file ORDER BY file")
        for (file,) in bad.fetchall():
            found += _bad_lines(Path(file))
        kinds = self._connection.execute(
            "SELECT kind, count(*), min(file) FROM keyed WHERE kind IS NOT NULL GROUP BY kind ORDER BY kind"
        ).fetchall()
        unlinked = self._connection.execute(
            "SELECT kind, count(*), min(file) FROM keyed WHERE patient IS NULL AND kind IS NOT NULL"
            " GROUP BY kind ORDER BY kind"
        ).fetchall()
        return found + type_issue_rows(kinds, unlinked)

    def patients(self, prefilter: bool = True) -> Iterator[PatientResources]:
        """Every patient in id order with their resources and how many there are; DuckDB sorts on disk, so memory
        stays bounded. With `prefilter`, a patient without one SI-joint-relevant resource (`relevance.py`) comes
        with their Patient resources only: the rest are neither sorted nor sent."""
        cursor = self._connection.cursor()
        cursor.execute(
            "WITH per AS (SELECT patient, bool_or(relevant) AS relevant, count(*) AS n FROM keyed"
            " WHERE patient IS NOT NULL GROUP BY patient)"
            " SELECT per.patient, per.n, k.resource FROM per LEFT JOIN keyed k"
            " ON k.patient = per.patient AND (per.relevant OR k.kind = 'Patient' OR ?)"
            " ORDER BY per.patient, k.kind, k.id, k.resource",
            [not prefilter],
        )
        current: str | None = None
        count = 0
        resources: list[str] = []
        while batch := cursor.fetchmany(_FETCH):
            for patient, n, resource in batch:
                if patient != current:
                    if current is not None:
                        yield current, resources, count
                    current, count, resources = patient, n, []
                if resource is not None:
                    resources.append(resource)
        if current is not None:
            yield current, resources, count
        cursor.close()


def scan_export(export: Export) -> Scan:
    """Read every file of the export once with DuckDB (declared columns: nothing inferred, nothing sampled)."""
    folder = Path(tempfile.mkdtemp(prefix="sijpath-screen-"))
    # In memory up to the ceiling, then spilled to the folder: faster than a database file, and as bounded.
    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{MEMORY_CEILING}'")
    connection.execute("SET temp_directory = ?", [str(folder / "spill")])
    connection.execute("SET preserve_insertion_order = false")
    try:
        connection.execute(_KEYED, {"files": [str(p) for p in export.files]})
    except duckdb.Error as exc:
        connection.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise FhirDocumentError(f"{export.folder}: the NDJSON files cannot be read ({exc})") from None
    return Scan(export, connection, folder)


def type_issue_rows(kinds: Sequence[tuple[str, int, str]], unlinked: Sequence[tuple[str, int, str]]) -> list[IssueRow]:
    """Issue rows from (type, count, first file) per resource type in all, and per type among the resources that
    name no patient: types that are not R4, and resources sijpath reads that belong to no one."""
    found = []
    for kind, count, file in kinds:
        if kind not in R4_RESOURCE_TYPES:
            message = f"{count} resource(s) of type `{kind}`, which is not a FHIR R4 resource type; not read"
            found.append(IssueRow("", "unknown-resource-type", _name(file), message))
    for kind, count, file in unlinked:
        if kind in MODELS:
            message = f"{count} {kind} resource(s) name no patient (subject/patient); not read for anyone"
            found.append(IssueRow("", "no-patient", _name(file), message))
    return found


def _name(file: str) -> str:
    return file.rstrip("/").rsplit("/", 1)[-1]  # a path, or a URI as Spark names files


def line_problem(line: bytes | str) -> str | None:
    """Why a non-blank NDJSON line is not a FHIR resource, or None when it is one."""
    try:
        resource = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "not JSON (truncated or malformed)"
    if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
        return None
    return "JSON, but not a FHIR resource"


def bad_line_rows(file_name: str, count: int, first: Sequence[tuple[int, str]]) -> list[IssueRow]:
    """A file's bad-line issue rows: the first ones by number (line, problem) and, past them, how many more."""
    found = [IssueRow("", "bad-line", f"{file_name} line {n}", f"{what}; not read") for n, what in first]
    if count > BAD_LINES_SHOWN:
        more = f"{count - BAD_LINES_SHOWN} more line(s) that are not FHIR resources; not read"
        found.append(IssueRow("", "bad-line", file_name, more))
    return found


def _bad_lines(path: Path) -> list[IssueRow]:
    """The lines of one file that are not FHIR resources, by number (DuckDB only says that some are)."""
    first: list[tuple[int, str]] = []
    count = 0
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            what = line_problem(line) if line.strip() else None
            if what is not None:
                count += 1
                if count <= BAD_LINES_SHOWN:
                    first.append((number, what))
    return bad_line_rows(path.name, count, first)
