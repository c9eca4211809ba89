"""The rows `check`'s replay compares with the audit events: per receipt, shift, closed day
or stock take, what each money table holds, read for a batch of keys at once.

A batch's keys travel as one JSON parameter (`json_each` on SQLite,
`json_array_elements_text` on PostgreSQL), so a statement costs the same to build for
five keys or five thousand and the database looks each one up in its index.
Rows come back as the driver reads them (`driver_rows`): a check reads every row of the
books, and SQLAlchemy's processing of each would cost more than comparing it. On SQLite
the receipts one chain issued in a row are read as a range of receipt numbers instead
(`_ranges`), a third cheaper than looking each up, and nearly free for a table that
holds none of them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Container
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    String,
    bindparam,
    func,
    select,
    text,
)

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork

Rows = list[tuple]  # (key, *fields) per row
RECEIPT, SHIFT, DAY, STOCK = "receipt", "shift", "closed day", "stock of item"
ADJUSTMENT = "adjustment of item"  # keyed as stock is: (bill item, time)
BY_ITEM = (STOCK, ADJUSTMENT)
RANGE = "range"  # the statements reading a range of receipt numbers (`_ranges`)


def driver_rows(uow: UnitOfWork, statement: Any, params: dict[str, Any]) -> list[tuple]:
    """`statement`'s rows as plain tuples of what the driver read, unconverted: a time is
    the stored text on SQLite, a datetime on PostgreSQL, on both sides of a comparison
    (an event's `at` is read the same way, `check_queries.chain_events`)."""
    result = uow.execute(statement, params)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _in_batch(column: Any, dialect: str) -> ColumnElement[bool]:
    """`column IN` the batch's keys, given as the JSON parameter `:keys` (or, for the
    `RANGE` statements, between `:lo` and `:hi`)."""
    if dialect == RANGE:
        return column.between(bindparam("lo"), bindparam("hi"))
    kind = column.type
    cast, typed = (
        ("date", Date)
        if isinstance(kind, Date)
        else ("text", String)
        if isinstance(kind, String)
        else ("bigint", BigInteger)
    )
    keys = (
        text("SELECT value FROM json_each(:keys)")
        if dialect == "sqlite"
        else text(
            f"SELECT CAST(value AS {cast}) AS value "
            "FROM json_array_elements_text(CAST(:keys AS json))"
        )
    )
    return column.in_(keys.columns(value=typed))


@dataclass(frozen=True)
class Table:
    """How to read one table's rows for a batch of keys: (key, *fields) per row."""

    name: str
    owner: str  # RECEIPT, SHIFT, DAY, STOCK or ADJUSTMENT: what its key names
    query: Callable[[str], Select]  # per dialect, or RANGE


def _by_receipt(table: t.Table, *columns: str) -> Callable[[str], Select]:
    return lambda d: select(table.c.receipt_no, *(table.c[c] for c in columns)).where(
        _in_batch(table.c.receipt_no, d)
    )


def _by_parent(
    child: t.Table, parent: t.Table, link: str, *columns: str
) -> Callable[[str], Select]:
    return lambda d: (
        select(parent.c.receipt_no, *(child.c[c] for c in columns))
        .join(parent, parent.c.id == child.c[link])
        .where(_in_batch(parent.c.receipt_no, d))
    )


def _by_shift(table: t.Table, *columns: str) -> Callable[[str], Select]:
    column = table.c.id if table is t.shifts else table.c.shift_id
    return lambda d: select(column, *(table.c[c] for c in columns)).where(_in_batch(column, d))


TABLES = (
    Table(
        "receipts",
        RECEIPT,
        _by_receipt(
            t.receipts,
            "workstation",
            "seq",
            "kind",
            "patient_id",
            "cashier_id",
            "created_at",
            "audit_hash",
        ),
    ),
    Table(
        "wallet_entries",
        RECEIPT,
        _by_receipt(
            t.wallet_entries,
            "wallet_id",
            "kind",
            "amount_minor",
            "balance_after_minor",
            "created_at",
        ),
    ),
    Table(
        "payments",
        RECEIPT,
        _by_receipt(
            t.payments,
            "patient_id",
            "amount_minor",
            "change_minor",
            "wallet_balance_after_minor",
            "cashier_id",
            "workstation",
            "idempotency_key",
            "shift_id",
            "created_at",
        ),
    ),
    Table(
        "payment_items",
        RECEIPT,
        _by_parent(t.payment_items, t.payments, "payment_id", "bill_item_id", "amount_minor"),
    ),
    Table(
        "tenders",
        RECEIPT,
        _by_parent(
            t.tenders,
            t.payments,
            "payment_id",
            "method",
            "amount_minor",
            "reference",
            "cash_tendered_minor",
            "change_minor",
        ),
    ),
    Table(
        "lab_results",
        RECEIPT,
        _by_parent(
            t.lab_results, t.payments, "payment_id", "bill_item_id", "lab_test_code", "created_at"
        ),
    ),
    Table(
        "tender_references", RECEIPT, _by_receipt(t.tender_references, "method", "reference_key")
    ),
    Table(
        "deposits",
        RECEIPT,
        _by_receipt(
            t.deposits,
            "patient_id",
            "wallet_id",
            "method",
            "amount_minor",
            "reference",
            "cashier_id",
            "workstation",
            "idempotency_key",
            "shift_id",
            "created_at",
        ),
    ),
    Table(
        "withdrawals",
        RECEIPT,
        _by_receipt(
            t.withdrawals,
            "patient_id",
            "wallet_id",
            "amount_minor",
            "reason",
            "cashier_id",
            "approved_by",
            "workstation",
            "shift_id",
            "idempotency_key",
            "created_at",
        ),
    ),
    Table(
        "reversals",
        RECEIPT,
        lambda d: (
            select(
                t.reversals.c.receipt_no,
                t.reversals.c.payment_id,
                t.payments.c.receipt_no,
                *(
                    t.reversals.c[c]
                    for c in (
                        "reason",
                        "amount_minor",
                        "cashier_id",
                        "requested_by",
                        "approved_by",
                        "request_id",
                        "workstation",
                        "shift_id",
                        "idempotency_key",
                        "created_at",
                    )
                ),
            )
            .join(t.payments, t.payments.c.id == t.reversals.c.payment_id)
            .where(_in_batch(t.reversals.c.receipt_no, d))
        ),
    ),
    Table(
        "reversal_items",
        RECEIPT,
        _by_parent(t.reversal_items, t.reversals, "reversal_id", "bill_item_id", "amount_minor"),
    ),
    Table(
        "refund_payouts",
        RECEIPT,
        _by_parent(
            t.refund_payouts, t.reversals, "reversal_id", "method", "amount_minor", "reference"
        ),
    ),
    Table(
        "receivable_entries",
        RECEIPT,
        _by_receipt(
            t.receivable_entries,
            "account_id",
            "kind",
            "amount_minor",
            "balance_after_minor",
            "created_at",
        ),
    ),
    Table(
        "settlements",
        RECEIPT,
        _by_receipt(
            t.settlements,
            "account_id",
            "method",
            "amount_minor",
            "reference",
            "cashier_id",
            "workstation",
            "idempotency_key",
            "shift_id",
            "created_at",
        ),
    ),
    Table(
        "settlement_allocations",
        RECEIPT,
        lambda d: (
            select(
                t.receivable_entries.c.receipt_no,
                t.receivable_entries.c.account_id,
                t.settlement_allocations.c.charge_entry_id,
                t.settlement_allocations.c.amount_minor,
            )
            .join(
                t.receivable_entries,
                t.receivable_entries.c.id == t.settlement_allocations.c.settlement_entry_id,
            )
            .where(_in_batch(t.receivable_entries.c.receipt_no, d))
        ),
    ),
    Table(
        "payer_shares",
        RECEIPT,
        _by_parent(
            t.payer_shares,
            t.payments,
            "payment_id",
            "payer_id",
            "member_no",
            "bill_item_id",
            "amount_minor",
        ),
    ),
    Table(
        "payment_status",
        RECEIPT,
        lambda d: select(t.payments.c.receipt_no, t.payments.c.status).where(
            _in_batch(t.payments.c.receipt_no, d), t.payments.c.status == "reversed"
        ),
    ),
    Table(
        "shifts",
        SHIFT,
        _by_shift(
            t.shifts,
            "status",
            "closed_at",
            "expected_cash_minor",
            "counted_cash_minor",
            "variance_minor",
            "variance_reason",
            "approved_by",
        ),
    ),
    Table(
        "shift_tenders",
        SHIFT,
        _by_shift(
            t.shift_tenders,
            "method",
            "expected_minor",
            "expected_count",
            "counted_minor",
            "counted_count",
            "variance_minor",
        ),
    ),
    Table(
        "shift_cash_counts", SHIFT, _by_shift(t.shift_cash_counts, "denomination_minor", "quantity")
    ),
    Table(
        "day_closes",
        DAY,
        lambda d: select(
            t.day_closes.c.business_date,
            *(
                t.day_closes.c[c]
                for c in (
                    "window_start",
                    "window_end",
                    "closed_by",
                    "workstation",
                    "receipt_count",
                    "payments_minor",
                    "deposits_minor",
                    "refunds_minor",
                    "withdrawals_minor",
                    "report",
                    "report_hash",
                )
            ),
        ).where(_in_batch(t.day_closes.c.business_date, d)),
    ),
    Table(
        "stock_movements",
        STOCK,
        lambda d: select(
            t.stock_movements.c.bill_item_id,
            t.stock_movements.c.created_at,
            t.stock_movements.c.stock_item_id,
            t.stock_movements.c.delta,
            t.stock_movements.c.reason,
        ).where(_in_batch(t.stock_movements.c.bill_item_id, d)),
    ),
    Table(
        "adjustments",
        ADJUSTMENT,
        lambda d: select(
            t.adjustments.c.bill_item_id,
            t.adjustments.c.created_at,
            *(
                t.adjustments.c[c]
                for c in (
                    "kind",
                    "amount_minor",
                    "reason_code",
                    "requested_by",
                    "approved_by",
                    "request_id",
                    "workstation",
                )
            ),
        ).where(_in_batch(t.adjustments.c.bill_item_id, d)),
    ),
)
BY_OWNER: dict[str, list[Table]] = defaultdict(list)
for _table in TABLES:
    BY_OWNER[_table.owner].append(_table)


@cache
def _statement(table: Table, dialect: str) -> Select:
    return table.query(dialect)


def read(
    uow: UnitOfWork,
    owner: str,
    keys: list[Any],
    tables: Container[str],
    *,
    dense: Collection[Any] = (),
) -> dict[str, Rows]:
    """Per table of `owner` named in `tables`, the rows the keys hold as (key, *fields), in
    no particular order (a stock take's key is its bill item and time: (bill_item_id, at);
    a closed day's times and date are read as datetimes and a date). `dense`: receipt
    numbers among the keys that one chain issued in a row (`_ranges`)."""
    stock = owner in BY_ITEM
    ranges, single = _ranges(uow, keys, dense) if owner == RECEIPT else ([], keys)
    wanted = sorted({item for item, _ in single}) if stock else single
    params = {"keys": json.dumps([k.isoformat() if isinstance(k, date) else k for k in wanted])}
    in_ranges = set(keys) if ranges else set()
    found: dict[str, Rows] = {}
    for table in BY_OWNER[owner]:
        if table.name not in tables:
            continue
        statement = _statement(table, uow.dialect)
        if owner == DAY:
            found[table.name] = [tuple(row) for row in uow.execute(statement, params)]
        elif stock:
            found[table.name] = [
                ((row[0], row[1]), *row[2:]) for row in driver_rows(uow, statement, params)
            ]
        else:
            rows = found[table.name] = driver_rows(uow, statement, params) if single else []
            for lo, hi, only_keys in ranges:
                held = driver_rows(uow, _statement(table, RANGE), {"lo": lo, "hi": hi})
                # the range's rows of these keys, not of other receipts in it
                rows.extend(held if only_keys else [row for row in held if row[0] in in_ranges])
    return found


def _ranges(
    uow: UnitOfWork, keys: list[Any], dense: Collection[Any]
) -> tuple[list[tuple[str, str, bool]], list[Any]]:
    """The `dense` receipt numbers as ranges (lo, hi, only_keys) to read on SQLite, and the
    keys left to look up one by one. `only_keys`: the receipts table holds as many numbers
    in the range as there are keys, so its rows need no sifting (a row of another receipt
    left in would only make the batch compare unequal, and then key by key, which passes
    over it).

    Numbers of equal length are taken together (the digits of a counter widen past
    999999, and the numbers of one run then no longer sort together), and as a range only
    when the receipts table holds at most twice as many numbers in it as there are keys:
    a range that also spans receipts of other batches is looked up key by key. Only on
    SQLite, whose text order is Python's; a PostgreSQL database may collate by locale.
    """
    if uow.dialect != "sqlite" or not dense:
        return [], keys
    by_length: dict[int, list[str]] = {}
    for key in dense:
        if isinstance(key, str):
            by_length.setdefault(len(key), []).append(key)
    ranges: list[tuple[str, str, bool]] = []
    ranged: set[str] = set()
    for group in by_length.values():
        lo, hi, most = min(group), max(group), 2 * len(group)
        held = uow.execute(_RECEIPTS_BETWEEN, {"lo": lo, "hi": hi, "most": most + 1}).scalar()
        if held is not None and held <= most:
            ranges.append((lo, hi, held == len(group)))
            ranged.update(group)
    return ranges, [key for key in keys if key not in ranged]


_RECEIPTS_BETWEEN = select(func.count()).select_from(
    select(t.receipts.c.receipt_no)
    .where(t.receipts.c.receipt_no.between(bindparam("lo"), bindparam("hi")))
    .limit(bindparam("most"))
    .subquery()
)
