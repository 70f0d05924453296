"""The screen's files, written as chunks arrive in patient order: Parquet, CSV, issues, worklists and the checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from sijpath.screening.rows import ISSUE_COLUMNS, RESULT_COLUMNS, IssueRow, ResultRow, values
from sijpath.screening.summary import Tally
from sijpath.screening.worklists import WORKLISTS

__all__ = ["RESULT_SCHEMA", "OutputFiles"]

RESULT_SCHEMA = pa.schema(
    [
        *((name, pa.string()) for name in RESULT_COLUMNS[:8]),
        ("missing_data", pa.int64()),
        ("data_issues", pa.int64()),
        ("latest_valid_block_relief_percent", pa.float64()),
        ("therapeutic_injections_12_months", pa.int64()),
        ("steroid_mpde_12_months_mg", pa.float64()),
        ("conservative_care_months", pa.float64()),
    ]
)
ISSUE_SCHEMA = pa.schema([(name, pa.string()) for name in ISSUE_COLUMNS])
DIVERGENCE_SCHEMA = pa.schema([("patient_id", pa.string()), ("joint", pa.string()), ("next_steps", pa.string())])


def _table(rows: Sequence[Any], schema: pa.Schema) -> pa.Table:
    columns: list[Sequence[Any]] = list(zip(*(values(r) for r in rows), strict=True)) if rows else [[] for _ in schema]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)


class _Csv:
    """A CSV file written in batches (pyarrow), header first even when no batch comes."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self._writer = pa_csv.CSVWriter(str(path), schema)

    def write(self, rows: Sequence[Any]) -> None:
        if rows:
            self._writer.write_table(_table(rows, self.schema))

    def close(self) -> None:
        self._writer.close()


class OutputFiles:
    """The output folder being written; `add` takes chunks in patient order, `close` writes summary and checksum."""

    def __init__(self, out: Path, ruleset_ids: Sequence[str]) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.tally = Tally(tuple(ruleset_ids))
        self._digest = hashlib.sha256()
        self._parquet = pq.ParquetWriter(str(out / "results.parquet"), RESULT_SCHEMA)
        self._csv = _Csv(out / "results.csv", RESULT_SCHEMA)
        self._issues = _Csv(out / "issues.csv", ISSUE_SCHEMA)
        self._divergent = _Csv(out / "worklist-divergent-steps.csv", DIVERGENCE_SCHEMA)
        self._lists = {w.name: _Csv(out / f"worklist-{w.name}.csv", RESULT_SCHEMA) for w in WORKLISTS}
        self._open = True

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self._close_files()

    def add_issues(self, issues: Sequence[IssueRow]) -> None:
        self._issues.write(issues)
        self.tally.add_issues(issues)

    def add_rows(self, rows: Sequence[ResultRow]) -> None:
        """Rows sorted by patient, joint and rule set, every patient's rows in one call (for the divergences)."""
        self._parquet.write_table(_table(rows, RESULT_SCHEMA))
        self._csv.write(rows)
        for row in rows:
            self._digest.update(orjson.dumps(values(row)) + b"\n")
        for worklist in WORKLISTS:
            self._lists[worklist.name].write([r for r in rows if worklist.holds(r)])
        self._divergent.write(self.tally.add_rows(rows))

    def close(self, checksum_of_rows: str | None = None) -> str:
        """Finish every file; the checksum (sha256 over the sorted rows, as `rows.checksum`) goes in the summary."""
        self._close_files()
        checksum = self._digest.hexdigest() if checksum_of_rows is None else checksum_of_rows
        (self.out / "checksum.txt").write_text(f"{checksum}  results (sha256 over the sorted rows)\n", encoding="utf-8")
        (self.out / "summary.md").write_text(self.tally.markdown(checksum), encoding="utf-8")
        (self.out / "summary.html").write_text(self.tally.html(checksum), encoding="utf-8")
        return checksum

    def _close_files(self) -> None:
        if self._open:
            self._open = False
            self._parquet.close()
            for csv in (self._csv, self._issues, self._divergent, *self._lists.values()):
                csv.close()
