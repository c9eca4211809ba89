"""What a till does next, chosen at random, and what it remembers of what it did.

The memory is rebuilt from the worker's own log, so a restarted worker goes on
reversing the payments, replaying the keys and reusing the references it had.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import insert, select

from pos_app.adapters import tables as t
from tools.torture.execute import Till
from tools.torture.oplog import Operation
from tools.torture.plan import CATALOG, Plan

WEIGHTS = {
    "deposit": 22,
    "pay": 34,
    "reverse": 10,
    "withdraw": 7,
    "replay": 8,
    "conflict": 2,
    "dup_ref": 2,
    "twin": 6,
    "shift": 3,
}
REASON = "torture test refund"
FIRST_SENDS = ("new", "whole", "partial", "twin_offer", "twin_join")  # not replays of a key


@dataclass(frozen=True)
class Intent:
    kind: str  # the service: deposit, pay, reverse, withdraw, shift_close, shift_open
    mode: str  # new/whole/partial, replay, conflict, dup_ref, twin_offer/_join, shift
    key: str | None
    intent: dict
    expect: str | None = None  # the outcome the rules require, when known in advance


@dataclass
class _Paid:
    mrn: str
    items: dict[int, int]  # item id -> amount (minor units)
    refunded: set[int] = field(default_factory=set)


@dataclass
class Memory:
    """The worker's own acknowledged payments, keyed commands and references."""

    payments: dict[str, _Paid] = field(default_factory=dict)
    reopened: dict[str, list[int]] = field(default_factory=dict)  # mrn -> items refunded
    acked: list[Operation] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    count: int = 0

    @classmethod
    def of(cls, ops: list[Operation]) -> Memory:
        memory = cls(count=len(ops))
        for op in ops:
            if op.acknowledged:
                memory.remember(op, op.results[0])
        return memory

    def remember(self, op: Operation, result: dict) -> None:
        if op.key is None or op.mode not in FIRST_SENDS:
            return
        self.acked.append(op)
        intent = op.intent
        if op.kind == "deposit" and intent.get("reference"):
            self.references.append((intent["method"], intent["reference"]))
        elif op.kind == "pay":
            amounts = dict(zip(intent["items"], intent["amounts"], strict=True))
            self.payments[result["receipt_no"]] = _Paid(intent["mrn"], amounts)
            again = self.reopened.get(intent["mrn"], [])
            self.reopened[intent["mrn"]] = [i for i in again if i not in amounts]
        elif op.kind == "reverse":
            paid = self.payments.get(result["payment_receipt_no"])
            if paid is not None:
                paid.refunded.update(result["items"])
                self.reopened.setdefault(paid.mrn, []).extend(result["items"])


