"""Events are the truth: each money event's effects replayed and compared with the rows.

A money command's audit event records every row it wrote (`details["effects"]`,
`pos_app.domain.effects`). Replaying the effects gives, per receipt (or shift, or
closed day), the rows each table must hold; the rows the tables do hold for the same
keys are read back in batches (`adapters.replay_queries`) and compared as sorted tuples.
An edited, missing, extra or swapped row is a finding naming the receipt; this covers the
credit tables too (receivable entries, settlements, their allocations, payer shares).
Events written before effects were recorded are not replayed (the invariant rules of
`check` still cover them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from pos_app.adapters import replay_queries
from pos_app.adapters.replay_queries import BY_OWNER, DAY, RECEIPT, SHIFT, STOCK
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.kinds import PaymentStatus, ShiftStatus

RuleFinding = tuple[str, str]
Rows = dict[Any, list[tuple]]
Stamp = Any  # an event's `at` as the driver reads it, like its rows' times (`replay_queries`)
BATCH = 5_000  # keys compared at once, and keys per query


class Replay:
    """Collects the rows money events say exist; `flush` compares a batch with the tables."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        # per owner and table, the rows each key must hold; per owner, each key of the batch
        # with the tables its events named
        self.expected: dict[str, dict[str, Rows]] = {
            owner: {table.name: {} for table in tables} for owner, tables in BY_OWNER.items()}
        self.keys: dict[str, dict[Any, set[str]]] = {owner: {} for owner in BY_OWNER}
        self.whole: set[Any] = set()  # receipts whose every table is compared
        self.pending = 0
        self.findings: list[RuleFinding] = []

    def event(self, at: Stamp, digest: str, details: str) -> None:
        """Take one audit event; only events that record their effects are replayed."""
        if '"effects"' not in details:
            return
        effects = _decode(details).get("effects")
        if not isinstance(effects, list):
            return
        for effect in effects:
            project = _PROJECT.get(effect.get("effect"))
            if project is not None:
                project(self, effect, at, digest)
        if self.pending >= BATCH:
            self.flush()

    def _name(self, owner: str, key: Any, table: str) -> None:
        """Compare `table` for `key` (a table named nowhere, for a key not a whole receipt,
        is not compared)."""
        named = self.keys[owner].get(key)
        if named is None:
            named = self.keys[owner][key] = set()
            self.pending += 1
        named.add(table)

    def _rows(self, owner: str, key: Any, table: str) -> list[tuple]:
        """The rows `table` must hold under `key`, to add to."""
        if key not in self.whole or table not in _WHOLE_RECEIPT:  # else compared anyway
            self._name(owner, key, table)
        return self.expected[owner][table].setdefault(key, [])

    def _extend(self, owner: str, key: Any, table: str, rows: Iterable[tuple]) -> None:
        """Add rows `table` must hold under `key`; none is still a comparison to make."""
        if key not in self.whole or table not in _WHOLE_RECEIPT:
            self._name(owner, key, table)
        found = list(rows)
        if found:
            self.expected[owner][table].setdefault(key, []).extend(found)

    def _receipt(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        no = e["receipt_no"]
        self._name(RECEIPT, no, "receipts")
        self.whole.add(no)  # every table a receipt's rows may sit in is compared
        self._rows(RECEIPT, no, "receipts").append((
            e["workstation"], e["seq"], e["kind"], e["patient_id"], e["cashier_id"], when,
            digest))

    def _wallet_entry(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(RECEIPT, e["receipt_no"], "wallet_entries").append((
            e["wallet_id"], e["kind"], e["amount_minor"], e["balance_after_minor"], when))

    def _payment(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        key = e["receipt_no"]
        self._rows(RECEIPT, key, "payments").append((
            e["patient_id"], e["amount_minor"], e["change_minor"],
            e["wallet_balance_after_minor"], e["cashier_id"], e["workstation"],
            e["idempotency_key"], e["shift_id"], when))
        self._extend(RECEIPT, key, "payment_items",
                     ((i["bill_item_id"], i["amount_minor"]) for i in e["items"]))
        self._extend(RECEIPT, key, "tenders", (
            (x["method"], x["amount_minor"], x["reference"], x["cash_tendered_minor"],
             x["change_minor"]) for x in e["tenders"]))
        self._extend(RECEIPT, key, "lab_results", (
            (lab["bill_item_id"], lab["lab_test_code"], when) for lab in e["lab_results"]))

    def _references(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._extend(RECEIPT, e["receipt_no"], "tender_references",
                     ((method, key) for method, key in e["references"]))

    def _deposit(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(RECEIPT, e["receipt_no"], "deposits").append((
            e["patient_id"], e["wallet_id"], e["method"], e["amount_minor"], e["reference"],
            e["cashier_id"], e["workstation"], e["idempotency_key"], e["shift_id"], when))

    def _withdrawal(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(RECEIPT, e["receipt_no"], "withdrawals").append((
            e["patient_id"], e["wallet_id"], e["amount_minor"], e["reason"],
            e["cashier_id"], e["approved_by"], e["workstation"], e["shift_id"],
            e["idempotency_key"], when))

    def _reversal(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        key = e["receipt_no"]
        self._rows(RECEIPT, key, "reversals").append((
            e["payment_id"], e["payment_receipt_no"], e["reason"], e["amount_minor"],
            e["cashier_id"], e["requested_by"], e["approved_by"], e["request_id"],
            e["workstation"], e["shift_id"], e["idempotency_key"], when))
        self._extend(RECEIPT, key, "reversal_items",
                     ((i["bill_item_id"], i["amount_minor"]) for i in e["items"]))
        self._extend(RECEIPT, key, "refund_payouts",
                     ((p["method"], p["amount_minor"], p["reference"]) for p in e["payouts"]))

    def _payment_reversed(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(RECEIPT, e["receipt_no"], "payment_status").append(
            (PaymentStatus.REVERSED.value,))

    def _receivable_entry(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(RECEIPT, e["receipt_no"], "receivable_entries").append((
            e["account_id"], e["kind"], e["amount_minor"], e["balance_after_minor"], when))

    def _settlement(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(RECEIPT, e["receipt_no"], "settlements").append((
            e["account_id"], e["method"], e["amount_minor"], e["reference"], e["cashier_id"],
            e["workstation"], e["idempotency_key"], e["shift_id"], when))

    def _allocated(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._extend(RECEIPT, e["receipt_no"], "settlement_allocations", (
            (e["account_id"], charge, amount) for charge, amount in e["allocations"]))

    def _payer_shares(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._extend(RECEIPT, e["receipt_no"], "payer_shares", (
            (e["payer_id"], e["member_no"], item, amount) for item, amount in e["shares"]))

    def _stock(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        for m in e["movements"]:
            self._rows(STOCK, (m["bill_item_id"], when), "stock_movements").append((
                m["stock_item_id"], m["delta"], m["reason"]))

    def _shift_closed(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        key = e["shift_id"]
        self._rows(SHIFT, key, "shifts").append((
            ShiftStatus.CLOSED.value, when, e["expected_cash_minor"], e["counted_cash_minor"],
            e["variance_minor"], e["variance_reason"], e["approved_by"]))
        self._extend(SHIFT, key, "shift_tenders", (
            (x["method"], x["expected_minor"], x["expected_count"], x["counted_minor"],
             x["counted_count"], x["variance_minor"]) for x in e["tenders"]))
        self._extend(SHIFT, key, "shift_cash_counts",
                     ((v, n) for v, n in e["cash_counts"]))

    def _day_closed(self, e: dict[str, Any], when: Stamp, digest: str) -> None:
        self._rows(DAY, date.fromisoformat(e["business_date"]), "day_closes").append((
            datetime.fromisoformat(e["window_start"]),
            datetime.fromisoformat(e["window_end"]), e["closed_by"], e["workstation"],
            e["receipt_count"], e["payments_minor"], e["deposits_minor"],
            e["refunds_minor"], e["withdrawals_minor"], e["report"], e["report_hash"]))

    def flush(self) -> None:
        """Compare every collected key's rows with the tables' rows for it: per table, the
        whole batch at once, and key by key only when that differs."""
        for owner, keys in self.keys.items():
            if not keys:
                continue
            actual = replay_queries.read(self.uow, owner, list(keys))
            whole = self.whole if owner == RECEIPT else _NO_KEYS
            all_whole = len(whole) == len(keys)
            found: list[tuple[int, int, RuleFinding]] = []
            for order, (table, expected) in enumerate(self.expected[owner].items()):
                rows = actual[table]
                if not (all_whole and table in _WHOLE_RECEIPT and expected == rows):
                    in_whole = table in _WHOLE_RECEIPT
                    for position, (key, named) in enumerate(keys.items()):
                        if table in named or (in_whole and key in whole):
                            want = expected.get(key, _NONE)
                            have = rows.get(key, _NONE)
                            if want != have and (len(want) != len(have)
                                                 or _ordered(want) != _ordered(have)):
                                found.append((position, order, ("events_match_rows", _describe(
                                    owner, key, table, _ordered(want), _ordered(have)))))
                expected.clear()
            self.findings.extend(finding for *_, finding in sorted(found))
            keys.clear()
        self.whole.clear()
        self.pending = 0


_PROJECT: dict[Any, Callable[[Replay, dict[str, Any], Stamp, str], None]] = {
    "receipt": Replay._receipt, "wallet_entry": Replay._wallet_entry,
    "payment": Replay._payment, "references": Replay._references,
    "deposit": Replay._deposit, "withdrawal": Replay._withdrawal,
    "reversal": Replay._reversal, "payment_reversed": Replay._payment_reversed,
    "stock_taken": Replay._stock, "stock_put_back": Replay._stock,
    "shift_closed": Replay._shift_closed, "day_closed": Replay._day_closed,
    "receivable_entry": Replay._receivable_entry, "settlement": Replay._settlement,
    "settlement_allocated": Replay._allocated, "payer_shares": Replay._payer_shares,
}
# a receipt's tables, each compared even when its event names no row in it (a later
# refund may change a payment's status, so that one only when an event says so)
_WHOLE_RECEIPT = frozenset(table.name for table in BY_OWNER[RECEIPT]
                           if table.name != "payment_status")
_NO_KEYS: frozenset[Any] = frozenset()
_decode = json.JSONDecoder().decode
_NONE: list[tuple] = []


def _ordered(rows: list[tuple]) -> list[tuple]:
    return rows if len(rows) < 2 else sorted(rows, key=repr)


def _describe(owner: str, key: Any, table: str, want: list[tuple], have: list[tuple]) -> str:
    missing = [row for row in want if row not in have]
    extra = [row for row in have if row not in want]
    if owner == STOCK:
        key = f"{key[0]} at {_text(key[1])}"
    return (f"{owner} {key}: {table} differ from its audit event; the event has "
            f"{_short(missing)} the rows do not, the rows have {_short(extra)} it does not")


def _short(rows: list[tuple]) -> str:
    text = "; ".join(str(tuple(_text(v) for v in row)) for row in rows[:2]) or "nothing"
    return text if len(rows) <= 2 else f"{text} and {len(rows) - 2} more"


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
