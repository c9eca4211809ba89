"""Events are the truth: each money event's effects replayed and compared with the rows.

A money command's audit event records every row it wrote (`details["effects"]`,
`pos_app.domain.effects`). Replaying the effects gives, per receipt (or shift, or
closed day), the rows each table must hold; the rows the tables do hold for the same
keys are read back in batches (`adapters.replay_queries`) and compared, a whole batch
of a table at once while it is equal, as multisets of tuples.
An edited, missing, extra or swapped row is a finding naming the receipt; this covers the
credit tables too (receivable entries, settlements, their allocations, payer shares).
Events written before effects were recorded are not replayed (the invariant rules of
`check` still cover them).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import orjson

from pos_app.adapters import replay_queries
from pos_app.adapters.check_queries import ChainEvent
from pos_app.adapters.replay_queries import (
    ADJUSTMENT,
    BY_ITEM,
    BY_OWNER,
    DAY,
    RECEIPT,
    SHIFT,
    STOCK,
)
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.kinds import PaymentStatus, ShiftStatus

RuleFinding = tuple[str, str]
Rows = list[tuple]  # (key, *fields) per row
Stamp = Any  # an event's `at` as the driver reads it, like its rows' times (`replay_queries`)
BATCH = 5_000  # keys compared at once, and keys per query


class Replay:
    """Collects the rows money events say exist; `flush` compares a batch with the tables."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        # per owner and table, the rows the batch's keys must hold, as (key, *fields); per
        # owner, each key of the batch with the tables its events named
        self.expected: dict[str, dict[str, Rows]] = {
            owner: {table.name: [] for table in tables} for owner, tables in BY_OWNER.items()
        }
        self.keys: dict[str, dict[Any, set[str]]] = {owner: {} for owner in BY_OWNER}
        self.whole: set[Any] = set()  # receipts whose every table is compared
        self.pending = 0
        self.findings: list[RuleFinding] = []

    def event(self, event: ChainEvent) -> None:
        """Take one audit event; only events that record their effects are replayed."""
        details = event.details
        if '"effects"' not in details:
            return
        try:
            decoded = orjson.loads(details)  # a third of the time `json` takes
        except ValueError:  # what orjson refuses and `json` reads (NaN), or an error
            decoded = _decode(details)
        effects = decoded.get("effects") if isinstance(decoded, dict) else None
        if not isinstance(effects, list):
            return
        at, digest = event.stamp, event.hash
        try:
            for effect in effects:
                project = _PROJECT.get(effect.get("effect"))
                if project is not None:
                    project(self, effect, at, digest)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            # only an event written outside CareTill can hold effects of another shape
            self.findings.append(
                (
                    "events_match_rows",
                    (
                        f"audit event {event.seq} ({event.receipt_no or event.action}) records "
                        "effects that are not well-formed: its details were altered"
                    ),
                )
            )
        if self.pending >= BATCH:
            self.flush()

    def _name(self, owner: str, key: Any, *tables: str) -> dict[str, Rows]:
        """Compare `tables` for `key` (a receipt made whole by its receipt effect has its
        every table compared, named or not); returns the owner's expected rows, to add to.
        A table named with no row to add is still a comparison to make."""
        named = self.keys[owner].get(key)
        if named is None:
            named = self.keys[owner][key] = set()
            self.pending += 1
        named.update(tables)
        return self.expected[owner]

    def _of_receipt(self, no: str, *tables: str) -> dict[str, Rows]:
        """`_name` for a receipt's own tables, which a whole receipt compares anyway."""
        return self.expected[RECEIPT] if no in self.whole else self._name(RECEIPT, no, *tables)

    def _receipt(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self.whole.add(no)
        self._name(RECEIPT, no, "receipts")["receipts"].append(
            (
                no,
                e["workstation"],
                e["seq"],
                e["kind"],
                e["patient_id"],
                e["cashier_id"],
                when,
                digest,
            )
        )

    def _wallet_entry(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "wallet_entries")["wallet_entries"].append(
            (no, e["wallet_id"], e["kind"], e["amount_minor"], e["balance_after_minor"], when)
        )

    def _payment(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        want = self._of_receipt(no, "payments", "payment_items", "tenders", "lab_results")
        want["payments"].append(
            (
                no,
                e["patient_id"],
                e["amount_minor"],
                e["change_minor"],
                e["wallet_balance_after_minor"],
                e["cashier_id"],
                e["workstation"],
                e["idempotency_key"],
                e["shift_id"],
                when,
            )
        )
        want["payment_items"].extend(
            [(no, i["bill_item_id"], i["amount_minor"]) for i in e["items"]]
        )
        want["tenders"].extend(
            [
                (
                    no,
                    x["method"],
                    x["amount_minor"],
                    x["reference"],
                    x["cash_tendered_minor"],
                    x["change_minor"],
                )
                for x in e["tenders"]
            ]
        )
        want["lab_results"].extend(
            [(no, lab["bill_item_id"], lab["lab_test_code"], when) for lab in e["lab_results"]]
        )

    def _references(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "tender_references")["tender_references"].extend(
            [(no, method, key) for method, key in e["references"]]
        )

    def _deposit(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "deposits")["deposits"].append(
            (
                no,
                e["patient_id"],
                e["wallet_id"],
                e["method"],
                e["amount_minor"],
                e["reference"],
                e["cashier_id"],
                e["workstation"],
                e["idempotency_key"],
                e["shift_id"],
                when,
            )
        )

    def _withdrawal(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "withdrawals")["withdrawals"].append(
            (
                no,
                e["patient_id"],
                e["wallet_id"],
                e["amount_minor"],
                e["reason"],
                e["cashier_id"],
                e["approved_by"],
                e["workstation"],
                e["shift_id"],
                e["idempotency_key"],
                when,
            )
        )

    def _reversal(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        want = self._of_receipt(no, "reversals", "reversal_items", "refund_payouts")
        want["reversals"].append(
            (
                no,
                e["payment_id"],
                e["payment_receipt_no"],
                e["reason"],
                e["amount_minor"],
                e["cashier_id"],
                e["requested_by"],
                e["approved_by"],
                e["request_id"],
                e["workstation"],
                e["shift_id"],
                e["idempotency_key"],
                when,
            )
        )
        want["reversal_items"].extend(
            [(no, i["bill_item_id"], i["amount_minor"]) for i in e["items"]]
        )
        want["refund_payouts"].extend(
            [(no, p["method"], p["amount_minor"], p["reference"]) for p in e["payouts"]]
        )

    def _payment_reversed(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._name(RECEIPT, no, "payment_status")["payment_status"].append(
            (no, PaymentStatus.REVERSED.value)
        )

    def _receivable_entry(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "receivable_entries")["receivable_entries"].append(
            (no, e["account_id"], e["kind"], e["amount_minor"], e["balance_after_minor"], when)
        )

    def _settlement(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "settlements")["settlements"].append(
            (
                no,
                e["account_id"],
                e["method"],
                e["amount_minor"],
                e["reference"],
                e["cashier_id"],
                e["workstation"],
                e["idempotency_key"],
                e["shift_id"],
                when,
            )
        )

    def _allocated(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "settlement_allocations")["settlement_allocations"].extend(
            [(no, e["account_id"], charge, amount) for charge, amount in e["allocations"]]
        )

    def _payer_shares(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._of_receipt(no, "payer_shares")["payer_shares"].extend(
            [(no, e["payer_id"], e["member_no"], item, amount) for item, amount in e["shares"]]
        )

    def _stock(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        for m in e["movements"]:
            key = (m["bill_item_id"], when)
            self._name(STOCK, key, "stock_movements")["stock_movements"].append(
                (key, m["stock_item_id"], m["delta"], m["reason"])
            )

    def _adjustment(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        key = (e["bill_item_id"], when)
        self._name(ADJUSTMENT, key, "adjustments")["adjustments"].append(
            (
                key,
                e["kind"],
                e["amount_minor"],
                e["reason_code"],
                e["requested_by"],
                e["approved_by"],
                e["request_id"],
                e["workstation"],
            )
        )

    def _shift_closed(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        key = e["shift_id"]
        want = self._name(SHIFT, key, "shifts", "shift_tenders", "shift_cash_counts")
        want["shifts"].append(
            (
                key,
                ShiftStatus.CLOSED.value,
                when,
                e["expected_cash_minor"],
                e["counted_cash_minor"],
                e["variance_minor"],
                e["variance_reason"],
                e["approved_by"],
            )
        )
        want["shift_tenders"].extend(
            [
                (
                    key,
                    x["method"],
                    x["expected_minor"],
                    x["expected_count"],
                    x["counted_minor"],
                    x["counted_count"],
                    x["variance_minor"],
                )
                for x in e["tenders"]
            ]
        )
        want["shift_cash_counts"].extend([(key, v, n) for v, n in e["cash_counts"]])

    def _day_closed(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        key = date.fromisoformat(e["business_date"])
        self._name(DAY, key, "day_closes")["day_closes"].append(
            (
                key,
                datetime.fromisoformat(e["window_start"]),
                datetime.fromisoformat(e["window_end"]),
                e["closed_by"],
                e["workstation"],
                e["receipt_count"],
                e["payments_minor"],
                e["deposits_minor"],
                e["refunds_minor"],
                e["withdrawals_minor"],
                e["report"],
                e["report_hash"],
            )
        )

    def flush(self) -> None:
        """Compare every collected key's rows with the tables' rows for it: per table, the
        whole batch at once (as read, then as multisets), and key by key only when that
        differs or some key is not a whole receipt."""
        for owner, keys in self.keys.items():
            if not keys:
                continue
            whole = self.whole if owner == RECEIPT else _NO_KEYS
            all_whole = len(whole) == len(keys)
            wanted = self.expected[owner]
            named = {table for tables in keys.values() for table in tables}
            if whole:
                named |= _WHOLE_RECEIPT
            actual = replay_queries.read(self.uow, owner, list(keys), named, dense=whole)
            found: list[tuple[int, int, RuleFinding]] = []
            for order, (table, want) in enumerate(wanted.items()):
                if table not in named:
                    continue
                have = actual[table]
                in_whole = table in _WHOLE_RECEIPT
                if all_whole and in_whole and (want == have or _same_multiset(want, have)):
                    want.clear()
                    continue
                want_by, have_by = _by_key(want), _by_key(have)
                for position, (key, tables) in enumerate(keys.items()):
                    if table in tables or (in_whole and key in whole):
                        rows, held = want_by.get(key, _NONE), have_by.get(key, _NONE)
                        if rows != held and (
                            len(rows) != len(held) or _ordered(rows) != _ordered(held)
                        ):
                            found.append(
                                (
                                    position,
                                    order,
                                    (
                                        "events_match_rows",
                                        _describe(
                                            owner, key, table, _ordered(rows), _ordered(held)
                                        ),
                                    ),
                                )
                            )
                want.clear()
            self.findings.extend(finding for *_, finding in sorted(found))
            keys.clear()
        self.whole.clear()
        self.pending = 0


_PROJECT: dict[Any, Callable[[Replay, dict[str, Any], Stamp, str], None]] = {
    "receipt": Replay._receipt,
    "wallet_entry": Replay._wallet_entry,
    "payment": Replay._payment,
    "references": Replay._references,
    "deposit": Replay._deposit,
    "withdrawal": Replay._withdrawal,
    "reversal": Replay._reversal,
    "payment_reversed": Replay._payment_reversed,
    "stock_taken": Replay._stock,
    "stock_put_back": Replay._stock,
    "adjustment": Replay._adjustment,
    "shift_closed": Replay._shift_closed,
    "day_closed": Replay._day_closed,
    "receivable_entry": Replay._receivable_entry,
    "settlement": Replay._settlement,
    "settlement_allocated": Replay._allocated,
    "payer_shares": Replay._payer_shares,
}
# a receipt's tables, each compared even when its event names no row in it (a later
# refund may change a payment's status, so that one only when an event says so)
_WHOLE_RECEIPT = frozenset(
    table.name for table in BY_OWNER[RECEIPT] if table.name != "payment_status"
)
_NO_KEYS: frozenset[Any] = frozenset()
_decode = json.JSONDecoder().decode
_NONE: list[tuple] = []


def _same_multiset(want: Rows, have: Rows) -> bool:
    """Whether both hold the same rows, in any order (a forged event may hold a value no
    row can: then they differ, and are compared key by key to say where)."""
    try:
        return Counter(want) == Counter(have)
    except TypeError:  # unhashable
        return False


def _by_key(rows: Rows) -> dict[Any, list[tuple]]:
    """(key, *fields) rows grouped by key, as fields."""
    grouped: dict[Any, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def _ordered(rows: list[tuple]) -> list[tuple]:
    return rows if len(rows) < 2 else sorted(rows, key=repr)


def _describe(owner: str, key: Any, table: str, want: list[tuple], have: list[tuple]) -> str:
    missing = [row for row in want if row not in have]
    extra = [row for row in have if row not in want]
    if owner in BY_ITEM:
        key = f"{key[0]} at {_text(key[1])}"
    return (
        f"{owner} {key}: {table} differ from its audit event; the event has "
        f"{_short(missing)} the rows do not, the rows have {_short(extra)} it does not"
    )


def _short(rows: list[tuple]) -> str:
    text = "; ".join(str(tuple(_text(v) for v in row)) for row in rows[:2]) or "nothing"
    return text if len(rows) <= 2 else f"{text} and {len(rows) - 2} more"


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
