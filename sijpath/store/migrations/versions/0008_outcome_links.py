"""Outcomes registry, part two: the EQ VAS on each entry, and the patient's single-use questionnaire links."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("outcome_entries") as batch:
        batch.add_column(sa.Column("eq5d_vas", sa.Integer(), nullable=True))
    op.create_table(
        "outcome_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("time_point", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["procedure_id"], ["outcome_procedures.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="outcome_link_token"),
    )


def downgrade() -> None:
    op.drop_table("outcome_links")
    with op.batch_alter_table("outcome_entries") as batch:
        batch.drop_column("eq5d_vas")
