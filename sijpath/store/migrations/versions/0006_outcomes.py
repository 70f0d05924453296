"""Outcomes registry: index procedures per joint and their dated outcome entries."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"  # the integrator re-chains 0005–0008 at merge
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_procedures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("joint", sa.String(5), nullable=False),
        sa.Column("procedure", sa.String(30), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(80), nullable=True),
        sa.Column("ruleset_id", sa.String(80), nullable=True),
        sa.Column("fact_id", sa.String(128), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patient_id", "joint", "procedure", "performed_on", name="outcome_procedure_once"),
    )
    op.create_index("outcome_procedures_by_date", "outcome_procedures", ["procedure", "performed_on"])
    op.create_index("outcome_procedures_by_patient", "outcome_procedures", ["patient_id"])
    op.create_table(
        "outcome_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("nrs_back", sa.Integer(), nullable=True),
        sa.Column("nrs_leg", sa.Integer(), nullable=True),
        sa.Column("odi", sa.Float(), nullable=True),
        sa.Column("odi_items", sa.String(40), nullable=True),
        sa.Column("eq5d_state", sa.String(5), nullable=True),
        sa.Column("eq5d_index", sa.Float(), nullable=True),
        sa.Column("eq5d_value_set", sa.String(80), nullable=True),
        sa.Column("opioid_use", sa.Boolean(), nullable=True),
        sa.Column("opioid_mme", sa.Float(), nullable=True),
        sa.Column("medications", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.String(20), nullable=True),
        sa.Column("working", sa.Boolean(), nullable=True),
        sa.Column("ct_bridging", sa.String(20), nullable=True),
        sa.Column("complication", sa.String(200), nullable=True),
        sa.Column("revision", sa.Boolean(), nullable=True),
        sa.Column("readmission", sa.Boolean(), nullable=True),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["procedure_id"], ["outcome_procedures.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("outcome_entries_by_day", "outcome_entries", ["procedure_id", "day"])


def downgrade() -> None:
    op.drop_index("outcome_entries_by_day", table_name="outcome_entries")
    op.drop_table("outcome_entries")
    op.drop_index("outcome_procedures_by_patient", table_name="outcome_procedures")
    op.drop_index("outcome_procedures_by_date", table_name="outcome_procedures")
    op.drop_table("outcome_procedures")
