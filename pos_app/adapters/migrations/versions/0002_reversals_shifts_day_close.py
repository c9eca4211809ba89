"""Reversals, refund requests, wallet withdrawals, per-tender shift close and the Z day close.

The new money records are append-only in the database itself, like the ledgers of
0001, and a closed shift refuses any further UPDATE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TENDER_METHODS = "'cash', 'card', 'mobile_money', 'wallet', 'insurance'"
APPEND_ONLY = (
    "reversals",
    "reversal_items",
    "refund_payouts",
    "withdrawals",
    "shift_tenders",
    "shift_cash_counts",
    "day_closes",
)


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column:
    return sa.Column("id", _key(), nullable=False)


def _ref(name: str, target: str, table: str, *, nullable: bool = False) -> list:
    return [
        sa.Column(name, _key(), nullable=nullable),
        sa.ForeignKeyConstraint([name], [f"{target}.id"], name=op.f(f"fk_{table}_{name}_{target}")),
    ]


def upgrade() -> None:
    op.create_table(
        "refund_requests",
        _id(),
        *_ref("payment_id", "payments", "refund_requests"),
        *_ref("requested_by", "users", "refund_requests"),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_ref("decided_by", "users", "refund_requests", nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_refund_requests_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_requests")),
    )
    with op.batch_alter_table("refund_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_requests_payment_id"), ["payment_id"])
        batch_op.create_index(
            "uq_refund_requests_one_pending",
            ["payment_id"],
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "reversals",
        _id(),
        *_ref("payment_id", "payments", "reversals"),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        *_ref("cashier_id", "users", "reversals"),
        *_ref("requested_by", "users", "reversals"),
        *_ref("approved_by", "users", "reversals"),
        *_ref("request_id", "refund_requests", "reversals", nullable=True),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        *_ref("shift_id", "shifts", "reversals", nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_reversals_amount_positive")),
        sa.CheckConstraint("approved_by <> cashier_id", name=op.f("ck_reversals_two_people")),
        sa.ForeignKeyConstraint(
            ["receipt_no"], ["receipts.receipt_no"], name=op.f("fk_reversals_receipt_no_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reversals")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_reversals_receipt_no")),
    )
    with op.batch_alter_table("reversals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reversals_created_at"), ["created_at"])
        # A payment refunded in parts has several reversals.
        batch_op.create_index(batch_op.f("ix_reversals_payment_id"), ["payment_id"])

    op.create_table(
        "reversal_items",
        *_ref("reversal_id", "reversals", "reversal_items"),
        *_ref("bill_item_id", "bill_items", "reversal_items"),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_reversal_items_amount_not_negative")),
        sa.UniqueConstraint("reversal_id", "bill_item_id", name="uq_reversal_items_pair"),
    )
    with op.batch_alter_table("reversal_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reversal_items_bill_item_id"), ["bill_item_id"])

    op.create_table(
        "refund_request_items",
        *_ref("request_id", "refund_requests", "refund_request_items"),
        *_ref("bill_item_id", "bill_items", "refund_request_items"),
        sa.UniqueConstraint("request_id", "bill_item_id", name="uq_refund_request_items_pair"),
    )

    op.create_table(
        "refund_payouts",
        _id(),
        *_ref("reversal_id", "reversals", "refund_payouts"),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            f"method IN ({TENDER_METHODS})", name=op.f("ck_refund_payouts_method_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refund_payouts_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_payouts")),
    )
    with op.batch_alter_table("refund_payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_payouts_reversal_id"), ["reversal_id"])

    op.create_table(
        "withdrawals",
        _id(),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        *_ref("patient_id", "patients", "withdrawals"),
        *_ref("wallet_id", "wallets", "withdrawals"),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_ref("cashier_id", "users", "withdrawals"),
        *_ref("approved_by", "users", "withdrawals"),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        *_ref("shift_id", "shifts", "withdrawals", nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_withdrawals_amount_positive")),
        sa.ForeignKeyConstraint(
            ["receipt_no"], ["receipts.receipt_no"], name=op.f("fk_withdrawals_receipt_no_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawals")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_withdrawals_receipt_no")),
    )
    with op.batch_alter_table("withdrawals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_withdrawals_patient_id"), ["patient_id"])
        batch_op.create_index(batch_op.f("ix_withdrawals_created_at"), ["created_at"])

    op.create_table(
        "shift_tenders",
        *_ref("shift_id", "shifts", "shift_tenders"),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("expected_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_count", sa.Integer(), nullable=False),
        sa.Column("counted_minor", sa.BigInteger(), nullable=True),
        sa.Column("counted_count", sa.Integer(), nullable=True),
        sa.Column("variance_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            f"method IN ({TENDER_METHODS})", name=op.f("ck_shift_tenders_method_known")
        ),
        sa.UniqueConstraint("shift_id", "method", name="uq_shift_tenders_pair"),
    )
    op.create_table(
        "shift_cash_counts",
        *_ref("shift_id", "shifts", "shift_cash_counts"),
        sa.Column("denomination_minor", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "denomination_minor > 0 AND quantity >= 0", name=op.f("ck_shift_cash_counts_count_ok")
        ),
        sa.UniqueConstraint("shift_id", "denomination_minor", name="uq_shift_cash_counts_pair"),
    )
    op.create_table(
        "day_closes",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("window_end", UTCDateTime(), nullable=False),
        *_ref("closed_by", "users", "day_closes"),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("receipt_count", sa.Integer(), nullable=False),
        sa.Column("payments_minor", sa.BigInteger(), nullable=False),
        sa.Column("deposits_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunds_minor", sa.BigInteger(), nullable=False),
        sa.Column("withdrawals_minor", sa.BigInteger(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("report_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("window_end >= window_start", name=op.f("ck_day_closes_window_ordered")),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_day_closes")),
    )
    _protect()


def downgrade() -> None:
    _unprotect()
    for table in (
        "day_closes",
        "shift_cash_counts",
        "shift_tenders",
        "withdrawals",
        "refund_payouts",
        "reversal_items",
        "refund_request_items",
        "reversals",
        "refund_requests",
    ):
        op.drop_table(table)


def _protect() -> None:
    """New money records are append-only; a closed shift refuses any further change."""
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:  # caretill_append_only() comes from revision 0001
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION caretill_append_only()"
            )
        op.execute(
            "CREATE FUNCTION caretill_closed_shift() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'caretill: shift % is closed', OLD.id "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            "CREATE TRIGGER shifts_closed_immutable BEFORE UPDATE OR DELETE ON shifts "
            "FOR EACH ROW WHEN (OLD.status = 'closed') EXECUTE FUNCTION caretill_closed_shift()"
        )
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'caretill: {table} is append-only'); END"
            )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER shifts_closed_no_{verb.lower()} BEFORE {verb} ON shifts "
            "WHEN OLD.status = 'closed' "
            "BEGIN SELECT RAISE(ABORT, 'caretill: a closed shift is immutable'); END"
        )


def _unprotect() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP TRIGGER IF EXISTS shifts_closed_immutable ON shifts")
        op.execute("DROP FUNCTION IF EXISTS caretill_closed_shift()")
        return
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS shifts_closed_no_{verb}")
