"""The outcomes registry's and the decision aids' tables, on the schema's one metadata (`tables.metadata`)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sijpath.store.schema_metadata import metadata

__all__ = ["decision_aid_answers", "outcome_entries", "outcome_links", "outcome_procedures"]


# The outcomes registry (sijpath.outcomes): one row per index procedure on one joint, and its dated entries.
outcome_procedures = Table(
    "outcome_procedures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(128), nullable=False),
    Column("joint", String(5), nullable=False),  # left or right
    Column("procedure", String(30), nullable=False),  # fusion, rfa, therapeutic-injection
    Column("performed_on", Date, nullable=False),
    Column("payer", String(80)),
    Column("ruleset_id", String(80)),  # the rule set in force when the decision was made
    Column("fact_id", String(128)),  # the episode's procedure fact this mirrors, when known
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("patient_id", "joint", "procedure", "performed_on", name="outcome_procedure_once"),
)
Index("outcome_procedures_by_date", outcome_procedures.c.procedure, outcome_procedures.c.performed_on)
Index("outcome_procedures_by_patient", outcome_procedures.c.patient_id)

outcome_entries = Table(
    "outcome_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("procedure_id", Integer, ForeignKey("outcome_procedures.id", ondelete="CASCADE"), nullable=False),
    Column("measured_on", Date, nullable=False),
    # Days after the procedure (negative before it): stored so the schedule's windows are plain ranges in SQL.
    Column("day", Integer, nullable=False),
    Column("nrs_back", Integer),
    Column("nrs_leg", Integer),
    Column("odi", Float),
    Column("odi_items", String(40)),  # ten answers, comma-separated, blank where unanswered; NULL for a total
    Column("eq5d_state", String(5)),
    Column("eq5d_index", Float),
    Column("eq5d_value_set", String(80)),
    Column("eq5d_vas", Integer),  # EQ VAS, 0–100
    Column("opioid_use", Boolean),
    Column("opioid_mme", Float),
    Column("medications", Text),  # JSON list of {drug, dose, per_day}
    Column("satisfaction", String(20)),
    Column("working", Boolean),
    Column("ct_bridging", String(20)),  # bridged, not-bridged, indeterminate
    Column("complication", String(200)),
    Column("revision", Boolean),
    Column("readmission", Boolean),
    Column("entered_by", String(64), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
)
Index("outcome_entries_by_day", outcome_entries.c.procedure_id, outcome_entries.c.day)

# A patient's single-use questionnaire link: only the token's SHA-256 is kept, so a database copy opens no link.
outcome_links = Table(
    "outcome_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),
    Column("procedure_id", Integer, ForeignKey("outcome_procedures.id", ondelete="CASCADE"), nullable=False),
    Column("time_point", String(20), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),  # set once, when the answers are stored: the link is then dead
    UniqueConstraint("token_hash", name="outcome_link_token"),
)


# A patient's answers to a decision aid's values and SURE questions, as a clinician recorded them; append-only, so
# every earlier recording stays with the record (the newest is the one shown).
decision_aid_answers = Table(
    "decision_aid_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(128), nullable=False),
    Column("joint", String(5), nullable=False),  # left or right
    Column("aid_date", Date, nullable=False),  # the as-of date of the aid the patient was shown
    Column("ruleset_id", String(80), nullable=False),
    Column("answers", Text, nullable=False),  # the validated answers (values, sure, leaning, discussed_with), JSON
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)
Index("decision_aid_answers_by_joint", decision_aid_answers.c.patient_id, decision_aid_answers.c.joint)
