"""Decision-aid answers: a patient's values and SURE answers per joint, as recorded by a clinician (append-only)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "decision_aid_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("joint", sa.String(5), nullable=False),
        sa.Column("aid_date", sa.Date(), nullable=False),
        sa.Column("ruleset_id", sa.String(80), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("decision_aid_answers_by_joint", "decision_aid_answers", ["patient_id", "joint"])


def downgrade() -> None:
    op.drop_index("decision_aid_answers_by_joint", table_name="decision_aid_answers")
    op.drop_table("decision_aid_answers")
