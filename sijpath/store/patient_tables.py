"""Per-patient administrative tables beside the episode: the patient's coverage (payer, plan, member ID, MAC)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table

from sijpath.store.schema_metadata import metadata

__all__ = ["patient_coverage"]

# The patient's health-plan coverage, one row per patient (migration 0017): it chooses the rule sets the patient
# page shows by default (settings' `payer_rulesets`) and the Medicare contractor whose LCD version applies.
patient_coverage = Table(
    "patient_coverage",
    metadata,
    Column("patient_id", String(128), primary_key=True),
    Column("payer", String(80), nullable=False),  # a key of settings' `payer_rulesets`, or "other"
    Column("plan", String(120), nullable=False),  # the plan's name as on the card ("" when not recorded)
    Column("member_id", String(64), nullable=False),  # "" when not recorded
    Column("medicare_contractor", String(20), nullable=False),  # a MEDICARE_CONTRACTORS key, or ""
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
