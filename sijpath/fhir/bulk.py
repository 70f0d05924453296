"""Bulk-data NDJSON folders in: an on-disk index groups resources by patient, so memory stays per patient."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from sijpath.domain.issues import DataIssue
from sijpath.errors import FhirDocumentError, UnreadableInputError
from sijpath.fhir.bundle import FHIR_ID, reference_key
from sijpath.fhir.reader import MODELS, ImportedEpisode, read_patient

__all__ = ["NdjsonFolder", "open_ndjson_folder", "read_own_resources"]

_BATCH = 20_000
Progress = Callable[[int], None]


@dataclass
class _Problems:
    """Lines that are not resources, and resources that name no patient: counted, with the first few named."""

    lines: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    line_count: int = 0
    unlinked_count: int = 0

    def issues(self) -> tuple[DataIssue, ...]:
        found = []
        if self.line_count:
            shown = ", ".join(self.lines) + (" …" if self.line_count > len(self.lines) else "")
            message = f"{self.line_count} NDJSON line(s) are not FHIR resources and were not read ({shown})"
            found.append(DataIssue("warning", "record", message))
        if self.unlinked_count:
            shown = ", ".join(self.unlinked) + (" …" if self.unlinked_count > len(self.unlinked) else "")
            message = (
                f"{self.unlinked_count} resource(s) name no patient ({shown}); any of them may belong to this "
                "patient and none was imported"
            )
            found.append(DataIssue("warning", "record", message))
        return tuple(found)


class NdjsonFolder:
    """An indexed bulk-data export folder (one `.ndjson` file per resource type, as `$export` writes them).

    Use as a context manager; the index lives in a temporary SQLite file that is removed on close.
    """

    def __init__(self, folder: Path, files: list[Path], index: sqlite3.Connection, problems: _Problems) -> None:
        self.folder = folder
        self.files = files
        self._index = index
        self._problems = problems
        self._handles = [os.open(path, os.O_RDONLY) for path in files]

    def __enter__(self) -> NdjsonFolder:
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for handle in self._handles:
            os.close(handle)
        self._handles = []
        self._index.close()

    @property
    def resource_count(self) -> int:
        return int(self._index.execute("SELECT count(*) FROM resource").fetchone()[0])

    def patient_ids(self) -> list[str]:
        return [row[0] for row in self._index.execute("SELECT DISTINCT patient FROM resource ORDER BY patient")]

    def read(self, patient_id: str) -> ImportedEpisode:
        """One patient's episode; FhirDocumentError when the folder holds no such patient."""
        rows = self._index.execute(
            "SELECT file, offset, length FROM resource WHERE patient = ? ORDER BY file, offset", (patient_id,)
        ).fetchall()
        if not rows:
            raise FhirDocumentError(f"{self.folder}: no resources for patient `{patient_id}`")
        return self._episode(patient_id, rows)

    def __iter__(self) -> Iterator[tuple[str, ImportedEpisode]]:
        """Every patient in id order, read one at a time."""
        rows: list[tuple[int, int, int]] = []
        current: str | None = None
        query = "SELECT patient, file, offset, length FROM resource ORDER BY patient, file, offset"
        cursor = self._index.execute(query)
        for patient, *where in cursor:
            if patient != current and current is not None:
                yield current, self._episode(current, rows)
                rows = []
            current = patient
            rows.append((where[0], where[1], where[2]))
        if current is not None:
            yield current, self._episode(current, rows)

    def _episode(self, patient_id: str, rows: list[tuple[int, int, int]]) -> ImportedEpisode:
        resources: list[Mapping[str, Any]] = [orjson.loads(os.pread(self._handles[f], n, o)) for f, o, n in rows]
        return read_own_resources(patient_id, resources, self._problems.issues())


def read_own_resources(
    patient_id: str, resources: list[Mapping[str, Any]], extra: tuple[DataIssue, ...] = ()
) -> ImportedEpisode:
    """One patient's resources of an export read into an episode, references resolved only within them; `extra`
    issues follow the reader's, and a missing Patient resource is one more."""
    keys = {f"{r['resourceType']}/{r['id']}" for r in resources if isinstance(r.get("id"), str)}
    imported = read_patient(patient_id, resources, lambda ref: _within(ref, keys))
    if f"Patient/{patient_id}" not in keys:
        extra += (DataIssue("info", f"Patient/{patient_id}", "no Patient resource: birth date and sex unknown"),)
    return ImportedEpisode(imported.episode, imported.issues + extra)


def _within(reference: str, keys: set[str]) -> str | None:
    key = reference_key(reference)
    return key if key in keys else None


def open_ndjson_folder(folder: Path, progress: Progress | None = None) -> NdjsonFolder:
    """Index every `*.ndjson` file of a folder by patient (one pass, constant memory) and open it for reading."""
    if not folder.is_dir():
        raise UnreadableInputError(f"{folder}: not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".ndjson" and p.is_file())
    if not files:
        raise FhirDocumentError(f"{folder}: no .ndjson files (a bulk-data export has one per resource type)")
    handle, name = tempfile.mkstemp(prefix="sijpath-index-", suffix=".sqlite")
    os.close(handle)
    index = sqlite3.connect(name)
    os.unlink(name)  # the open connection keeps it; nothing is left behind, even on a crash
    index.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16000;"
        "CREATE TABLE resource (patient TEXT NOT NULL, file INTEGER NOT NULL, offset INTEGER NOT NULL,"
        " length INTEGER NOT NULL);"
    )
    problems = _Problems()
    for number, path in enumerate(files):
        _index_file(index, number, path, problems, progress)
    index.execute("CREATE INDEX by_patient ON resource (patient, file, offset)")
    index.commit()
    return NdjsonFolder(folder, files, index, problems)


def _index_file(
    index: sqlite3.Connection, number: int, path: Path, problems: _Problems, progress: Progress | None
) -> None:
    batch: list[tuple[str, int, int, int]] = []
    offset = 0
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise UnreadableInputError(f"{path}: cannot read ({exc.strerror})") from None
    with stream:
        for line_number, line in enumerate(stream, start=1):
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            patient = _patient_of_line(line, path.name, line_number, problems)
            if patient is not None:
                batch.append((patient, number, start, len(line)))
            if len(batch) >= _BATCH:
                index.executemany("INSERT INTO resource VALUES (?, ?, ?, ?)", batch)
                if progress is not None:
                    progress(len(batch))
                batch = []
    index.executemany("INSERT INTO resource VALUES (?, ?, ?, ?)", batch)
    if progress is not None:
        progress(len(batch))


def _patient_of_line(line: bytes, file: str, line_number: int, problems: _Problems) -> str | None:
    try:
        resource = orjson.loads(line)
    except orjson.JSONDecodeError:
        resource = None
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        problems.line_count += 1
        if len(problems.lines) < 5:
            problems.lines.append(f"{file} line {line_number}")
        return None
    kind = resource["resourceType"]
    if kind == "Patient":
        rid = resource.get("id")
        if isinstance(rid, str) and FHIR_ID.fullmatch(rid):
            return rid
    for element in ("subject", "patient"):
        ref = resource.get(element)
        text = ref.get("reference") if isinstance(ref, dict) else None
        key = reference_key(text) if isinstance(text, str) else None
        if key is not None and key.startswith("Patient/"):
            return key.removeprefix("Patient/")
    if kind in MODELS:
        problems.unlinked_count += 1
        if len(problems.unlinked) < 5:
            problems.unlinked.append(f"{file} line {line_number}")
    return None
