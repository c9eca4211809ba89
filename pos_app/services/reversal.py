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
the payouts, within the same ceilings. Items the payer paid in full give the patient
nothing back: their reversal (a 0 refund receipt) only takes the payer's shares back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from pos_app.adapters import idempotency, payers_repo, payments, receivables
from pos_app.adapters.items import LockedItem
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.wallets import LockedWallet
from pos_app.domain import effects as fx
from pos_app.domain import rules
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import LabStatus, ReceiptKind, TenderMethod, WalletEntryKind
from pos_app.domain.refunds import ceilings, chosen, not_yet_refunded, plan_payouts
from pos_app.services import credit, kernel, locks, sessions
from pos_app.services.refund_plan import WHOLE_PAYMENT, Parts
from pos_app.services.results import JsonResult


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


def reverse_payment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    receipt_no: str,
    reason: str,
    key: str,
    requested_by: Actor | None = None,
    item_ids: list[int] | None = None,
    payouts: list[tuple[str, str | Decimal]] | None = None,
) -> ReversalResult:
    """Undo the payment on `receipt_no` (or just `item_ids` of it), exactly once per key.

    `payouts` names how the money goes back; by default it goes back the way it came.
    """
    idempotency.check_key(key)
    reason = rules.require_reason(reason)
    parts = Parts.of(item_ids, payouts)
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "approve refunds")
        requester = (
            sessions.authorize(uow, requested_by, Role.CASHIER, "request refunds")
            if requested_by
            else actor
        )
        return kernel.run(
            uow,
            Reversal(actor, requester, workstation, uow.facility(), receipt_no, reason, key, parts),
        )


def require_other_than_cashier(payment: payments.PaymentRow, approver: Actor) -> None:
    """The approving supervisor is not the cashier who took the payment."""
    rules.require_two_people(
        approver_id=approver.user_id,
        other_id=payment.cashier_id,
        message=f"{approver.username} took payment {payment.receipt_no}; another supervisor "
        "must approve its refund.",
    )


@dataclass(frozen=True)
class _Locked:
    payment: payments.PaymentRow
    wallet: LockedWallet
    items: list[LockedItem]
    paid: dict[int, int]
    amount_minor: int
    last: bool
    lab_result_ids: tuple[int, ...]
    payouts: list[tuple[str, int, str | None]]
    shift_id: int | None
    payer_back: tuple[receivables.Account, int] | None = None  # the payer's account, amount
    owed: receivables.Account | None = None  # the patient's own account, when credit paid


