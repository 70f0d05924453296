"""The patient's coverage: payer, plan, member ID and Medicare contractor, one row per patient."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "patient_coverage",
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("payer", sa.String(80), nullable=False),
        sa.Column("plan", sa.String(120), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("medicare_contractor", sa.String(20), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patient_id"),
    )


def downgrade() -> None:
    op.drop_table("patient_coverage")
