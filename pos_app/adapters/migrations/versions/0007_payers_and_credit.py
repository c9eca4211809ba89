"""Payers and credit: insurer/employer/scheme covers, memberships, receivable accounts, claims.

A payer's share of a covered item and a patient's credit are debts owed to the facility:
each debtor has one receivable account whose balance always equals the sum of its
append-only entries (charges, settlements, reversals). `payer_shares` records, per paid
item, what the payer owes and under which member number; `claim_items` puts each share in
at most one numbered claim batch; `settlement_allocations` says which charges a settlement
paid, oldest first unless told, and `settlements` how and in which shift the money came.
A fully covered payment's reversal gives the patient nothing back: a reversal may be 0.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.migrations.checks import swap_check
from pos_app.adapters.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "receivable_entries",
    "payer_shares",
    "claim_items",
    "settlement_allocations",
    "settlements",
)
SERVICE_KINDS = "'consultation', 'lab_test', 'pharmacy', 'procedure', 'other'"
OLD_METHODS = "'cash', 'card', 'mobile_money', 'wallet', 'insurance'"
# A settlement of a receivable account has its own receipt; credit (pay later) is a tender,
# paid back by a refund onto the same account.
WIDENED = (
    ("receipts", "kind", "'payment', 'deposit', 'refund', 'withdrawal'", "'settlement'"),
    ("tenders", "method", OLD_METHODS, "'credit'"),
    ("refund_payouts", "method", OLD_METHODS, "'credit'"),
    ("shift_tenders", "method", OLD_METHODS, "'credit'"),
)
REVERSAL_AMOUNT = (
    ("ck_reversals_amount_positive", "amount_minor > 0"),
    ("ck_reversals_amount_not_negative", "amount_minor >= 0"),
)


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column:
    return sa.Column("id", _key(), nullable=False)


def _ref(name: str, target: str, table: str, *, nullable: bool = False, column: str = "id") -> list:
    return [
        sa.Column(name, _key(), nullable=nullable),
        sa.ForeignKeyConstraint(
            [name], [f"{target}.{column}"], name=op.f(f"fk_{table}_{name}_{target}")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "payers",
        _id(),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('insurer', 'employer', 'scheme')", name=op.f("ck_payers_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("code", name=op.f("uq_payers_code")),
    )
    op.create_table(
        "payer_covers",
        _id(),
        *_ref("payer_id", "payers", "payer_covers"),
        sa.Column("service_kind", sa.String(length=16), nullable=False),
        sa.Column("percent_bp", sa.Integer(), nullable=False),  # basis points: 8000 = 80 %
        sa.Column("copay_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("copay_per", sa.String(length=8), server_default="visit", nullable=False),
        sa.Column("cap_minor", sa.BigInteger(), nullable=True),  # per visit (payment)
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            f"service_kind IN ({SERVICE_KINDS})", name=op.f("ck_payer_covers_kind_known")
        ),
        sa.CheckConstraint(
            "percent_bp BETWEEN 0 AND 10000", name=op.f("ck_payer_covers_percent_range")
        ),
        sa.CheckConstraint("copay_minor >= 0", name=op.f("ck_payer_covers_copay_not_negative")),
        sa.CheckConstraint(
            "copay_per IN ('visit', 'item')", name=op.f("ck_payer_covers_copay_per_known")
        ),
        sa.CheckConstraint(
            "cap_minor IS NULL OR cap_minor >= 0", name=op.f("ck_payer_covers_cap_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_covers")),
        sa.UniqueConstraint("payer_id", "service_kind", name="uq_payer_covers_pair"),
    )
    op.create_table(
        "memberships",
        _id(),
        *_ref("patient_id", "patients", "memberships"),
        *_ref("payer_id", "payers", "memberships"),
        sa.Column("member_no", sa.String(length=64), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("patient_id", "payer_id", name="uq_memberships_pair"),
    )
    op.create_table(
        "receivable_accounts",
        _id(),
        *_ref("payer_id", "payers", "receivable_accounts", nullable=True),
        *_ref("patient_id", "patients", "receivable_accounts", nullable=True),
        sa.Column("balance_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("credit_limit_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(payer_id IS NULL) <> (patient_id IS NULL)",
            name=op.f("ck_receivable_accounts_one_debtor"),
        ),
        sa.CheckConstraint(
            "credit_limit_minor >= 0", name=op.f("ck_receivable_accounts_limit_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable_accounts")),
        sa.UniqueConstraint("payer_id", name=op.f("uq_receivable_accounts_payer_id")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_receivable_accounts_patient_id")),
    )
    op.create_table(
        "receivable_entries",
        _id(),
        *_ref("account_id", "receivable_accounts", "receivable_entries"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),  # + owed, - paid back
        sa.Column("balance_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('payer_share', 'credit', 'settlement', 'reversal')",
            name=op.f("ck_receivable_entries_kind_known"),
        ),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_receivable_entries_amount_not_zero")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable_entries")),
    )
    op.create_index("ix_receivable_entries_account_id", "receivable_entries", ["account_id"])
    op.create_index("ix_receivable_entries_receipt_no", "receivable_entries", ["receipt_no"])
    op.create_table(
        "payer_shares",
        _id(),
        *_ref("payment_id", "payments", "payer_shares"),
        *_ref("bill_item_id", "bill_items", "payer_shares"),
        *_ref("payer_id", "payers", "payer_shares"),
        sa.Column("member_no", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payer_shares_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_shares")),
        sa.UniqueConstraint("payment_id", "bill_item_id", name="uq_payer_shares_pair"),
    )
    op.create_index("ix_payer_shares_payer_id", "payer_shares", ["payer_id"])
    op.create_table(
        "claim_batches",
        _id(),
        *_ref("payer_id", "payers", "claim_batches"),
        sa.Column("batch_no", sa.String(length=32), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        *_ref("created_by", "users", "claim_batches"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_batches")),
        sa.UniqueConstraint("batch_no", name=op.f("uq_claim_batches_batch_no")),
    )
    op.create_table(
        "claim_items",
        *_ref("batch_id", "claim_batches", "claim_items"),
        *_ref("payer_share_id", "payer_shares", "claim_items"),
        sa.PrimaryKeyConstraint("payer_share_id", name=op.f("pk_claim_items")),
    )
    op.create_table(
        "settlement_allocations",
        *_ref("settlement_entry_id", "receivable_entries", "settlement_allocations"),
        *_ref("charge_entry_id", "receivable_entries", "settlement_allocations"),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_settlement_allocations_amount_positive")
        ),
        sa.PrimaryKeyConstraint(
            "settlement_entry_id", "charge_entry_id", name=op.f("pk_settlement_allocations")
        ),
    )
    op.create_table(
        "settlements",
        _id(),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        *_ref("account_id", "receivable_accounts", "settlements"),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        *_ref("cashier_id", "users", "settlements"),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        *_ref("shift_id", "shifts", "settlements", nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "method IN ('cash', 'card', 'mobile_money', 'bank_transfer')",
            name=op.f("ck_settlements_method_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_settlements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["receipt_no"], ["receipts.receipt_no"], name=op.f("fk_settlements_receipt_no_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_settlements_receipt_no")),
    )
    for column in ("account_id", "shift_id", "created_at"):
        op.create_index(f"ix_settlements_{column}", "settlements", [column])
    _protect()
    for table, column, before, added in WIDENED:
        _widen(table, column, before, f"{before}, {added}")
    swap_check("reversals", *REVERSAL_AMOUNT)


def _widen(table: str, column: str, before: str, after: str) -> None:
    name = f"ck_{table}_{column}_known"
    swap_check(table, (name, f"{column} IN ({before})"), (name, f"{column} IN ({after})"))


def _protect() -> None:
    """Receivables are ledgers: a correction is a new entry, never an edit."""
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION caretill_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'caretill: {table} is append-only'); END"
            )


def downgrade() -> None:
    swap_check("reversals", *reversed(REVERSAL_AMOUNT))
    for table, column, before, added in WIDENED:
        _widen(table, column, f"{before}, {added}", before)
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    for table in (
        "settlements",
        "settlement_allocations",
        "claim_items",
        "claim_batches",
        "payer_shares",
        "receivable_entries",
        "receivable_accounts",
        "memberships",
        "payer_covers",
        "payers",
    ):
        op.drop_table(table)
