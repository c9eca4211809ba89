"""Indexes for a business day's window: deposits and wallet entries by time.

The daily report (and `check`'s closed-day rule) sums the deposits of one day's window,
and the wallet liability sums the entries since the last Z close; without these each read
every row of the year. A day's receipts already have one (ix_receipts_workstation_created).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deposits_created_at", "deposits", ["created_at"])
    op.create_index(
        "ix_wallet_entries_created_amount", "wallet_entries", ["created_at", "amount_minor"]
    )


def downgrade() -> None:
    op.drop_index("ix_wallet_entries_created_amount", table_name="wallet_entries")
    op.drop_index("ix_deposits_created_at", table_name="deposits")
