"""Record integrity: the imported resource an entered fact was matched to, and facts removed (restorable)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"  # the integrator re-chains at merge
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("facts") as batch:
        batch.add_column(sa.Column("matched_source", sa.String(200), nullable=True))
    op.create_table(
        "removed_facts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(128), nullable=False),
        sa.Column("list_name", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("fact", sa.Text(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("matched_source", sa.String(200), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(64), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restored_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("removed_facts_by_patient", "removed_facts", ["patient_id", "id"])


def downgrade() -> None:
    op.drop_index("removed_facts_by_patient", table_name="removed_facts")
    op.drop_table("removed_facts")
    with op.batch_alter_table("facts") as batch:
        batch.drop_column("matched_source")
