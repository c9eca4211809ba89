"""Initial schema: every thing in SPEC.md's domain, money in integer minor units.

Also makes the audit trail and the ledgers append-only in the database itself.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("command", sa.String(length=32), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "mrn",
            sa.String(length=32).with_variant(sa.String(length=32, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "phone",
            sa.String(length=32).with_variant(sa.String(length=32, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patients_mrn")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_phone"), ["phone"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "stock_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), server_default="unit", nullable=False),
        sa.Column("quantity_on_hand", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "quantity_on_hand >= 0", name=op.f("ck_stock_items_quantity_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_items")),
        sa.UniqueConstraint("code", name=op.f("uq_stock_items_code")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.text("(false)"), nullable=False
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('cashier', 'supervisor', 'admin')", name=op.f("ck_users_role_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "workstations",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("receipt_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("audit_head", sa.String(length=64), server_default="", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "receipt_seq >= 0 AND audit_seq >= 0",
            name=op.f("ck_workstations_counters_not_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workstations")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["workstation"],
            ["workstations.id"],
            name=op.f("fk_audit_events_workstation_workstations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("workstation", "seq", name="uq_audit_events_workstation_seq"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_receipt_no"), ["receipt_no"], unique=False
        )

    op.create_table(
        "bills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bill_no", sa.String(length=32), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'void')", name=op.f("ck_bills_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_bills_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bills")),
        sa.UniqueConstraint("bill_no", name=op.f("uq_bills_bill_no")),
    )
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bills_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_search_terms",
        sa.Column(
            "term",
            sa.String(length=64).with_variant(sa.String(length=64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_search_terms_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("term", "patient_id", name=op.f("pk_patient_search_terms")),
    )
    op.create_index(
        "ix_patient_search_terms_patient_term",
        "patient_search_terms",
        ["patient_id", "term"],
        unique=False,
    )
    op.create_table(
        "receipts",
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "cashier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.Column("reprints", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "kind IN ('payment', 'deposit', 'refund', 'withdrawal')",
            name=op.f("ck_receipts_kind_known"),
        ),
        sa.CheckConstraint("seq > 0 AND reprints >= 0", name=op.f("ck_receipts_seq_positive")),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["users.id"], name=op.f("fk_receipts_cashier_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_receipts_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["workstation"], ["workstations.id"], name=op.f("fk_receipts_workstation_workstations")
        ),
        sa.PrimaryKeyConstraint("receipt_no", name=op.f("pk_receipts")),
        sa.UniqueConstraint("workstation", "seq", name="uq_receipts_workstation_seq"),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=64), server_default="General", nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column(
            "stock_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("lab_test_code", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.CheckConstraint(
            "kind <> 'lab_test' OR lab_test_code IS NOT NULL", name=op.f("ck_services_lab_code")
        ),
        sa.CheckConstraint(
            "kind <> 'pharmacy' OR stock_item_id IS NOT NULL",
            name=op.f("ck_services_pharmacy_stock"),
        ),
        sa.CheckConstraint(
            "kind IN ('consultation', 'lab_test', 'pharmacy', 'procedure', 'other')",
            name=op.f("ck_services_kind_known"),
        ),
        sa.CheckConstraint("unit_price_minor >= 0", name=op.f("ck_services_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_services_stock_item_id_stock_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("code", name=op.f("uq_services_code")),
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "cashier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opening_float_minor", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("expected_cash_minor", sa.BigInteger(), nullable=True),
        sa.Column("counted_cash_minor", sa.BigInteger(), nullable=True),
        sa.Column("variance_minor", sa.BigInteger(), nullable=True),
        sa.Column("variance_reason", sa.Text(), nullable=True),
        sa.Column(
            "approved_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_shifts_status_known")),
        sa.CheckConstraint(
            "counted_cash_minor IS NULL OR counted_cash_minor >= 0",
            name=op.f("ck_shifts_counted_ok"),
        ),
        sa.CheckConstraint("opening_float_minor >= 0", name=op.f("ck_shifts_float_not_negative")),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_shifts_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["users.id"], name=op.f("fk_shifts_cashier_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["workstation"], ["workstations.id"], name=op.f("fk_shifts_workstation_workstations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_shifts_one_open",
            ["cashier_id", "workstation"],
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "wallets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("balance_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("balance_minor >= 0", name=op.f("ck_wallets_balance_not_negative")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_wallets_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallets")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_wallets_patient_id")),
    )
    op.create_table(
        "bill_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bill_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="unpaid", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('unpaid', 'paid', 'void')", name=op.f("ck_bill_items_status_known")
        ),
        sa.CheckConstraint(
            "amount_minor = quantity * unit_price_minor",
            name=op.f("ck_bill_items_amount_is_product"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bill_items_quantity_positive")),
        sa.CheckConstraint("unit_price_minor >= 0", name=op.f("ck_bill_items_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_bill_items_bill_id_bills")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_bill_items_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_bill_items_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_items")),
    )
    with op.batch_alter_table("bill_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bill_items_bill_id"), ["bill_id"], unique=False)
        batch_op.create_index(
            "ix_bill_items_patient_status", ["patient_id", "status"], unique=False
        )

    op.create_table(
        "deposits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "wallet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column(
            "cashier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("shift_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "method IN ('cash', 'card', 'mobile_money')", name=op.f("ck_deposits_method_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_deposits_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["users.id"], name=op.f("fk_deposits_cashier_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_deposits_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_no"], ["receipts.receipt_no"], name=op.f("fk_deposits_receipt_no_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_deposits_shift_id_shifts")
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"], ["wallets.id"], name=op.f("fk_deposits_wallet_id_wallets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposits")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_deposits_receipt_no")),
    )
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deposits_patient_id"), ["patient_id"], unique=False)

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
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=False),
        sa.Column(
            "patient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("change_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("wallet_balance_after_minor", sa.BigInteger(), nullable=True),
        sa.Column(
            "cashier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("shift_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="completed", nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('completed', 'reversed')", name=op.f("ck_payments_status_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint("change_minor >= 0", name=op.f("ck_payments_change_not_negative")),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["users.id"], name=op.f("fk_payments_cashier_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_payments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_no"], ["receipts.receipt_no"], name=op.f("fk_payments_receipt_no_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_payments_shift_id_shifts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_payments_receipt_no")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "wallet_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "wallet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("receipt_no", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('deposit', 'payment', 'refund', 'reversal', 'withdrawal')",
            name=op.f("ck_wallet_entries_kind_known"),
        ),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_wallet_entries_amount_not_zero")),
        sa.CheckConstraint(
            "balance_after_minor >= 0", name=op.f("ck_wallet_entries_balance_after_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_no"],
            ["receipts.receipt_no"],
            name=op.f("fk_wallet_entries_receipt_no_receipts"),
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"], ["wallets.id"], name=op.f("fk_wallet_entries_wallet_id_wallets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_entries")),
    )
    with op.batch_alter_table("wallet_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_entries_wallet_id"), ["wallet_id"], unique=False
        )

    op.create_table(
        "lab_results",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "bill_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("lab_test_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'cancelled')",
            name=op.f("ck_lab_results_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["bill_item_id"], ["bill_items.id"], name=op.f("fk_lab_results_bill_item_id_bill_items")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_lab_results_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_results")),
    )
    with op.batch_alter_table("lab_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lab_results_bill_item_id"), ["bill_item_id"], unique=False
        )
        batch_op.create_index(
            "uq_lab_results_one_active",
            ["bill_item_id"],
            unique=True,
            postgresql_where=sa.text("status != 'cancelled'"),
            sqlite_where=sa.text("status != 'cancelled'"),
        )

    op.create_table(
        "payment_items",
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "bill_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_payment_items_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["bill_item_id"],
            ["bill_items.id"],
            name=op.f("fk_payment_items_bill_item_id_bill_items"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_items_payment_id_payments")
        ),
        sa.UniqueConstraint("payment_id", "bill_item_id", name="uq_payment_items_pair"),
    )
    with op.batch_alter_table("payment_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_items_bill_item_id"), ["bill_item_id"], unique=False
        )

    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "stock_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column(
            "bill_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('receipt', 'sale', 'return', 'adjustment')",
            name=op.f("ck_stock_movements_reason_known"),
        ),
        sa.CheckConstraint("delta <> 0", name=op.f("ck_stock_movements_delta_not_zero")),
        sa.ForeignKeyConstraint(
            ["bill_item_id"],
            ["bill_items.id"],
            name=op.f("fk_stock_movements_bill_item_id_bill_items"),
        ),
        sa.ForeignKeyConstraint(
            ["stock_item_id"],
            ["stock_items.id"],
            name=op.f("fk_stock_movements_stock_item_id_stock_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_movements_stock_item_id"), ["stock_item_id"], unique=False
        )

    op.create_table(
        "tenders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("cash_tendered_minor", sa.BigInteger(), nullable=True),
        sa.Column("change_minor", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "method IN ('cash', 'card', 'mobile_money', 'wallet', 'insurance')",
            name=op.f("ck_tenders_method_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_tenders_amount_positive")),
        sa.CheckConstraint("change_minor >= 0", name=op.f("ck_tenders_change_not_negative")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_tenders_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenders")),
    )
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenders_payment_id"), ["payment_id"], unique=False)

    _make_append_only()


def downgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("tenders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenders_payment_id"))

    op.drop_table("tenders")
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movements_stock_item_id"))

    op.drop_table("stock_movements")
    with op.batch_alter_table("payment_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_items_bill_item_id"))

    op.drop_table("payment_items")
    with op.batch_alter_table("lab_results", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_lab_results_one_active",
            postgresql_where=sa.text("status != 'cancelled'"),
            sqlite_where=sa.text("status != 'cancelled'"),
        )
        batch_op.drop_index(batch_op.f("ix_lab_results_bill_item_id"))

    op.drop_table("lab_results")
    with op.batch_alter_table("wallet_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_entries_wallet_id"))

    op.drop_table("wallet_entries")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_patient_id"))
        batch_op.drop_index(batch_op.f("ix_payments_created_at"))

    op.drop_table("payments")
    op.drop_table("mobile_money_refs")
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposits_patient_id"))

    op.drop_table("deposits")
    with op.batch_alter_table("bill_items", schema=None) as batch_op:
        batch_op.drop_index("ix_bill_items_patient_status")
        batch_op.drop_index(batch_op.f("ix_bill_items_bill_id"))

    op.drop_table("bill_items")
    op.drop_table("wallets")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_shifts_one_open",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )

    op.drop_table("shifts")
    op.drop_table("services")
    op.drop_table("receipts")
    op.drop_table("patient_search_terms")
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bills_patient_id"))

    op.drop_table("bills")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_receipt_no"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
    op.drop_table("workstations")
    op.drop_table("users")
    op.drop_table("stock_items")
    op.drop_table("settings")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_phone"))

    op.drop_table("patients")
    op.drop_table("idempotency_keys")


APPEND_ONLY = ("audit_events", "wallet_entries", "stock_movements")


def _make_append_only() -> None:
    """The database itself refuses UPDATE and DELETE on the audit trail and the ledgers."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION caretill_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'caretill: % is append-only', TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
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


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS caretill_append_only()")
        return
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
