"""Live sign-in sessions, tender references kept once per method as their normalised key,
and the database's own identity.

A session row lets the service layer refuse a signed-out window, a disabled user
or a role taken away. `tender_references` replaces `mobile_money_refs`: card,
mobile-money and insurance references are each used once per method, under the
key `pos_app.domain.text.reference_key` gives, so `QK71XR` and `qk71xr\u200b` are
one transaction. The references already taken are copied under their key (where
old rows repeat a key, the lowest receipt number keeps it). `database_id` is a random id
made with the schema, so witnesses kept outside the database never confuse a
training copy with the live one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.types import UTCDateTime
from pos_app.domain.text import reference_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_REFERENCED = "'card', 'mobile_money', 'insurance'"


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", _key(), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    op.create_table(
        "tender_references",
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reference_key", sa.String(length=64), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            f"method IN ({_REFERENCED})", name=op.f("ck_tender_references_method_known")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_no"],
            ["receipts.receipt_no"],
            name=op.f("fk_tender_references_receipt_no_receipts"),
        ),
        sa.PrimaryKeyConstraint("method", "reference_key", name=op.f("pk_tender_references")),
    )
    _copy_references()
    op.drop_table("mobile_money_refs")
    op.get_bind().execute(
        sa.text("INSERT INTO settings (key, value) VALUES ('database_id', :value)"),
        {"value": uuid.uuid4().hex},
    )


def _copy_references() -> None:
    """Every reference already taken, under its key; mobile money from its own table, card
    and insurance from the payments and deposits that carried them."""
    bind = op.get_bind()
    taken = bind.execute(
        sa.text(
            "SELECT 'mobile_money', reference, receipt_no FROM mobile_money_refs "
            "UNION ALL SELECT t.method, t.reference, p.receipt_no FROM tenders t "
            "JOIN payments p ON p.id = t.payment_id "
            "WHERE t.method IN ('card', 'insurance') AND t.reference IS NOT NULL "
            "UNION ALL SELECT method, reference, receipt_no FROM deposits "
            "WHERE method = 'card' AND reference IS NOT NULL "
            "ORDER BY 3"
        )
    ).all()
    keys: dict[tuple[str, str], str] = {}
    for method, reference, receipt_no in taken:
        key = reference_key(reference)[:64]
        if key:
            keys.setdefault((method, key), receipt_no)
    if keys:
        bind.execute(
            sa.text(
                "INSERT INTO tender_references (method, reference_key, receipt_no) "
                "VALUES (:method, :key, :receipt_no)"
            ),
            [
                {"method": method, "key": key, "receipt_no": receipt_no}
                for (method, key), receipt_no in keys.items()
            ],
        )


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM settings WHERE key = 'database_id'"))
    op.create_table(
        "mobile_money_refs",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["receipt_no"],
            ["receipts.receipt_no"],
            name=op.f("fk_mobile_money_refs_receipt_no_receipts"),
        ),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_mobile_money_refs")),
    )
    op.execute(
        "INSERT INTO mobile_money_refs (reference, receipt_no) SELECT reference_key, "
        "receipt_no FROM tender_references WHERE method = 'mobile_money'"
    )
    op.drop_table("tender_references")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
