"""The rows `check`'s replay compares with the audit events: per receipt, shift, closed day
or stock take, what each money table holds, read for a batch of keys at once.

A batch's keys travel as one JSON parameter (`json_each` on SQLite,
`json_array_elements_text` on PostgreSQL), so a statement costs the same to build for
five keys or five thousand and the database looks each one up in its index.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Date, Select, String, select, text, type_coerce
from sqlalchemy.types import NullType

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork

Rows = dict[Any, list[tuple]]
RECEIPT, SHIFT, DAY, STOCK = "receipt", "shift", "closed day", "stock of item"


def stamp(column: Any) -> Any:
    """A row's time as the driver reads it, unconverted: compared with its event's `at`
    read the same way (`check_queries.chain_events`), same column type on both sides, it
    costs no conversion per row (a string on SQLite, a datetime on PostgreSQL)."""
    return type_coerce(column, NullType()).label(column.name)


def _column(table: t.Table, name: str) -> Any:
    """One column to compare; the times an event's `at` gave, unconverted."""
    return stamp(table.c[name]) if name in EVENT_TIMES else table.c[name]


EVENT_TIMES = frozenset({"created_at", "closed_at"})


def _in_batch(column: Any, dialect: str) -> ColumnElement[bool]:
    """`column IN` the batch's keys, given as the JSON parameter `:keys`."""
    kind = column.type
    cast, typed = (("date", Date) if isinstance(kind, Date) else
                    ("text", String) if isinstance(kind, String) else ("bigint", BigInteger))
    keys = text("SELECT value FROM json_each(:keys)") if dialect == "sqlite" else text(
        f"SELECT CAST(value AS {cast}) AS value "
        "FROM json_array_elements_text(CAST(:keys AS json))")
    return column.in_(keys.columns(value=typed))


@dataclass(frozen=True)
class Table:
    """How to read one table's rows for a batch of keys: (key, *fields) per row."""

    name: str
    owner: str  # RECEIPT, SHIFT, DAY or STOCK: what its key names
    query: Callable[[str], Select]  # per dialect


def _by_receipt(table: t.Table, *columns: str) -> Callable[[str], Select]:
    return lambda d: select(table.c.receipt_no, *(_column(table, c) for c in columns)).where(
        _in_batch(table.c.receipt_no, d))


def _by_parent(child: t.Table, parent: t.Table, link: str,
               *columns: str) -> Callable[[str], Select]:
    return lambda d: (select(parent.c.receipt_no, *(_column(child, c) for c in columns))
                    .join(parent, parent.c.id == child.c[link])
                    .where(_in_batch(parent.c.receipt_no, d)))


def _by_shift(table: t.Table, *columns: str) -> Callable[[str], Select]:
    column = table.c.id if table is t.shifts else table.c.shift_id
    return lambda d: select(column, *(_column(table, c) for c in columns)).where(
        _in_batch(column, d))


