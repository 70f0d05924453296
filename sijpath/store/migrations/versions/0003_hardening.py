"""Hardening: token scope and expiry, feedback items keyed by their particulars, the assessment cache's dates, and
the tables several server processes share (jti replay cache, sign-in failures) and the import journal."""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson
import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Tokens made before expiry existed keep working for this long after they were made (then they must be renewed).
OLD_TOKEN_DAYS = 90


def detail_digest(outcome: str, detail: str) -> str:
    """What store.feedback computes for a new row: empty for an issued card, else the digest of its particulars."""
    if outcome == "issued":
        return ""
    canonical = orjson.dumps(orjson.loads(detail), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(20), nullable=False, server_default="read-write"))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("token_hash", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(tokens.c.token_hash, tokens.c.created_at)).all():
        expires = row.created_at + dt.timedelta(days=OLD_TOKEN_DAYS)
        connection.execute(tokens.update().where(tokens.c.token_hash == row.token_hash).values(expires_at=expires))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True))

    # The feedback table is rebuilt (the unique key changes; its old constraint has no name on SQLite).
    op.create_table(
        "cds_feedback_v3",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("card_uuid", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_at", sa.String(length=40), nullable=False),
        sa.Column("ruleset_id", sa.String(length=80), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail_digest", sa.String(length=64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "service_id", "card_uuid", "outcome", "outcome_at", "detail_digest", name="cds_feedback_item"
        ),
    )
    names = ("service_id", "card_uuid", "outcome", "outcome_at", "ruleset_id", "detail", "received_at")
    old = sa.table("cds_feedback", sa.column("id", sa.Integer), *(sa.column(n) for n in names))
    new = sa.table("cds_feedback_v3", *(sa.column(n) for n in (*names, "detail_digest")))
    query = sa.select(*(old.c[n] for n in names)).order_by(old.c.id)
    items: list[dict[str, object]] = [dict(r._mapping) for r in connection.execute(query)]
    for item in items:
        item["detail_digest"] = detail_digest(str(item["outcome"]), str(item["detail"]))
    if items:
        connection.execute(new.insert(), items)
    op.drop_table("cds_feedback")
    op.rename_table("cds_feedback_v3", "cds_feedback")

    op.create_table(
        "cds_replays",
        sa.Column("token_key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_key"),
    )
    op.create_index("cds_replays_by_expiry", "cds_replays", ["expires_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("login_failures_by_user", "login_failures", ["username", "at"])
    op.create_index("login_failures_by_remote", "login_failures", ["remote", "at"])
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("patients_total", sa.Integer(), nullable=False),
        sa.Column("patients_done", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("import_runs")
    op.drop_index("login_failures_by_remote", table_name="login_failures")
    op.drop_index("login_failures_by_user", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("cds_replays_by_expiry", table_name="cds_replays")
    op.drop_table("cds_replays")
    # Fails where two items differ only in their particulars: the older schema cannot hold both.
    with op.batch_alter_table("cds_feedback") as batch:
        batch.drop_constraint("cds_feedback_item", type_="unique")
        batch.drop_column("detail_digest")
        batch.create_unique_constraint("cds_feedback_once", ["service_id", "card_uuid", "outcome", "outcome_at"])
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("stored_at")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("scope")
