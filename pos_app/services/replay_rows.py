"""Events are the truth: each money event's effects replayed and compared with the rows.

A money command's audit event records every row it wrote (`details["effects"]`,
`pos_app.domain.effects`). Replaying the effects gives, per receipt (or shift, or
closed day), the rows each table must hold; the rows the tables do hold for the same
keys are read back in batches (`adapters.replay_queries`) and compared as sorted tuples.
An edited, missing, extra or swapped row is a finding naming the receipt. Events written
before effects were recorded are not replayed (the invariant rules of `check` still cover them).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from pos_app.adapters import replay_queries
from pos_app.adapters.replay_queries import BY_OWNER, DAY, RECEIPT, SHIFT, STOCK
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.kinds import PaymentStatus, ShiftStatus

RuleFinding = tuple[str, str]
Rows = dict[str, list[tuple]]
BATCH = 5_000  # keys compared at once, and keys per query


class Replay:
    """Collects the rows money events say exist; `flush` compares a batch with the tables."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.expected: dict[str, dict[Any, Rows]] = {owner: {} for owner in BY_OWNER}
        self.pending = 0
        self.findings: list[RuleFinding] = []

    def event(self, *, at: datetime, digest: str, details: str) -> None:
        """Take one audit event; only events that record their effects are replayed."""
        if '"effects"' not in details:
            return
        effects = json.loads(details).get("effects")
        if not isinstance(effects, list):
            return
        for effect in effects:
            self._project(effect, at=at, digest=digest)
        if self.pending >= BATCH:
            self.flush()

    def _rows(self, owner: str, key: Any) -> Rows:
        """The rows expected under `key`, per table; a table named nowhere is not compared."""
        keys = self.expected[owner]
        if key not in keys:
            keys[key] = defaultdict(list)
            self.pending += 1
        return keys[key]

    def _project(self, e: dict[str, Any], *, at: datetime, digest: str) -> None:
        kind, when = e.get("effect"), at
        if kind == "receipt":  # every table a receipt's rows may sit in is compared
            rows = self._rows(RECEIPT, e["receipt_no"])
            for table in BY_OWNER[RECEIPT]:
                if table.name != "payment_status":  # a later refund may change it
                    rows.setdefault(table.name, [])
            rows["receipts"].append((
                e["workstation"], e["seq"], e["kind"], e["patient_id"], e["cashier_id"], when,
                digest))
        elif kind == "wallet_entry":
            self._rows(RECEIPT, e["receipt_no"])["wallet_entries"].append((
                e["wallet_id"], e["kind"], e["amount_minor"], e["balance_after_minor"], when))
        elif kind == "payment":
            rows = self._rows(RECEIPT, e["receipt_no"])
            rows["payments"].append((
                e["patient_id"], e["amount_minor"], e["change_minor"],
                e["wallet_balance_after_minor"], e["cashier_id"], e["workstation"],
                e["idempotency_key"], e["shift_id"], when))
            rows["payment_items"].extend((i["bill_item_id"], i["amount_minor"])
                                         for i in e["items"])
            rows["tenders"].extend((x["method"], x["amount_minor"], x["reference"],
                                    x["cash_tendered_minor"], x["change_minor"])
                                   for x in e["tenders"])
            rows["lab_results"].extend((lab["bill_item_id"], lab["lab_test_code"], when)
                                       for lab in e["lab_results"])
        elif kind == "references":
            self._rows(RECEIPT, e["receipt_no"])["tender_references"].extend(
                (method, key) for method, key in e["references"])
        elif kind == "deposit":
            self._rows(RECEIPT, e["receipt_no"])["deposits"].append((
                e["patient_id"], e["wallet_id"], e["method"], e["amount_minor"], e["reference"],
                e["cashier_id"], e["workstation"], e["idempotency_key"], e["shift_id"], when))
        elif kind == "withdrawal":
            self._rows(RECEIPT, e["receipt_no"])["withdrawals"].append((
                e["patient_id"], e["wallet_id"], e["amount_minor"], e["reason"],
                e["cashier_id"], e["approved_by"], e["workstation"], e["shift_id"],
                e["idempotency_key"], when))
        elif kind == "reversal":
            rows = self._rows(RECEIPT, e["receipt_no"])
            rows["reversals"].append((
                e["payment_id"], e["payment_receipt_no"], e["reason"], e["amount_minor"],
                e["cashier_id"], e["requested_by"], e["approved_by"], e["request_id"],
                e["workstation"], e["shift_id"], e["idempotency_key"], when))
            rows["reversal_items"].extend((i["bill_item_id"], i["amount_minor"])
                                          for i in e["items"])
            rows["refund_payouts"].extend((p["method"], p["amount_minor"], p["reference"])
                                          for p in e["payouts"])
        elif kind == "payment_reversed":
            self._rows(RECEIPT, e["receipt_no"])["payment_status"].append(
                (PaymentStatus.REVERSED.value,))
        elif kind in ("stock_taken", "stock_put_back"):
            for m in e["movements"]:
                self._rows(STOCK, (m["bill_item_id"], when))["stock_movements"].append((
                    m["stock_item_id"], m["delta"], m["reason"]))
        elif kind == "shift_closed":
            rows = self._rows(SHIFT, e["shift_id"])
            rows["shifts"].append((
                ShiftStatus.CLOSED.value, when, e["expected_cash_minor"], e["counted_cash_minor"],
                e["variance_minor"], e["variance_reason"], e["approved_by"]))
            rows["shift_tenders"].extend((x["method"], x["expected_minor"], x["expected_count"],
                                          x["counted_minor"], x["counted_count"],
                                          x["variance_minor"]) for x in e["tenders"])
            rows["shift_cash_counts"].extend((v, n) for v, n in e["cash_counts"])
        elif kind == "day_closed":
            self._rows(DAY, date.fromisoformat(e["business_date"]))["day_closes"].append((
                datetime.fromisoformat(e["window_start"]),
                datetime.fromisoformat(e["window_end"]), e["closed_by"], e["workstation"],
                e["receipt_count"], e["payments_minor"], e["deposits_minor"],
                e["refunds_minor"], e["withdrawals_minor"], e["report"], e["report_hash"]))

    def flush(self) -> None:
        """Compare every collected key's rows with the tables' rows for it."""
        for owner, expected in self.expected.items():
            if not expected:
                continue
            keys = list(expected)
            actual = replay_queries.read(self.uow, owner, keys)
            for key in keys:
                for table, want in expected[key].items():
                    have = actual[table].get(key, _NONE)
                    if want != have and (len(want) != len(have)
                                         or _ordered(want) != _ordered(have)):
                        self.findings.append(("events_match_rows", _describe(
                            owner, key, table, _ordered(want), _ordered(have))))
            expected.clear()
        self.pending = 0


_NONE: list[tuple] = []


def _ordered(rows: list[tuple]) -> list[tuple]:
    return rows if len(rows) < 2 else sorted(rows, key=repr)


def _describe(owner: str, key: Any, table: str, want: list[tuple], have: list[tuple]) -> str:
    missing = [row for row in want if row not in have]
    extra = [row for row in have if row not in want]
    if owner == STOCK:
        key = f"{key[0]} at {key[1].isoformat()}"
    return (f"{owner} {key}: {table} differ from its audit event; the event has "
            f"{_short(missing)} the rows do not, the rows have {_short(extra)} it does not")


def _short(rows: list[tuple]) -> str:
    text = "; ".join(str(tuple(v.isoformat() if isinstance(v, date) else v for v in row))
                     for row in rows[:2]) or "nothing"
    return text if len(rows) <= 2 else f"{text} and {len(rows) - 2} more"