TABLES = (
    Table("receipts", RECEIPT, _by_receipt(
        t.receipts, "workstation", "seq", "kind", "patient_id", "cashier_id", "created_at",
        "audit_hash")),
    Table("wallet_entries", RECEIPT, _by_receipt(
        t.wallet_entries, "wallet_id", "kind", "amount_minor", "balance_after_minor",
        "created_at")),
    Table("payments", RECEIPT, _by_receipt(
        t.payments, "patient_id", "amount_minor", "change_minor",
        "wallet_balance_after_minor", "cashier_id", "workstation", "idempotency_key",
        "shift_id", "created_at")),
    Table("payment_items", RECEIPT, _by_parent(
        t.payment_items, t.payments, "payment_id", "bill_item_id", "amount_minor")),
    Table("tenders", RECEIPT, _by_parent(
        t.tenders, t.payments, "payment_id", "method", "amount_minor", "reference",
        "cash_tendered_minor", "change_minor")),
    Table("lab_results", RECEIPT, _by_parent(
        t.lab_results, t.payments, "payment_id", "bill_item_id", "lab_test_code",
        "created_at")),
    Table("tender_references", RECEIPT, _by_receipt(
        t.tender_references, "method", "reference_key")),
    Table("deposits", RECEIPT, _by_receipt(
        t.deposits, "patient_id", "wallet_id", "method", "amount_minor", "reference",
        "cashier_id", "workstation", "idempotency_key", "shift_id", "created_at")),
    Table("withdrawals", RECEIPT, _by_receipt(
        t.withdrawals, "patient_id", "wallet_id", "amount_minor", "reason", "cashier_id",
        "approved_by", "workstation", "shift_id", "idempotency_key", "created_at")),
    Table("reversals", RECEIPT, lambda d: (
        select(t.reversals.c.receipt_no, t.reversals.c.payment_id,
               t.payments.c.receipt_no, *(_column(t.reversals, c) for c in (
                   "reason", "amount_minor", "cashier_id", "requested_by", "approved_by",
                   "request_id", "workstation", "shift_id", "idempotency_key", "created_at")))
        .join(t.payments, t.payments.c.id == t.reversals.c.payment_id)
        .where(_in_batch(t.reversals.c.receipt_no, d)))),
    Table("reversal_items", RECEIPT, _by_parent(
        t.reversal_items, t.reversals, "reversal_id", "bill_item_id", "amount_minor")),
    Table("refund_payouts", RECEIPT, _by_parent(
        t.refund_payouts, t.reversals, "reversal_id", "method", "amount_minor",
        "reference")),
    Table("receivable_entries", RECEIPT, _by_receipt(
        t.receivable_entries, "account_id", "kind", "amount_minor", "balance_after_minor",
        "created_at")),
    Table("settlements", RECEIPT, _by_receipt(
        t.settlements, "account_id", "method", "amount_minor", "reference", "cashier_id",
        "workstation", "idempotency_key", "shift_id", "created_at")),
    Table("settlement_allocations", RECEIPT, lambda d: (
        select(t.receivable_entries.c.receipt_no, t.receivable_entries.c.account_id,
               t.settlement_allocations.c.charge_entry_id,
               t.settlement_allocations.c.amount_minor)
        .join(t.receivable_entries, t.receivable_entries.c.id ==
              t.settlement_allocations.c.settlement_entry_id)
        .where(_in_batch(t.receivable_entries.c.receipt_no, d)))),
    Table("payer_shares", RECEIPT, _by_parent(
        t.payer_shares, t.payments, "payment_id", "payer_id", "member_no", "bill_item_id",
        "amount_minor")),
    Table("payment_status", RECEIPT, lambda d: select(
        t.payments.c.receipt_no, t.payments.c.status).where(
        _in_batch(t.payments.c.receipt_no, d), t.payments.c.status == "reversed")),
    Table("shifts", SHIFT, _by_shift(
        t.shifts, "status", "closed_at", "expected_cash_minor", "counted_cash_minor",
        "variance_minor", "variance_reason", "approved_by")),
    Table("shift_tenders", SHIFT, _by_shift(
        t.shift_tenders, "method", "expected_minor", "expected_count", "counted_minor",
        "counted_count", "variance_minor")),
    Table("shift_cash_counts", SHIFT, _by_shift(
        t.shift_cash_counts, "denomination_minor", "quantity")),
    Table("day_closes", DAY, lambda d: select(
        t.day_closes.c.business_date, *(t.day_closes.c[c] for c in (
            "window_start", "window_end", "closed_by", "workstation", "receipt_count",
            "payments_minor", "deposits_minor", "refunds_minor", "withdrawals_minor",
            "report", "report_hash"))).where(
        _in_batch(t.day_closes.c.business_date, d))),
    Table("stock_movements", STOCK, lambda d: select(
        t.stock_movements.c.bill_item_id, stamp(t.stock_movements.c.created_at),
        t.stock_movements.c.stock_item_id, t.stock_movements.c.delta,
        t.stock_movements.c.reason).where(_in_batch(t.stock_movements.c.bill_item_id, d))),
)
BY_OWNER: dict[str, list[Table]] = defaultdict(list)
for _table in TABLES:
    BY_OWNER[_table.owner].append(_table)


@cache
def _statement(table: Table, dialect: str) -> Select:
    return table.query(dialect)


def read(uow: UnitOfWork, owner: str, keys: list[Any]) -> dict[str, Rows]:
    """Per table of `owner`, the rows each key holds (a stock take's key is its bill item
    and time: (bill_item_id, at))."""
    stock = owner == STOCK
    wanted = sorted({item for item, _ in keys}) if stock else keys
    param = json.dumps([k.isoformat() if isinstance(k, date) else k for k in wanted])
    found: dict[str, Rows] = {}
    for table in BY_OWNER[owner]:
        rows: Rows = defaultdict(list)
        fetched = uow.execute(_statement(table, uow.dialect), {"keys": param}).all()
        if stock:
            for row in fetched:
                rows[(row[0], row[1])].append(row[2:])
        else:
            for row in fetched:
                rows[row[0]].append(row[1:])
        found[table.name] = rows
    return found
