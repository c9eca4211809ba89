"""Partial refunds: a payment may be reversed in several parts, each naming its items.

`reversal_items` records which items (and their amounts) each reversal gave back,
`refund_request_items` which items a cashier's refund request names (none: all);
the reversals of 0002 are backfilled with every item of their payment, since they
were whole-payment reversals. A payment may now have several reversals, so the
one-reversal-per-payment uniqueness goes (replaced by a plain index).

SQLite cannot drop a table constraint, so `reversals` is rebuilt. Alembic's batch
mode cannot do that here: the migration runs in one transaction with foreign keys
enforced, and dropping `reversals` while `refund_payouts` rows point at it fails.
Both tables are therefore copied aside, dropped child first, recreated from their
own stored definitions (less the constraint) and refilled, with their indexes and
append-only triggers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UNIQUE_PAYMENT = "CONSTRAINT uq_reversals_payment_id UNIQUE (payment_id), \n\t"
UNIQUE_RECEIPT = "CONSTRAINT uq_reversals_receipt_no UNIQUE (receipt_no)"
REBUILT = ("reversals", "refund_payouts")  # parent first: the order they are recreated in


def _key() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    if _sqlite():
        _rebuild_sqlite(lambda sql: _edit(sql, UNIQUE_PAYMENT, ""))
    else:
        op.drop_constraint("uq_reversals_payment_id", "reversals", type_="unique")
    op.create_index("ix_reversals_payment_id", "reversals", ["payment_id"])
    op.create_table(
        "reversal_items",
        sa.Column("reversal_id", _key(), nullable=False),
        sa.Column("bill_item_id", _key(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_reversal_items_amount_not_negative")),
        sa.ForeignKeyConstraint(["reversal_id"], ["reversals.id"],
                                name=op.f("fk_reversal_items_reversal_id_reversals")),
        sa.ForeignKeyConstraint(["bill_item_id"], ["bill_items.id"],
                                name=op.f("fk_reversal_items_bill_item_id_bill_items")),
        sa.UniqueConstraint("reversal_id", "bill_item_id", name="uq_reversal_items_pair"),
    )
    op.create_index("ix_reversal_items_bill_item_id", "reversal_items", ["bill_item_id"])
    op.execute(
        "INSERT INTO reversal_items (reversal_id, bill_item_id, amount_minor) "
        "SELECT v.id, pi.bill_item_id, pi.amount_minor FROM reversals v "
        "JOIN payment_items pi ON pi.payment_id = v.payment_id"
    )
    op.create_table(
        "refund_request_items",
        sa.Column("request_id", _key(), nullable=False),
        sa.Column("bill_item_id", _key(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["refund_requests.id"],
                                name=op.f("fk_refund_request_items_request_id_refund_requests")),
        sa.ForeignKeyConstraint(["bill_item_id"], ["bill_items.id"],
                                name=op.f("fk_refund_request_items_bill_item_id_bill_items")),
        sa.UniqueConstraint("request_id", "bill_item_id", name="uq_refund_request_items_pair"),
    )
    _protect()


def downgrade() -> None:
    _unprotect()
    op.drop_table("refund_request_items")
    op.drop_table("reversal_items")
    op.drop_index("ix_reversals_payment_id", "reversals")
    if _sqlite():
        _rebuild_sqlite(lambda sql: _edit(sql, UNIQUE_RECEIPT, UNIQUE_PAYMENT + UNIQUE_RECEIPT))
    else:
        op.create_unique_constraint("uq_reversals_payment_id", "reversals", ["payment_id"])


def _protect() -> None:
    """reversal_items is append-only, like the other money records."""
    if not _sqlite():  # caretill_append_only() comes from revision 0001
        op.execute("CREATE TRIGGER reversal_items_append_only BEFORE UPDATE OR DELETE OR "
                   "TRUNCATE ON reversal_items FOR EACH STATEMENT "
                   "EXECUTE FUNCTION caretill_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER reversal_items_no_{verb.lower()} BEFORE {verb} ON "
                   "reversal_items BEGIN SELECT RAISE(ABORT, "
                   "'caretill: reversal_items is append-only'); END")


def _unprotect() -> None:
    if not _sqlite():
        op.execute("DROP TRIGGER IF EXISTS reversal_items_append_only ON reversal_items")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS reversal_items_no_{verb}")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _edit(sql: str, old: str, new: str) -> str:
    if sql.count(old) != 1:
        raise RuntimeError(f"reversals is not as revision 0002 left it: {old!r} not found once")
    return sql.replace(old, new)


def _rebuild_sqlite(edit_reversals) -> None:
    """Recreate reversals (its definition edited) and refund_payouts, keeping every row."""
    bind = op.get_bind()
    schema = {table: bind.execute(sa.text(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = :t AND sql IS NOT NULL "
        "ORDER BY type = 'table' DESC"), {"t": table}).all() for table in REBUILT}
    for table in REBUILT:
        op.execute(f"CREATE TEMP TABLE _copy_{table} AS SELECT * FROM {table}")
    for table in reversed(REBUILT):  # child first: no row then points at a dropped parent
        op.execute(f"DROP TABLE {table}")
    for table in REBUILT:
        (kind, create), *extras = schema[table]
        assert kind == "table"
        op.execute(edit_reversals(create) if table == "reversals" else create)
        op.execute(f"INSERT INTO {table} SELECT * FROM _copy_{table}")
        op.execute(f"DROP TABLE _copy_{table}")
        for _, sql in extras:  # indexes and append-only triggers, dropped with the table
            op.execute(sql)
