"""The worklist: why each stored assessment needs action (`joint:reason` tokens and their words), indexed by day;
and the episodes' change counter, so the list asks "is everyone assessed?" only after a change."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("worklist", sa.String(400), nullable=True))
        batch.add_column(sa.Column("worklist_detail", sa.Text(), nullable=True))
    columns = ["ruleset_id", "as_of", "patient_id", "ruleset_version", "fingerprint", "worklist", "next_step", "flags"]
    op.create_index("assessments_worklist", "assessments", columns)
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(counters, [{"name": "episodes", "value": 0}])


def downgrade() -> None:
    op.drop_table("change_counters")
    op.drop_index("assessments_worklist", table_name="assessments")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("worklist_detail")
        batch.drop_column("worklist")
