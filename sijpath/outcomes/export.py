"""The registry export: one row per entry with its index procedure, as CSV or Parquet (docs/outcomes.md's data
dictionary names every column; a test keeps the two in step)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

__all__ = ["EXPORT_SCHEMA", "write_export"]


_TIMESTAMP = pa.timestamp("us", tz="UTC")  # the registry stores its timestamps in UTC

# The procedure's columns first (repeated on each of its entries), then the entry's; a procedure with no entry yet
# is one row with the entry's columns empty, so the export holds every procedure, followed up or not.
EXPORT_SCHEMA = pa.schema(
    [
        ("procedure_id", pa.int64()),
        ("patient_id", pa.string()),
        ("joint", pa.string()),
        ("procedure", pa.string()),
        ("performed_on", pa.date32()),
        ("payer", pa.string()),
        ("ruleset_id", pa.string()),
        ("fact_id", pa.string()),
        ("synthetic", pa.bool_()),
        ("created_at", _TIMESTAMP),
        ("created_by", pa.string()),
        ("entry_id", pa.int64()),
        ("measured_on", pa.date32()),
        ("day", pa.int64()),
        ("nrs_back", pa.int64()),
        ("nrs_leg", pa.int64()),
        ("odi", pa.float64()),
        ("odi_items", pa.string()),
        ("eq5d_state", pa.string()),
        ("eq5d_index", pa.float64()),
        ("eq5d_value_set", pa.string()),
        ("eq5d_vas", pa.int64()),
        ("opioid_use", pa.bool_()),
        ("opioid_mme", pa.float64()),
        ("medications", pa.string()),
        ("satisfaction", pa.string()),
        ("working", pa.bool_()),
        ("ct_bridging", pa.string()),
        ("complication", pa.string()),
        ("revision", pa.bool_()),
        ("readmission", pa.bool_()),
        ("entered_by", pa.string()),
        ("entered_at", _TIMESTAMP),
    ]
)


def _table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    arrays = [pa.array([row[f.name] for row in rows], type=f.type) for f in EXPORT_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=EXPORT_SCHEMA)


def write_export(batches: Iterable[Sequence[dict[str, Any]]], sink: Path | BinaryIO, *, parquet: bool) -> int:
    """Write the rows (store.outcomes.registry_export_batches) batch by batch; returns how many rows. The header
    (CSV) or schema (Parquet) is written even when the registry is empty."""
    writer: pq.ParquetWriter | pa_csv.CSVWriter
    target = str(sink) if isinstance(sink, Path) else sink
    writer = pq.ParquetWriter(target, EXPORT_SCHEMA) if parquet else pa_csv.CSVWriter(target, EXPORT_SCHEMA)
    written = 0
    try:
        for batch in batches:
            if batch:
                writer.write_table(_table(batch))
                written += len(batch)
    finally:
        writer.close()
    return written
