"""The physician's narrative of prior-authorization letters, kept per patient, procedure and joint."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "letter_narratives",
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("procedure", sa.String(10), nullable=False),
        sa.Column("joint", sa.String(5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "procedure", "joint"),
    )


def downgrade() -> None:
    op.drop_table("letter_narratives")
