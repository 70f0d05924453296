"""Batch re-assessment: a journal of `sijpath reassess` runs and the next-step changes each one found."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "reassess_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rulesets", sa.String(400), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("changed_since", sa.Date(), nullable=True),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("patients_total", sa.Integer(), nullable=False),
        sa.Column("patients_done", sa.Integer(), nullable=False),
        sa.Column("assessed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "step_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("ruleset_id", sa.String(80), nullable=False),
        sa.Column("before_as_of", sa.Date(), nullable=False),
        sa.Column("before_step", sa.String(200), nullable=False),
        sa.Column("after_step", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["reassess_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("step_changes_by_run", "step_changes", ["run_id", "ruleset_id", "patient_id"])


def downgrade() -> None:
    op.drop_index("step_changes_by_run", table_name="step_changes")
    op.drop_table("step_changes")
    op.drop_table("reassess_runs")
