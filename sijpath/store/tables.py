"""The schema, as SQLAlchemy Core tables; Alembic migrations in `migrations/` create and evolve it."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# The registry's tables live in their own module, on the same metadata, so each module stays readable; importing
# the schema imports them too, so every table is registered.
from sijpath.store.generation import change_counters
from sijpath.store.patient_tables import patient_coverage
from sijpath.store.registry_tables import decision_aid_answers, outcome_entries, outcome_links, outcome_procedures
from sijpath.store.schema_metadata import metadata

__all__ = [
    "api_tokens",
    "assessments",
    "audit_log",
    "cds_feedback",
    "cds_replays",
    "change_counters",
    "decision_aid_answers",
    "episodes",
    "facts",
    "import_runs",
    "imports",
    "letter_narratives",
    "login_failures",
    "metadata",
    "outcome_entries",
    "outcome_links",
    "outcome_procedures",
    "patient_coverage",
    "reassess_runs",
    "removed_facts",
    "sessions",
    "step_changes",
    "users",
]

# Every table of the schema is on this one metadata, the registry's (`registry_tables.py`) included: Alembic and
# the tests compare it with the migrations.
episodes = Table(
    "episodes",
    metadata,
    Column("patient_id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),  # optimistic concurrency: a write names the version it read
    Column("document", Text, nullable=False),  # the native episode (sijpath-episode/1), canonical JSON
    Column("fingerprint", String(64), nullable=False),  # SHA-256 of `document` and `record_issues`
    # What reading the source record found (JSON list); every assessment of this episode shows it.
    Column("record_issues", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

# The list reads these without the wide `document` (stored before them, in overflow pages on SQLite).
Index(
    "episodes_summary",
    episodes.c.patient_id,
    episodes.c.fingerprint,
    episodes.c.version,
    episodes.c.updated_at,
)

facts = Table(
    "facts",
    metadata,
    Column("patient_id", String(128), ForeignKey("episodes.patient_id", ondelete="CASCADE"), nullable=False),
    Column("list_name", String(40), nullable=False),
    Column("position", Integer, nullable=False),
    Column("fact_id", String(128)),
    Column("fact_date", Date),
    Column("source", String(200), nullable=False),  # where the fact came from: `fhir:Procedure/blk-1`, `entered:alice`
    # The imported resource an entered fact was matched to (the same event, the same values): its second source.
    Column("matched_source", String(200)),
    UniqueConstraint("patient_id", "list_name", "position"),
)

# Facts a clinician removed from a record (entered in error): out of the episode, so they no longer count, but kept
# here with their provenance so the removal can be undone, and so an import does not bring the same event back.
removed_facts = Table(
    "removed_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_id", String(128), nullable=False),
    Column("list_name", String(40), nullable=False),
    Column("position", Integer, nullable=False),  # where it was, so undo puts it back there
    Column("fact", Text, nullable=False),  # the fact, canonical JSON
    Column("source", String(200), nullable=False),
    Column("matched_source", String(200)),
    Column("removed_at", DateTime(timezone=True), nullable=False),
    Column("removed_by", String(64), nullable=False),
    Column("restored_at", DateTime(timezone=True)),  # set by undo; a restored row no longer holds an import back
    Column("restored_by", String(64)),
)
Index("removed_facts_by_patient", removed_facts.c.patient_id, removed_facts.c.id)

imports = Table(
    "imports",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the patient's imported resources
    Column("patient_id", String(128), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(64), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("patient_id", String(128), ForeignKey("episodes.patient_id", ondelete="CASCADE"), nullable=False),
    Column("ruleset_id", String(80), nullable=False),
    Column("ruleset_version", String(40), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the episode assessed
    # One `joint:code` token per assessed joint (`left:fusion-evaluation right:diagnostic-block`).
    Column("stage", String(200), nullable=False),
    Column("next_step", String(200), nullable=False),
    Column("flags", Text, nullable=False),  # space-separated flag codes, for filtering the patient list
    Column("document", Text, nullable=False),  # the sijpath-assessment/2 JSON
    # What puts the patient on the worklist: `joint:reason` tokens (`left:stale-evidence`), and the words for each
    # as JSON [[joint, reason, detail], …]; NULL for an assessment stored before migration 0018.
    Column("worklist", String(400)),
    Column("worklist_detail", Text),
    # When it was stored: the cache keeps a bounded number of (rule set, as-of) dates and drops the oldest.
    Column("stored_at", DateTime(timezone=True)),
    UniqueConstraint("patient_id", "ruleset_id", "ruleset_version", "as_of", "fingerprint"),
)
Index(
    "assessments_by_step",
    assessments.c.ruleset_id,
    assessments.c.as_of,
    assessments.c.next_step,
    assessments.c.patient_id,
)
Index(
    "assessments_by_stage", assessments.c.ruleset_id, assessments.c.as_of, assessments.c.stage, assessments.c.patient_id
)
# The worklist of a rule set and day in patient order (keyset pages), filtered and counted in the index alone.
_WORKLIST_KEY = (
    "ruleset_id",
    "as_of",
    "patient_id",
    "ruleset_version",
    "fingerprint",
    "worklist",
    "next_step",
    "flags",
)
Index("assessments_worklist", *(assessments.c[name] for name in _WORKLIST_KEY))
# Covers the patient list's join and columns, so listing never touches the wide `document` column.
Index(
    "assessments_summary",
    assessments.c.patient_id,
    assessments.c.ruleset_id,
    assessments.c.as_of,
    assessments.c.fingerprint,
    assessments.c.next_step,
    assessments.c.stage,
    assessments.c.flags,
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token; the token itself is never stored
    Column("username", String(64), ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("scope", String(20), nullable=False, default="read"),  # `read` or `read-write`
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
    Column("username", String(64), ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

cds_feedback = Table(
    "cds_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(80), nullable=False),
    Column("card_uuid", String(64), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("outcome_at", String(40), nullable=False),
    Column("ruleset_id", String(80)),
    Column("detail", Text, nullable=False),  # accepted suggestions and override reason, JSON
    Column("received_at", DateTime(timezone=True), nullable=False),
    # SHA-256 of the item's particulars (reasons, comment, suggestions): a repeated report is stored once, a second,
    # different item on the same card at the same time is stored too.
    Column("detail_digest", String(64), nullable=False, default=""),
    UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_at", "detail_digest", name="cds_feedback_item"),
)

cds_replays = Table(
    "cds_replays",
    metadata,
    # SHA-256 of issuer and jti: every server process sees every jti used, so a token is good for one call only.
    Column("token_key", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("cds_replays_by_expiry", cds_replays.c.expires_at)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("remote", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("login_failures_by_user", login_failures.c.username, login_failures.c.at)
Index("login_failures_by_remote", login_failures.c.remote, login_failures.c.at)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(200), nullable=False),
    Column("started_by", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),  # running, complete, failed
    Column("patients_total", Integer, nullable=False),
    Column("patients_done", Integer, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("patient_id", String(128)),
    Column("detail", Text, nullable=False),
    Column("remote", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("audit_by_patient", audit_log.c.patient_id, audit_log.c.seq)

# The ordering physician's narrative of a prior-authorization letter: one per patient, procedure and joint (its
# changes are in the audit trail).
letter_narratives = Table(
    "letter_narratives",
    metadata,
    Column("patient_id", String(128), primary_key=True),
    Column("procedure", String(10), primary_key=True),  # CPT/HCPCS code
    Column("joint", String(5), primary_key=True),  # left or right
    Column("text", Text, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
# Batch re-assessment (`sijpath reassess`): one row per run, and each patient whose next step it changed.
reassess_runs = Table(
    "reassess_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rulesets", String(400), nullable=False),  # `id@version` tokens, space-separated
    Column("as_of", Date, nullable=False),
    Column("changed_since", Date),  # only episodes updated on or after this day, when given
    Column("started_by", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),  # running, complete, failed
    Column("patients_total", Integer, nullable=False),
    Column("patients_done", Integer, nullable=False),
    Column("assessed", Integer, nullable=False),  # (patient, rule set) pairs assessed and stored
    Column("changed", Integer, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

step_changes = Table(
    "step_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("reassess_runs.id", ondelete="CASCADE"), nullable=False),
    Column("patient_id", String(128), nullable=False),
    Column("ruleset_id", String(80), nullable=False),
    # The patient's stored assessment before the run (its as-of day and `joint:code` tokens) and the run's own.
    Column("before_as_of", Date, nullable=False),
    Column("before_step", String(200), nullable=False),
    Column("after_step", String(200), nullable=False),
)
Index("step_changes_by_run", step_changes.c.run_id, step_changes.c.ruleset_id, step_changes.c.patient_id)
