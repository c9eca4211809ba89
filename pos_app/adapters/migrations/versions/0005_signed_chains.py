"""Signed audit chains, enrolled workstation keys, check checkpoints and day-close heads.

Each audit event gets the id of the workstation key that signed it and the signature
over its hash. The events already written predate signing: each workstation's
`unsigned_through` is set to its current chain length, and only those may stay unsigned.
`check_checkpoints` lets `check` start where it last verified; `day_closes.heads`
keeps every chain's head at a Z close, a witness the database's own rows cannot undo.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=32), nullable=True))
    op.add_column("audit_events", sa.Column("signature", sa.String(length=128), nullable=True))
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    op.create_index("ix_wallet_entries_receipt_no", "wallet_entries", ["receipt_no"])
    op.add_column(
        "workstations",
        sa.Column("unsigned_through", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.execute("UPDATE workstations SET unsigned_through = audit_seq")
    op.add_column("day_closes", sa.Column("heads", sa.Text(), nullable=True))
    op.create_table(
        "workstation_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", UTCDateTime(), nullable=False),
        sa.Column("enrolled_by", _key(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", _key(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workstation"],
            ["workstations.id"],
            name=op.f("fk_workstation_keys_workstation_workstations"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by"], ["users.id"], name=op.f("fk_workstation_keys_enrolled_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["users.id"], name=op.f("fk_workstation_keys_revoked_by_users")
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_workstation_keys")),
    )
    op.create_index("ix_workstation_keys_workstation", "workstation_keys", ["workstation"])
    op.create_table(
        "check_checkpoints",
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_check_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("check_checkpoints")
    op.drop_index("ix_workstation_keys_workstation", table_name="workstation_keys")
    op.drop_table("workstation_keys")
    op.drop_index("ix_wallet_entries_receipt_no", table_name="wallet_entries")
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    # Plain DROP COLUMN (SQLite >= 3.35 has it): a batch rebuild would drop and recreate
    # tables that others reference and that carry the append-only triggers.
    for table, column in (
        ("day_closes", "heads"),
        ("workstations", "unsigned_through"),
        ("audit_events", "signature"),
        ("audit_events", "key_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
