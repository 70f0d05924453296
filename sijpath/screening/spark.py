"""The screen on Apache Spark: the same per-patient screen in `applyInPandas`, on `local[*]` or a cluster.

Spark reads the NDJSON as text and keys each line by patient exactly as the DuckDB scan does; each patient's group
is sorted as the scan sorts it and screened by `screen_patient`, so the rows, and their checksum, are the local
engine's. Lines that are not resources are left out here (the local engine names them in issues.csv).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import astuple
from typing import Any

import orjson

from sijpath.engine.ruleset import RuleSet
from sijpath.screening.patient import screen_patient
from sijpath.screening.rows import IssueRow, ResultRow, row_order
from sijpath.screening.run import RulesetLoader

__all__ = ["SparkScreen", "spark_screen"]

_PATIENT_REFERENCE = r"(?:^|/)Patient/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$"
_LOADED: dict[int, Sequence[RuleSet]] = {}

SparkScreen = dict[str, Any]
"""One part, as the local engine's part files hold it: rows and issues as value lists, patients, assessed."""


def _screen_group(load: RulesetLoader, as_of: dt.date) -> Any:
    def screen(frame: Any) -> Any:
        import pandas as pd

        rulesets = _LOADED.setdefault(id(load), load())  # once per Python worker, not per patient
        ordered = frame.sort_values(["kind", "id", "resource"], na_position="last", kind="stable")
        patient_id = str(ordered["patient"].iloc[0])
        result = screen_patient(patient_id, list(ordered["resource"]), rulesets, as_of)
        records = [("patient", orjson.dumps([patient_id, result.assessed]).decode())]
        records += [("row", orjson.dumps(astuple(row)).decode()) for row in result.rows]
        records += [("issue", orjson.dumps(astuple(issue)).decode()) for issue in result.issues]
        return pd.DataFrame(records, columns=["record", "payload"])

    return screen


def spark_screen(files: Sequence[str], load: RulesetLoader, as_of: dt.date, master: str = "local[*]") -> SparkScreen:
    """Screen every patient of the files on Spark; rows come back sorted as the local engine writes them."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    # Spark's Python workers use `python3` from PATH unless told: the one with sijpath and pandas is this one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(master)
        .appName("sijpath-screen")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
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
            patient.alias("patient"), kind.alias("kind"), rid.alias("id"), value.alias("resource")
        )
        screened = (
            keyed.where(F.col("patient").isNotNull())
            .groupBy("patient")
            .applyInPandas(_screen_group(load, as_of), "record string, payload string")
            .collect()
        )
        counted = keyed.where(F.col("kind").isNotNull()).groupBy("kind").count().collect()
    finally:
        spark.stop()
    rows = sorted((ResultRow(*orjson.loads(r.payload)) for r in screened if r.record == "row"), key=row_order)
    issues = sorted(IssueRow(*orjson.loads(r.payload)) for r in screened if r.record == "issue")
    patients = [orjson.loads(r.payload) for r in screened if r.record == "patient"]
    return {
        "types": dict(sorted((str(r["kind"]), int(r["count"])) for r in counted)),
        "patients": len(patients),
        "assessed": sum(1 for _, assessed in patients if assessed),
        "rows": [astuple(r) for r in rows],
        "issues": [astuple(i) for i in issues],
    }