class Chooser:
    """Draws the next operation of one till."""

    def __init__(self, plan: Plan, till: Till, memory: Memory, rng: random.Random) -> None:
        self.plan, self.till, self.memory, self.rng = plan, till, memory, rng

    def key(self) -> str:
        return f"tt-{self.till.workstation}-{self.memory.count:06d}-{uuid.uuid4().hex[:6]}"

    def reference(self, tag: str) -> str:
        return f"{tag}{self.till.workstation}{uuid.uuid4().hex[:10]}".upper()

    def next(self) -> list[Intent]:
        """One operation (two for a shift change), or none if its turn found nothing to do."""
        kind = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        chosen = getattr(self, f"_{kind}")()
        return chosen if isinstance(chosen, list) else [chosen] if chosen else []

    def _deposit(self) -> Intent:
        method = self.rng.choices(["cash", "card", "mobile_money"], weights=[2, 1, 1])[0]
        amount = self._money(5_000, 500_000)
        return Intent(
            "deposit",
            "new",
            self.key(),
            {
                "mrn": self.rng.choice(self.plan.patients),
                "amount": amount,
                "method": method,
                "reference": None if method == "cash" else self.reference(method[:2]),
            },
        )

    def _pay(self) -> Intent:
        mrn, items, amounts = self._items()
        total = sum(amounts)
        balance = self._balance(mrn)
        wallet = 0
        if balance and self.rng.random() < 0.7:
            wallet = (
                min(balance, total)
                if self.rng.random() < 0.5
                else self.rng.randint(1, min(balance, total))
            )
        tenders = [["wallet", _text(wallet), None, None]] if wallet else []
        rest = total - wallet
        methods = self.rng.sample(
            ["cash", "card", "mobile_money", "insurance"], k=self.rng.choice([1, 1, 2])
        )
        for index, method in enumerate(methods):
            part = rest if index == len(methods) - 1 else self.rng.randint(0, rest)
            rest -= part
            if part:
                tenders.append(self._tender(method, part))
        return Intent(
            "pay",
            "new",
            self.key(),
            {"mrn": mrn, "items": items, "amounts": amounts, "tenders": tenders},
        )

    def _tender(self, method: str, minor: int) -> list:
        if method == "cash":
            handed = -(-minor // 10_000) * 10_000 if self.rng.random() < 0.5 else minor
            return ["cash", _text(minor), None, _text(handed)]
        return [method, _text(minor), self.reference(method[:2]), None]

    def _items(self) -> tuple[str, list[int], list[int]]:
        """Items to pay: some an earlier refund reopened, else a new bill of 1 to 3 lines."""
        reopened = [(mrn, ids) for mrn, ids in self.memory.reopened.items() if ids]
        if reopened and self.rng.random() < 0.3:
            mrn, ids = self.rng.choice(reopened)
            amounts = {i: a for p in self.memory.payments.values() for i, a in p.items.items()}
            return mrn, sorted(ids), [amounts[i] for i in sorted(ids)]
        mrn = self.rng.choice(self.plan.patients)
        codes = self.rng.choices(list(CATALOG), k=self.rng.randint(1, 3))
        return (mrn, *self._new_bill(mrn, [(c, self.rng.randint(1, 3)) for c in codes]))

    def _new_bill(self, mrn: str, lines: list[tuple[str, int]]) -> tuple[list[int], list[int]]:
        """A bill as the hospital's system would raise it (not a money command)."""
        with self.till.app.uow() as uow:
            now = uow.clock()
            patient = uow.execute(
                select(t.patients.c.id).where(t.patients.c.mrn == mrn)
            ).scalar_one()
            bill = uow.execute(
                insert(t.bills)
                .values(
                    bill_no=f"T{uuid.uuid4().hex[:14].upper()}", patient_id=patient, created_at=now
                )
                .returning(t.bills.c.id)
            ).scalar_one()
            rows = uow.execute(
                insert(t.bill_items).returning(t.bill_items.c.id, t.bill_items.c.amount_minor),
                [
                    {
                        "bill_id": bill,
                        "patient_id": patient,
                        "service_id": self.plan.services[code],
                        "quantity": quantity,
                        "unit_price_minor": self.plan.prices[code],
                        "amount_minor": self.plan.prices[code] * quantity,
                        "created_at": now,
                    }
                    for code, quantity in lines
                ],
            ).all()
            uow.commit()
        rows = sorted(rows)
        return [r.id for r in rows], [r.amount_minor for r in rows]

    def _balance(self, mrn: str) -> int:
        """The wallet balance as the till sees it before choosing tenders (it may change
        before the payment locks the wallet: then the payment is refused)."""
        with self.till.app.uow(write=False) as uow:
            return uow.execute(
                select(t.wallets.c.balance_minor)
                .join(t.patients, t.patients.c.id == t.wallets.c.patient_id)
                .where(t.patients.c.mrn == mrn)
            ).scalar_one()

    def _reverse(self) -> Intent | None:
        open_ = [(r, p) for r, p in self.memory.payments.items() if set(p.items) - p.refunded]
        if not open_:
            return None
        receipt, paid = self.rng.choice(open_)
        left = sorted(set(paid.items) - paid.refunded)
        if len(left) > 1 and self.rng.random() < 0.5:
            items = sorted(self.rng.sample(left, self.rng.randint(1, len(left) - 1)))
            return Intent(
                "reverse",
                "partial",
                self.key(),
                {"receipt_no": receipt, "items": items, "reason": REASON},
            )
        return Intent(
            "reverse", "whole", self.key(), {"receipt_no": receipt, "items": None, "reason": REASON}
        )

    def _withdraw(self) -> Intent:
        mrn = self.rng.choice(self.plan.patients)
        balance = self._balance(mrn)
        amount = (
            balance + 100
            if not balance or self.rng.random() < 0.1
            else self.rng.randint(1, max(1, balance // 2))
        )
        return Intent(
            "withdraw",
            "new",
            self.key(),
            {"mrn": mrn, "amount": _text(amount), "reason": "patient leaves"},
        )

    def _replay(self) -> Intent | None:
        if not self.memory.acked:
            return None
        op = self.rng.choice(self.memory.acked)
        return Intent(op.kind, "replay", op.key, op.intent, expect="replayed")

    def _conflict(self) -> Intent | None:
        """A used key sent again with other content: refused, the first effect kept."""
        done = [op for op in self.memory.acked if op.kind in ("deposit", "withdraw")]
        if not done:
            return None
        op = self.rng.choice(done)
        changed = {**op.intent, "amount": _text(_minor(op.intent["amount"]) + 1)}
        return Intent(op.kind, "conflict", op.key, changed, expect="idempotency_conflict")

    def _dup_ref(self) -> Intent | None:
        """A new deposit quoting a card or mobile-money reference already used (any case)."""
        if not self.memory.references:
            return None
        method, reference = self.rng.choice(self.memory.references)
        return Intent(
            "deposit",
            "dup_ref",
            self.key(),
            {
                "mrn": self.rng.choice(self.plan.patients),
                "amount": self._money(100, 10_000),
                "method": method,
                "reference": reference.lower(),
            },
            expect="duplicate_reference",
        )

    def _twin(self) -> Intent:
        """An operation offered to another worker, who sends the same key at the same time."""
        chosen = self._deposit() if self.rng.random() < 0.5 else self._card_pay()
        return Intent(chosen.kind, "twin_offer", f"twin-{chosen.key}", chosen.intent)

    def _card_pay(self) -> Intent:
        mrn, items, amounts = self._items()
        return Intent(
            "pay",
            "new",
            self.key(),
            {
                "mrn": mrn,
                "items": items,
                "amounts": amounts,
                "tenders": [self._tender("card", sum(amounts))],
            },
        )

    def _shift(self) -> list[Intent]:
        return [
            Intent("shift_close", "shift", None, {}),
            Intent("shift_open", "shift", None, {"float": self._money(100_000, 500_000)}),
        ]

    def _money(self, low: int, high: int) -> str:
        minor = self.rng.randint(low, high)
        return _text(minor - minor % 100 if self.rng.random() < 0.8 else minor)


# Amounts: the plan's currency has two decimals (plan.CURRENCY).
def _text(minor: int) -> str:
    return str(Decimal(minor).scaleb(-2))


def _minor(text: str) -> int:
    return int(Decimal(text).scaleb(2))
