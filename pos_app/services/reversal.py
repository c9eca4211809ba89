"""Reversing a payment (refund / void): the payment cascade undone in one transaction.

SPEC rule 7. A supervisor other than the cashier who took the payment approves it,
with a reason. Items go back to unpaid (their bills back to open), pharmacy stock
comes back, pending lab results are cancelled (refused once the lab has started),
wallet tenders are credited back with a `refund` wallet entry, and every other
tender is recorded as money paid out of the till. A refund receipt with its own
number and an audit event naming cashier and approver close it.

A reversal may name some of the payment's items (a partial refund): only those
are undone, and the payment stays `completed` until its last items are refunded.
The money goes back the way it came, wallet first, then the other tenders in the
order they were taken, never more on a method than it paid less what earlier
refunds of the payment already gave back on it; a supervisor may instead name
the payouts, within the same ceilings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import case, insert, select, update

from pos_app.adapters import idempotency, ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.domain.kinds import (
    BillStatus,
    ItemStatus,
    LabStatus,
    ReceiptKind,
    TenderMethod,
    WalletEntryKind,
)
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls
from pos_app.services import locks, sessions, shifts
from pos_app.services.refund_plan import (
    WHOLE_PAYMENT,
    Parts,
    chosen,
    not_yet_refunded,
    paid_items,
    plan_payouts,
    refunded_items,
)
from pos_app.services.results import JsonResult

MAX_REASON = 500


@dataclass(frozen=True)
class Payout(JsonResult):
    method: str
    amount: Decimal
    reference: str | None


@dataclass(frozen=True)
class ReversalResult(JsonResult):
    """What a reversal did; the same object comes back for a replayed key."""

    receipt_no: str
    payment_receipt_no: str
    mrn: str
    patient_name: str
    amount: Decimal
    items: list[int]
    payouts: list[Payout]
    wallet_balance_after: Decimal
    reason: str
    cashier: str
    requested_by: str
    approved_by: str
    lab_results_cancelled: int
    idempotency_key: str
    audit_hash: str
    at: str
    workstation: str
    currency: str
    replayed: bool = False
    payment_reversed: bool = True  # False while some of the payment's items stay paid


@dataclass(frozen=True)
class _Payment:
    id: int
    receipt_no: str
    mrn: str
    cashier_id: int
    cashier: str
    status: str
    amount_minor: int



def reverse_payment(
    uow: UnitOfWork, *, actor: Actor, workstation: str, receipt_no: str, reason: str, key: str,
    requested_by: Actor | None = None, item_ids: list[int] | None = None,
    payouts: list[tuple[str, str | Decimal]] | None = None,
) -> ReversalResult:
    """Undo the payment on `receipt_no` (or just `item_ids` of it), exactly once per key.

    `payouts` names how the money goes back; by default it goes back the way it came.
    """
    idempotency.check_key(key)
    reason = check_reason(reason)
    parts = Parts.of(item_ids, payouts)
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "approve refunds")
        requester = (sessions.authorize(uow, requested_by, Role.CASHIER, "request refunds")
                     if requested_by else actor)
        result = reverse_once(uow, actor=actor, requester=requester,
                              workstation=workstation, receipt_no=receipt_no, reason=reason,
                              key=key, parts=parts)
        uow.commit()
    return result


def reverse_once(uow: UnitOfWork, *, actor: Actor, requester: Actor, workstation: str,
                 receipt_no: str, reason: str, key: str, parts: Parts = WHOLE_PAYMENT,
                 before: Callable[[], None] | None = None,
                 request_id: int | None = None) -> ReversalResult:
    """The reversal inside the caller's transaction: replayed for a used key, else done.

    `before` runs first when the key is new (a refund request marks itself approved).
    """
    stored = idempotency.claim(uow, key, "reverse",
                               {"receipt_no": receipt_no, "reason": reason, **parts.request()})
    if stored is not None:
        return ReversalResult.from_json(stored, replayed=True)
    if before is not None:
        before()
    result = _reverse(uow, actor=actor, requester=requester, workstation=workstation,
                      receipt_no=receipt_no, reason=reason, key=key, parts=parts,
                      request_id=request_id)
    idempotency.store(uow, key, result.to_json())
    return result


def check_reason(reason: str) -> str:
    """A reversal or withdrawal says why: non-empty, at most MAX_REASON characters, and no
    control character (it is printed on the receipt)."""
    text = refuse_controls((reason or "").strip(), what="reason")
    if not text:
        raise BadInput("Give a reason.", code="missing_reason")
    if len(text) > MAX_REASON:
        raise BadInput(f"A reason has at most {MAX_REASON} characters.", code="invalid_reason")
    return text


def find_payment(uow: UnitOfWork, receipt_no: str) -> _Payment:
    """The payment behind a receipt number, or `unknown_receipt`."""
    row = uow.execute(
        select(t.payments.c.id, t.payments.c.receipt_no, t.payments.c.cashier_id,
               t.payments.c.status, t.payments.c.amount_minor, t.patients.c.mrn,
               t.users.c.username)
        .join(t.patients, t.patients.c.id == t.payments.c.patient_id)
        .join(t.users, t.users.c.id == t.payments.c.cashier_id)
        .where(t.payments.c.receipt_no == receipt_no)
    ).first()
    if row is None:
        raise NotFound(f"No payment has receipt number {receipt_no}.", code="unknown_receipt")
    return _Payment(row.id, row.receipt_no, row.mrn, row.cashier_id, row.username, row.status,
                    row.amount_minor)


def check_two_people(payment: _Payment, *, approver: Actor) -> None:
    """The approving supervisor is not the cashier who took the payment."""
    if approver.user_id == payment.cashier_id:
        raise Refused(
            f"{approver.username} took payment {payment.receipt_no}; another supervisor must "
            "approve its refund.", code="same_person")


def _reverse(uow: UnitOfWork, *, actor: Actor, requester: Actor, workstation: str,
             receipt_no: str, reason: str, key: str, parts: Parts,
             request_id: int | None) -> ReversalResult:
    currency = uow.facility().currency
    payment = find_payment(uow, receipt_no)
    check_two_people(payment, approver=actor)
    wallet = locks.lock_wallet(uow, payment.mrn)
    paid = paid_items(uow, payment.id)
    # Every item of the payment is locked for a whole reversal: which of them earlier
    # partial refunds took is only known once the payment row is locked, after the items.
    items = locks.lock_items(uow, wallet, chosen(payment.receipt_no, paid, parts.item_ids))
    _lock_payment_completed(uow, payment)
    refunded = refunded_items(uow, payment.id)
    ids = not_yet_refunded(payment.receipt_no, [item.id for item in items], refunded,
                           explicit=parts.item_ids is not None)
    items = [item for item in items if item.id in ids]
    amount = sum(paid[i] for i in ids)
    if amount == 0:
        raise Refused("These items cost nothing; there is nothing to refund.",
                      code="nothing_to_refund")
    last = refunded | set(ids) == set(paid)
    if last:
        uow.execute(update(t.payments).where(t.payments.c.id == payment.id)
                    .values(status="reversed"))
    cancelled = _cancel_lab_results(uow, payment.id, ids)
    returned = locks.stock_needed(items)
    locks.lock_stock(uow, returned)
    slot = ledger.take_slot(uow, workstation, with_receipt=True)
    shift_id = shifts.open_shift_id(uow, cashier_id=requester.user_id, workstation=workstation)
    payouts = plan_payouts(uow, currency, payment.id, amount, parts.payouts)
    if shift_id is None and any(m == TenderMethod.CASH.value for m, _, _ in payouts):
        shifts.require_shift_for_cash(uow)
    wallet_minor = sum(a for m, a, _ in payouts if m == TenderMethod.WALLET.value)
    balance_after = wallet.balance_minor + wallet_minor
    result = _result(currency, slot, payment, wallet, items, amount, payouts, balance_after,
                     reason, actor, requester, cancelled, key, last)
    details = {k: v for k, v in result.to_json().items() if k not in ("audit_hash", "replayed")}
    audit_hash = ledger.issue_receipt(uow, slot, kind=ReceiptKind.REFUND.value,
                                      patient_id=wallet.patient_id, actor=actor,
                                      action="payment.reverse", details=details)
    reversal_id = _record(uow, slot, payment, amount, actor, requester, reason, shift_id, key,
                          request_id)
    uow.execute(insert(t.refund_payouts), [
        {"reversal_id": reversal_id, "method": m, "amount_minor": a, "reference": r}
        for m, a, r in payouts])
    uow.execute(insert(t.reversal_items), [
        {"reversal_id": reversal_id, "bill_item_id": i, "amount_minor": paid[i]} for i in ids])
    _credit_wallet(uow, wallet, wallet_minor, balance_after, slot)
    _reopen_items(uow, items)
    _return_stock(uow, items, returned, slot)
    return replace(result, audit_hash=audit_hash)


def _lock_payment_completed(uow: UnitOfWork, payment: _Payment) -> None:
    """Lock the payment row (so refunds of it take turns); refuse a reversed payment."""
    status = uow.execute(select(t.payments.c.status).where(t.payments.c.id == payment.id)
                         .with_for_update()).scalar_one()
    if status != "completed":
        raise Refused(f"Payment {payment.receipt_no} was already reversed.",
                      code="already_reversed")


def _cancel_lab_results(uow: UnitOfWork, payment_id: int, item_ids: list[int]) -> int:
    rows = uow.execute(
        select(t.lab_results.c.id, t.lab_results.c.status, t.lab_results.c.lab_test_code)
        .where(t.lab_results.c.payment_id == payment_id,
               t.lab_results.c.bill_item_id.in_(item_ids),
               t.lab_results.c.status != LabStatus.CANCELLED.value)
        .order_by(t.lab_results.c.id).with_for_update()).all()
    started = [row for row in rows if row.status != LabStatus.PENDING.value]
    if started:
        raise Refused(
            f"The laboratory has already started test {started[0].lab_test_code} "
            f"({started[0].status.replace('_', ' ')}); this payment cannot be reversed.",
            code="lab_already_started")
    if rows:
        uow.execute(update(t.lab_results).where(t.lab_results.c.id.in_([r.id for r in rows]))
                    .values(status=LabStatus.CANCELLED.value))
    return len(rows)


def _result(currency: Currency, slot: ledger.Slot, payment: _Payment,
            wallet: locks.LockedWallet, items: list[locks.LockedItem], amount: int,
            payouts: list[tuple[str, int, str | None]], balance_after: int, reason: str,
            actor: Actor, requester: Actor, cancelled: int, key: str,
            last: bool) -> ReversalResult:
    money = currency.from_minor
    return ReversalResult(
        receipt_no=slot.receipt_no, payment_receipt_no=payment.receipt_no, mrn=wallet.mrn,
        patient_name=wallet.name, amount=money(amount),
        items=[item.id for item in items],
        payouts=[Payout(m, money(a), r) for m, a, r in payouts],
        wallet_balance_after=money(balance_after), reason=reason, cashier=payment.cashier,
        requested_by=requester.username, approved_by=actor.username,
        lab_results_cancelled=cancelled, idempotency_key=key, audit_hash="",
        at=slot.at.isoformat(), workstation=slot.workstation, currency=currency.code,
        payment_reversed=last)


def _record(uow: UnitOfWork, slot: ledger.Slot, payment: _Payment, amount: int, actor: Actor,
            requester: Actor, reason: str, shift_id: int | None, key: str,
            request_id: int | None) -> int:
    return uow.execute(insert(t.reversals).values(
        payment_id=payment.id, receipt_no=slot.receipt_no, reason=reason,
        amount_minor=amount, cashier_id=payment.cashier_id,
        requested_by=requester.user_id, approved_by=actor.user_id, request_id=request_id,
        workstation=slot.workstation, shift_id=shift_id, idempotency_key=key,
        created_at=slot.at).returning(t.reversals.c.id)).scalar_one()


def _credit_wallet(uow: UnitOfWork, wallet: locks.LockedWallet, amount: int,
                   balance_after: int, slot: ledger.Slot) -> None:
    if amount == 0:
        return
    uow.execute(update(t.wallets).where(t.wallets.c.id == wallet.wallet_id)
                .values(balance_minor=t.wallets.c.balance_minor + amount))
    uow.execute(insert(t.wallet_entries).values(
        wallet_id=wallet.wallet_id, kind=WalletEntryKind.REFUND.value, amount_minor=amount,
        balance_after_minor=balance_after, receipt_no=slot.receipt_no, created_at=slot.at))


def _reopen_items(uow: UnitOfWork, items: list[locks.LockedItem]) -> None:
    ids = [item.id for item in items]
    changed = uow.execute(
        update(t.bill_items)
        .where(t.bill_items.c.id.in_(ids), t.bill_items.c.status == ItemStatus.PAID.value)
        .values(status=ItemStatus.UNPAID.value)).rowcount
    if changed != len(ids):
        raise Refused("An item of this payment is no longer paid.", code="item_not_reversible")
    uow.execute(update(t.bills)
                .where(t.bills.c.id.in_({item.bill_id for item in items}),
                       t.bills.c.status == BillStatus.PAID.value)
                .values(status=BillStatus.OPEN.value))


def _return_stock(uow: UnitOfWork, items: list[locks.LockedItem], returned: Counter[int],
                  slot: ledger.Slot) -> None:
    if not returned:
        return
    uow.execute(
        update(t.stock_items)
        .where(t.stock_items.c.id.in_(list(returned)))
        .values(quantity_on_hand=t.stock_items.c.quantity_on_hand
                + case(dict(returned), value=t.stock_items.c.id)))
    uow.execute(insert(t.stock_movements), [
        {"stock_item_id": item.stock_item_id, "delta": item.quantity, "reason": "return",
         "bill_item_id": item.id, "created_at": slot.at}
        for item in items if item.stock_item_id is not None and item.kind == "pharmacy"])

