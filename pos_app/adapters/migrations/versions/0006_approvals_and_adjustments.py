"""One approval workflow for everything that needs a second person, and bill adjustments.

`approval_requests` holds a request of any kind (refund, withdrawal, adjustment, shift
variance, credit limit) with its amount, reason and the parameters of the action it
would execute (`payload`, canonical JSON), and the decision. `adjustments` are
append-only lines that change what is due on an unpaid bill item (discount, waiver,
price correction), each with its reason code, who asked and who approved.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from pos_app.adapters.migrations.checks import swap_check as _swap_check
from pos_app.adapters.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KINDS = "'refund', 'withdrawal', 'adjustment', 'shift_variance', 'credit_limit'"


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ref(name: str, target: str, table: str, *, nullable: bool = False) -> list:
    return [
        sa.Column(name, _key(), nullable=nullable),
        sa.ForeignKeyConstraint([name], [f"{target}.id"], name=op.f(f"fk_{table}_{name}_{target}")),
    ]


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", _key(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        *_ref("requested_by", "users", "approval_requests"),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        *_ref("decided_by", "users", "approval_requests", nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_approval_requests_kind_known")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_approval_requests_status_known"),
        ),
        sa.CheckConstraint(
            "amount_minor >= 0", name=op.f("ck_approval_requests_amount_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    op.create_index("ix_approval_requests_status", "approval_requests", ["status"])
    op.create_index(
        "uq_approval_requests_one_pending",
        "approval_requests",
        ["kind", "subject"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    _move_refund_requests()
    op.create_table(
        "adjustments",
        sa.Column("id", _key(), nullable=False),
        *_ref("bill_item_id", "bill_items", "adjustments"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        *_ref("requested_by", "users", "adjustments"),
        *_ref("approved_by", "users", "adjustments", nullable=True),
        *_ref("request_id", "approval_requests", "adjustments", nullable=True),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('discount', 'waiver', 'price')", name=op.f("ck_adjustments_kind_known")
        ),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_adjustments_amount_not_zero")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
    )
    op.create_index("ix_adjustments_bill_item_id", "adjustments", ["bill_item_id"])
    _protect()
    _allow_zero_payments()


def _move_refund_requests() -> None:
    """Refund requests become approval requests of kind refund, with the same ids (their
    reversals and audit events name them); the old tables stay, read only, as history."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT r.id, p.receipt_no, r.requested_by, r.workstation, r.reason, r.status, "
            "r.created_at, r.decided_by, r.decided_at, p.amount_minor, p.id, pt.mrn "
            "FROM refund_requests r JOIN payments p ON p.id = r.payment_id "
            "JOIN patients pt ON pt.id = p.patient_id ORDER BY r.id"
        )
    ).all()
    for (
        request_id,
        receipt_no,
        requested_by,
        workstation,
        reason,
        status,
        created_at,
        decided_by,
        decided_at,
        paid_minor,
        payment_id,
        mrn,
    ) in rows:
        items = [
            i
            for (i,) in bind.execute(
                sa.text(
                    "SELECT bill_item_id FROM refund_request_items WHERE request_id = :r "
                    "ORDER BY bill_item_id"
                ),
                {"r": request_id},
            )
        ]
        if items:
            asked = bind.execute(
                sa.text(
                    "SELECT COALESCE(SUM(amount_minor), 0) FROM payment_items "
                    "WHERE payment_id = :p AND bill_item_id IN "
                    "(SELECT bill_item_id FROM refund_request_items WHERE request_id = :r)"
                ),
                {"p": payment_id, "r": request_id},
            ).scalar_one()
        else:
            asked = (
                paid_minor
                - bind.execute(
                    sa.text(
                        "SELECT COALESCE(SUM(amount_minor), 0) FROM reversals "
                        "WHERE payment_id = :p AND (request_id IS NULL OR request_id <> :r)"
                    ),
                    {"p": payment_id, "r": request_id},
                ).scalar_one()
            )
        payload = json.dumps(
            {"receipt_no": receipt_no, "mrn": mrn, "items": items},
            sort_keys=True,
            separators=(",", ":"),
        )
        bind.execute(
            sa.text(
                "INSERT INTO approval_requests (id, kind, subject, amount_minor, reason, payload, "
                "requested_by, workstation, created_at, status, decided_by, decided_at) VALUES "
                "(:id, 'refund', :subject, :amount, :reason, :payload, :by, :ws, :at, :status, "
                ":decided_by, :decided_at)"
            ),
            {
                "id": request_id,
                "subject": receipt_no,
                "amount": max(asked, 0),
                "reason": reason,
                "payload": payload,
                "by": requested_by,
                "ws": workstation,
                "at": created_at,
                "status": status,
                "decided_by": decided_by,
                "decided_at": decided_at,
            },
        )
    if rows and bind.dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('approval_requests', 'id'), "
            "(SELECT MAX(id) FROM approval_requests))"
        )


def _allow_zero_payments() -> None:
    """A fully waived item is settled by a payment of nothing: a zero-amount receipt."""
    _swap_check(
        "payments",
        ("ck_payments_amount_positive", "amount_minor > 0"),
        ("ck_payments_amount_not_negative", "amount_minor >= 0"),
    )


def _protect() -> None:
    """Adjustments are ledger lines: a correction is a new line, never an edit."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER adjustments_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON adjustments FOR EACH STATEMENT EXECUTE FUNCTION caretill_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER adjustments_no_{verb.lower()} BEFORE {verb} ON adjustments "
            "BEGIN SELECT RAISE(ABORT, 'caretill: adjustments is append-only'); END"
        )


def downgrade() -> None:
    _swap_check(
        "payments",
        ("ck_payments_amount_not_negative", "amount_minor >= 0"),
        ("ck_payments_amount_positive", "amount_minor > 0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS adjustments_append_only ON adjustments")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS adjustments_no_{verb}")
    op.drop_index("ix_adjustments_bill_item_id", table_name="adjustments")
    op.drop_table("adjustments")
    op.drop_index("uq_approval_requests_one_pending", table_name="approval_requests")
    op.drop_index("ix_approval_requests_status", table_name="approval_requests")
    op.drop_table("approval_requests")
