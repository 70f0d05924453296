"""Assessments per joint: stage and next step hold one `joint:code` token per joint, and the v1 cache is dropped."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Stored assessments are a cache of the sijpath-assessment/1 contract: they are made again on demand.
    op.execute("DELETE FROM assessments")
    with op.batch_alter_table("assessments") as table:
        table.alter_column("stage", type_=sa.String(200), existing_nullable=False)
        table.alter_column("next_step", type_=sa.String(200), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM assessments")
    with op.batch_alter_table("assessments") as table:
        table.alter_column("stage", type_=sa.String(40), existing_nullable=False)
        table.alter_column("next_step", type_=sa.String(40), existing_nullable=False)
