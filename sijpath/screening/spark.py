"""The screen on Apache Spark: the same per-patient screen in `mapInPandas`, on `local[*]` or a cluster.

Spark reads the NDJSON as text and keys each line by patient exactly as the DuckDB scan does; the lines are
partitioned by patient, sorted as the scan sorts them, and each patient's run of lines is screened by
`screen_patient`, so the rows, and their checksum, are the local engine's; the issues are the local scan's too
(bad lines by file and number, types that are not R4, resources naming no patient). Spark's text reader ends a
line at `\r` as well as `\n`: a bad line holding a lone carriage return may be numbered differently.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from sijpath.engine.ruleset import RuleSet
from sijpath.screening.patient import screen_patient
from sijpath.screening.rows import IssueRow, ResultRow, row_order, values
from sijpath.screening.run import RulesetLoader
from sijpath.screening.scan import BAD_LINES_SHOWN, bad_line_rows, line_problem, type_issue_rows

__all__ = ["SparkScreen", "spark_screen"]

_PATIENT_REFERENCE = r"(?:^|/)Patient/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$"
_LOADED: dict[int, Sequence[RuleSet]] = {}
_ASCII_SPACE = " \t\n\r\x0b\x0c"  # what `bytes.strip` removes: a blank line is blank in both engines

SparkScreen = dict[str, Any]
"""One part, as the local engine's part files hold it (rows and issues as value lists, patients, assessed), with
the scan's issues (`scan_issues`) and the resources by type (`types`)."""


def _records(patient_id: str, texts: list[str], rulesets: Sequence[RuleSet], as_of: dt.date) -> list[tuple[str, str]]:
    result = screen_patient(patient_id, texts, rulesets, as_of)
    records = [("patient", orjson.dumps([patient_id, result.assessed]).decode())]
    records += [("row", orjson.dumps(values(row)).decode()) for row in result.rows]
    records += [("issue", orjson.dumps(values(issue)).decode()) for issue in result.issues]
    return records


def _screen_partition(load: RulesetLoader, as_of: dt.date) -> Any:
    """For mapInPandas over partitions sorted by patient: a patient's rows are consecutive, maybe across batches."""

    def screen(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        if id(load) not in _LOADED:  # once per task's loader, not per patient (loading parses every TOML file)
            _LOADED[id(load)] = load()
        rulesets = _LOADED[id(load)]
        current: str | None = None
        texts: list[str] = []
        for frame in batches:
            records: list[tuple[str, str]] = []
            for patient_id, text in zip(frame["patient"].tolist(), frame["resource"].tolist(), strict=True):
                if patient_id != current:
                    if current is not None:
                        records += _records(current, texts, rulesets, as_of)
                    current, texts = patient_id, []
                texts.append(text)
            yield pd.DataFrame(records, columns=["record", "payload"])
        if current is not None:
            yield pd.DataFrame(_records(current, texts, rulesets, as_of), columns=["record", "payload"])

    return screen


def _scan_issues(spark: Any, keyed: Any) -> list[IssueRow]:
    """The local scan's issues of the files: bad lines by number (Python reads the lines of each file that has
    one, numbered by `zipWithIndex`), types that are not R4, and resources naming no patient."""
    from pyspark.sql import functions as F

    kind, patient, file = F.col("kind"), F.col("patient"), F.col("file")
    named = keyed.where(kind.isNotNull())
    kinds = named.groupBy("kind").agg(F.count("*").alias("n"), F.min("file").alias("first")).orderBy("kind")
    unlinked = named.where(patient.isNull()).groupBy("kind").agg(F.count("*").alias("n"), F.min("file").alias("first"))
    found = type_issue_rows(
        [(r["kind"], int(r["n"]), r["first"]) for r in kinds.collect()],
        [(r["kind"], int(r["n"]), r["first"]) for r in unlinked.orderBy("kind").collect()],
    )
    blank = F.trim(F.col("resource")) == ""
    suspects = keyed.where(kind.isNull() & ~blank).select(file).distinct().orderBy(file).collect()
    for row in suspects:
        numbered = spark.sparkContext.textFile(row["file"]).zipWithIndex()
        bad = numbered.map(_numbered_problem).filter(lambda found: found is not None)
        first = bad.takeOrdered(BAD_LINES_SHOWN)
        found += bad_line_rows(row["file"].rstrip("/").rsplit("/", 1)[-1], bad.count(), first)
    return found


def _numbered_problem(numbered: tuple[str, int]) -> tuple[int, str] | None:
    line, index = numbered
    what = line_problem(line) if line.strip(_ASCII_SPACE) else None
    return None if what is None else (index + 1, what)


def spark_screen(
    files: Sequence[str], load: RulesetLoader, as_of: dt.date, master: str = "local[*]", batch_rows: int = 10_000
) -> SparkScreen:
    """Screen every patient of the files on Spark; rows come back sorted as the local engine writes them.

    `batch_rows` is the Arrow batch size handed to Python (a patient's lines may span two batches).
    """
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    # Spark's Python workers use `python3` from PATH unless told: the one with sijpath and pandas is this one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(master)
        .appName("sijpath-screen")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        .getOrCreate()
    )
    try:
        value = F.col("value")
        kind = F.get_json_object(value, "$.resourceType")
        rid = F.get_json_object(value, "$.id")
        reference = F.coalesce(
            F.get_json_object(value, "$.subject.reference"), F.get_json_object(value, "$.patient.reference")
        )
        patient = F.when(kind == "Patient", F.when(rid.rlike(r"^[A-Za-z0-9\-.]{1,64}$"), rid)).otherwise(
            F.nullif(F.regexp_extract(reference, _PATIENT_REFERENCE, 1), F.lit(""))
        )
        keyed = spark.read.text(list(files)).select(
            patient.alias("patient"),
            kind.alias("kind"),
            rid.alias("id"),
            value.alias("resource"),
            F.input_file_name().alias("file"),
        )
        # Each patient's lines in one partition, in the scan's order (nulls last, as DuckDB sorts them). Per patient
        # group, applyInPandas cost about 40 ms here (a pandas frame in and out per group); this is per batch.
        order = [F.asc_nulls_last(name) for name in ("patient", "kind", "id", "resource")]
        screened = (
            keyed.where(F.col("patient").isNotNull())
            .repartition(spark.sparkContext.defaultParallelism * 2, "patient")
            .sortWithinPartitions(*order)
            .mapInPandas(_screen_partition(load, as_of), "record string, payload string")
            .collect()
        )
        scan_issues = _scan_issues(spark, keyed)
        counted = keyed.where(F.col("kind").isNotNull()).groupBy("kind").count().collect()
    finally:
        spark.stop()
    rows = sorted((ResultRow(*orjson.loads(r.payload)) for r in screened if r.record == "row"), key=row_order)
    issues = sorted(IssueRow(*orjson.loads(r.payload)) for r in screened if r.record == "issue")
    patients = [orjson.loads(r.payload) for r in screened if r.record == "patient"]
    return {
        "scan_issues": [values(i) for i in scan_issues],
        "types": dict(sorted((str(r["kind"]), int(r["count"])) for r in counted)),
        "patients": len(patients),
        "assessed": sum(1 for _, assessed in patients if assessed),
        "rows": [values(r) for r in rows],
        "issues": [values(i) for i in issues],
    }
