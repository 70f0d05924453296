"""Patient-list indexes: a covering one for the join, and by step and stage for sorting 10,000 patients."""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("assessments_by_ruleset", table_name="assessments")
    op.create_index("episodes_summary", "episodes", ["patient_id", "fingerprint", "version", "updated_at"])
    op.create_index("assessments_by_step", "assessments", ["ruleset_id", "as_of", "next_step", "patient_id"])
    op.create_index("assessments_by_stage", "assessments", ["ruleset_id", "as_of", "stage", "patient_id"])
    op.create_index(
        "assessments_summary",
        "assessments",
        ["patient_id", "ruleset_id", "as_of", "fingerprint", "next_step", "stage", "flags"],
    )


def downgrade() -> None:
    op.drop_index("assessments_summary", table_name="assessments")
    op.drop_index("episodes_summary", table_name="episodes")
    op.drop_index("assessments_by_stage", table_name="assessments")
    op.drop_index("assessments_by_step", table_name="assessments")
    op.create_index("assessments_by_ruleset", "assessments", ["ruleset_id", "as_of", "next_step"])