@dataclass(frozen=True)
class Reversal:
    """The reversal command; an approved refund request runs it (`refund_requests.execute`)."""

    actor: Actor
    requester: Actor
    workstation: str
    facility: Facility
    receipt_no: str
    reason: str
    key: str
    parts: Parts = WHOLE_PAYMENT
    name: str = "reverse"

    def request(self) -> dict:
        return {"receipt_no": self.receipt_no, "reason": self.reason, **self.parts.request()}

    def replay(self, stored: dict) -> ReversalResult:
        return ReversalResult.from_json(stored, replayed=True)

    def lock(self, held: locks.Locks) -> _Locked:
        uow = held.uow
        payment = payments.find(uow, self.receipt_no)
        require_other_than_cashier(payment, self.actor)
        wallet = held.wallet(payment.mrn)
        shares = payers_repo.shares_of_payment(uow, payment.id)  # written once, never changed
        account = held.payer_account(shares[0].payer_id) if shares else None
        owed = (
            held.patient_account(wallet.patient_id)
            if any(m == TenderMethod.CREDIT.value for m, _, _ in payments.tendered(uow, payment.id))
            else None
        )
        paid = payments.paid_items(uow, payment.id)
        # Every item of the payment is locked for a whole reversal: which of them earlier
        # partial refunds took is only known once the payment row is locked, after the items.
        items = held.items(wallet, chosen(payment.receipt_no, paid, self.parts.item_ids))
        held.payment(payment)
        refunded = payments.refunded_items(uow, payment.id)
        ids = not_yet_refunded(
            payment.receipt_no,
            [item.id for item in items],
            refunded,
            explicit=self.parts.item_ids is not None,
        )
        items = [item for item in items if item.id in ids]
        amount = sum(paid[i] for i in ids)
        payer_minor = sum(share.amount_minor for share in shares if share.bill_item_id in ids)
        if amount == 0 and payer_minor == 0:
            raise Refused(
                "These items cost nothing; there is nothing to refund.", code="nothing_to_refund"
            )
        last = refunded | set(ids) == set(paid)
        labs = held.lab_results(payment.id, ids)
        started = [lab for lab in labs if lab.status != LabStatus.PENDING.value]
        if started:
            raise Refused(
                f"The laboratory has already started test {started[0].lab_test_code} "
                f"({started[0].status.replace('_', ' ')}); this payment cannot be reversed.",
                code="lab_already_started",
            )
        returned = locks.stock_needed(items)
        if returned:
            held.stock(returned)
        held.counter(self.workstation, with_receipt=True)
        shift_id = held.open_shift_id(
            cashier_id=self.requester.user_id, workstation=self.workstation
        )
        room = ceilings(payments.tendered(uow, payment.id), payments.paid_back(uow, payment.id))
        payouts = plan_payouts(self.facility.currency, room, amount, self.parts.payouts)
        rules.require_shift_for_cash(
            shift_id,
            moves_cash=any(m == TenderMethod.CASH.value for m, _, _ in payouts),
            required=self.facility.require_shift,
            message="No open shift at this workstation to pay cash out of: open one first.",
        )
        return _Locked(
            payment,
            wallet,
            items,
            paid,
            amount,
            last,
            tuple(lab.id for lab in labs),
            payouts,
            shift_id,
            (account, payer_minor) if account and payer_minor else None,
            owed,
        )

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[ReversalResult]:
        wallet, payment, items = state.wallet, state.payment, state.items
        receipt_no = slot.receipt_no
        wallet_minor = sum(a for m, a, _ in state.payouts if m == TenderMethod.WALLET.value)
        credit_minor = sum(a for m, a, _ in state.payouts if m == TenderMethod.CREDIT.value)
        balance_after = wallet.balance_minor + wallet_minor
        result = self._result(state, slot, balance_after)
        returned = tuple(
            fx.StockMovement(item.stock_item_id, item.quantity, "return", item.id)
            for item in items
            if item.stock_item_id is not None and item.kind == "pharmacy"
        )
        effects = (
            fx.ReceiptIssued(
                receipt_no,
                slot.workstation,
                slot.receipt_seq,
                ReceiptKind.REFUND.value,
                wallet.patient_id,
                self.actor.user_id,
            ),
            fx.ReversalRecorded(
                receipt_no,
                payment.id,
                payment.receipt_no,
                self.reason,
                state.amount_minor,
                payment.cashier_id,
                self.requester.user_id,
                self.actor.user_id,
                None,
                slot.workstation,
                state.shift_id,
                self.key,
                tuple(fx.ReversalItemRow(item.id, state.paid[item.id]) for item in items),
                tuple(fx.PayoutRow(m, a, r) for m, a, r in state.payouts),
            ),
            *((fx.PaymentReversed(payment.id, payment.receipt_no),) if state.last else ()),
            *((fx.LabResultsCancelled(state.lab_result_ids),) if state.lab_result_ids else ()),
            *(
                (
                    fx.WalletEntry(
                        wallet.wallet_id,
                        WalletEntryKind.REFUND.value,
                        wallet_minor,
                        balance_after,
                        receipt_no,
                    ),
                )
                if wallet_minor
                else ()
            ),
            fx.ItemsReopened(
                tuple(item.id for item in items), tuple(sorted({item.bill_id for item in items}))
            ),
            *((fx.StockPutBack(returned),) if returned else ()),
            *_payer_back(state.payer_back, receipt_no),
            *credit.entries(
                None if state.owed is None else credit.Owed(state.owed, -credit_minor),
                receipt_no,
                kind="reversal",
            ),
        )
        return kernel.Decision(
            self.actor,
            "payment.reverse",
            receipt_no,
            kernel.plain_details(result.to_json()),
            effects,
            lambda digest: replace(result, audit_hash=digest),
        )

    def _result(self, state: _Locked, slot: Slot, balance_after: int) -> ReversalResult:
        currency = self.facility.currency
        money = currency.from_minor
        return ReversalResult(
            receipt_no=slot.receipt_no,
            payment_receipt_no=state.payment.receipt_no,
            mrn=state.wallet.mrn,
            patient_name=state.wallet.name,
            amount=money(state.amount_minor),
            items=[item.id for item in state.items],
            payouts=[Payout(m, money(a), r) for m, a, r in state.payouts],
            wallet_balance_after=money(balance_after),
            reason=self.reason,
            cashier=state.payment.cashier,
            requested_by=self.requester.username,
            approved_by=self.actor.username,
            lab_results_cancelled=len(state.lab_result_ids),
            idempotency_key=self.key,
            audit_hash="",
            at=slot.at.isoformat(),
            workstation=slot.workstation,
            currency=currency.code,
            payment_reversed=state.last,
        )


def _payer_back(
    back: tuple[receivables.Account, int] | None, receipt_no: str
) -> tuple[fx.Effect, ...]:
    """The payer's shares of the refunded items leave its account: a `reversal` entry."""
    if back is None:
        return ()
    account, amount = back
    return (
        fx.ReceivableEntry(
            account.id, "reversal", -amount, account.balance_minor - amount, receipt_no
        ),
    )
