"""The registry export: one row per entry with its procedure, CSV and Parquet alike, every column in the data
dictionary of docs/outcomes.md and every dictionary column exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import Engine

from sijpath.outcomes.export import EXPORT_SCHEMA, write_export
from sijpath.outcomes.registry import record_entry, register_procedure
from sijpath.store.database import transaction
from sijpath.store.outcomes import cohort_filter, registry_export_batches
from sijpath.store.tables import outcome_entries, outcome_procedures
from tests.outcomes.conftest import NOW

DOC = Path(__file__).parents[2] / "docs" / "outcomes.md"


def _dictionary_columns() -> list[str]:
    """The backticked names in the first cell of each table row of the data dictionary section."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Data dictionary of the registry export") :]
    section = section[: section.index("\n## ", 1)]
    names = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([a-z0-9_]+)`", line.split("|")[1])
    return names


def test_every_exported_column_is_in_the_data_dictionary_and_every_dictionary_column_is_exported() -> None:
    documented = _dictionary_columns()
    assert len(documented) == len(set(documented)), "a column is documented twice"
    assert documented == EXPORT_SCHEMA.names


def test_the_export_carries_every_column_of_both_registry_tables() -> None:
    renamed = {"id": None}  # each table's own id is exported as procedure_id and entry_id
    procedure = {c.name for c in outcome_procedures.c if c.name not in renamed}
    entry = {c.name for c in outcome_entries.c if c.name not in renamed}
    assert procedure | entry | {"procedure_id", "entry_id"} == set(EXPORT_SCHEMA.names)


def _fill(engine: Engine) -> None:
    with transaction(engine) as c:
        fused = register_procedure(
            c, {"patient_id": "P1", "joint": "left", "procedure": "fusion", "performed_on": "2026-01-10",
                "payer": "Acme"}, actor="staff", now=NOW,
        )  # fmt: skip
        record_entry(c, fused, {"measured_on": "2026-01-05", "odi_total": 48.0, "nrs_back": 7}, actor="staff", now=NOW)
        record_entry(
            c, fused, {"measured_on": "2026-04-12", "odi_total": 30.0, "opioid_use": False}, actor="staff", now=NOW
        )
        register_procedure(
            c, {"patient_id": "P2", "joint": "right", "procedure": "rfa", "performed_on": "2026-09-01"},
            actor="staff", now=NOW,
        )  # fmt: skip


def _export(engine: Engine, parquet: bool, procedure: str | None = None) -> tuple[int, io.BytesIO]:
    sink = io.BytesIO()
    with engine.connect() as c:
        written = write_export(
            registry_export_batches(c, cohort_filter(procedure=procedure), size=1), sink, parquet=parquet
        )
    sink.seek(0)
    return written, sink


def test_csv_has_one_row_per_entry_and_one_for_a_procedure_not_yet_followed_up(engine: Engine) -> None:
    _fill(engine)
    written, sink = _export(engine, parquet=False)
    rows = list(csv.DictReader(io.StringIO(sink.read().decode())))
    assert written == len(rows) == 3
    assert [(r["patient_id"], r["day"], r["odi"]) for r in rows] == [
        ("P1", "-5", "48"),
        ("P1", "92", "30"),
        ("P2", "", ""),
    ]
    assert rows[1]["opioid_use"] == "false"
    assert rows[2]["entry_id"] == ""
    assert rows[0]["synthetic"] == "false"


def test_parquet_holds_the_same_rows_with_their_types(engine: Engine) -> None:
    _fill(engine)
    written, sink = _export(engine, parquet=True)
    table = pq.read_table(sink)
    assert table.schema.equals(EXPORT_SCHEMA)
    rows = table.to_pylist()
    assert written == len(rows) == 3
    assert rows[0]["performed_on"] == dt.date(2026, 1, 10)
    assert rows[0]["entered_at"] == NOW
    assert rows[1]["opioid_use"] is False
    assert rows[2]["entry_id"] is None


def test_the_procedure_filter_narrows_the_export(engine: Engine) -> None:
    _fill(engine)
    written, sink = _export(engine, parquet=False, procedure="rfa")
    rows = list(csv.DictReader(io.StringIO(sink.read().decode())))
    assert written == 1
    assert rows[0]["procedure"] == "rfa"


def test_an_empty_registry_exports_the_header_alone(engine: Engine) -> None:
    written, sink = _export(engine, parquet=False)
    lines = sink.read().decode().splitlines()
    assert written == 0
    assert lines[0].replace('"', "").split(",") == EXPORT_SCHEMA.names
    assert len(lines) == 1
