"""Indexes for the window's receipts list: a patient's receipts and a workstation's day.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_receipts_patient_created", "receipts", ["patient_id", "created_at"])
    op.create_index("ix_receipts_workstation_created", "receipts", ["workstation", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_receipts_workstation_created", table_name="receipts")
    op.drop_index("ix_receipts_patient_created", table_name="receipts")
