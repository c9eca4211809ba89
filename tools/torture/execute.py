"""One operation sent through CareTill's public services, as a till sends it.

An intent is plain JSON (it is logged before it is sent, so a restarted worker can
send it again with its key); what comes back is summarised for the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.bootstrap import App
from pos_app.domain.actors import Actor
from pos_app.services import shifts
from pos_app.services.deposit import deposit
from pos_app.services.pay import pay
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from pos_app.services.withdrawal import withdraw

KEYED = ("deposit", "pay", "reverse", "withdraw")  # the money commands that carry a key


@dataclass(frozen=True)
class Till:
    """A signed-in workstation: its cashier at the counter and a supervisor who approves."""

    app: App
    workstation: str
    cashier: Actor
    supervisor: Actor


def send(till: Till, kind: str, key: str | None, intent: dict) -> dict:
    """Run `intent`; the result as logged. CareTill's errors are left to the caller."""
    return _SENDERS[kind](till, key, intent)


def _deposit(till: Till, key: str | None, intent: dict) -> dict:
    result = deposit(
        till.app.uow(),
        actor=till.cashier,
        workstation=till.workstation,
        mrn=intent["mrn"],
        amount=intent["amount"],
        method=intent["method"],
        reference=intent.get("reference"),
        key=key or "",
    )
    return {
        "receipt_no": result.receipt_no,
        "amount": str(result.amount),
        "replayed": result.replayed,
    }


def _pay(till: Till, key: str | None, intent: dict) -> dict:
    tenders = [
        TenderRequest(method, amount, reference=reference, cash_tendered=tendered)
        for method, amount, reference, tendered in intent["tenders"]
    ]
    result = pay(
        till.app.uow(),
        actor=till.cashier,
        workstation=till.workstation,
        mrn=intent["mrn"],
        tenders=tenders,
        key=key or "",
        item_ids=intent["items"],
    )
    return {
        "receipt_no": result.receipt_no,
        "amount": str(result.amount),
        "items": result.items,
        "replayed": result.replayed,
    }


def _reverse(till: Till, key: str | None, intent: dict) -> dict:
    result = reverse_payment(
        till.app.uow(),
        actor=till.supervisor,
        workstation=till.workstation,
        receipt_no=intent["receipt_no"],
        reason=intent["reason"],
        key=key or "",
        requested_by=till.cashier,
        item_ids=intent["items"],
    )
    return {
        "receipt_no": result.receipt_no,
        "amount": str(result.amount),
        "items": result.items,
        "payment_receipt_no": result.payment_receipt_no,
        "payment_reversed": result.payment_reversed,
        "replayed": result.replayed,
    }


def _withdraw(till: Till, key: str | None, intent: dict) -> dict:
    result = withdraw(
        till.app.uow(),
        actor=till.supervisor,
        workstation=till.workstation,
        mrn=intent["mrn"],
        amount=intent["amount"],
        reason=intent["reason"],
        key=key or "",
        cashier=till.cashier,
    )
    return {
        "receipt_no": result.receipt_no,
        "amount": str(result.amount),
        "replayed": result.replayed,
    }


def _close_shift(till: Till, key: str | None, intent: dict) -> dict:
    """The cashier counts exactly what the books expect (the supervisor's X report), so the
    shift closes without a variance; an overdrawn drawer counts zero and is signed off."""
    open_shifts = shifts.x_report(
        till.app.uow(), actor=till.supervisor, cashier=till.cashier.username
    )
    here = [s for s in open_shifts if s.workstation == till.workstation]
    expected = here[0].expected_cash if here else Decimal(0)
    counted = max(expected, Decimal(0))
    short = counted != expected
    summary = shifts.close_shift(
        till.app.uow(),
        actor=till.cashier,
        workstation=till.workstation,
        counted_cash=counted,
        reason_code="counting_error" if short else None,
        approver=till.supervisor if short else None,
    )
    return {"shift_id": summary.shift_id, "expected": str(expected), "counted": str(counted)}


def _open_shift(till: Till, key: str | None, intent: dict) -> dict:
    summary = shifts.open_shift(
        till.app.uow(),
        actor=till.cashier,
        workstation=till.workstation,
        opening_float=intent["float"],
    )
    return {"shift_id": summary.shift_id}


_SENDERS = {
    "deposit": _deposit,
    "pay": _pay,
    "reverse": _reverse,
    "withdraw": _withdraw,
    "shift_close": _close_shift,
    "shift_open": _open_shift,
}
