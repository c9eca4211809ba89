"""Taking a payment: the one cascade every tender kind runs through (SPEC rules 2 to 6).

validate -> claim the idempotency key -> lock wallet, items, stock, receipt counter
(that order, always) -> check each tender -> receipt and audit event -> debit the
wallet -> record payment and tenders -> mark items (and bills) paid -> take stock
-> pending lab results -> store the result under the key -> commit. A refusal or a
crash at any step rolls every step back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import case, exists, insert, update

from pos_app.adapters import idempotency, ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.kinds import (
    BillStatus,
    ItemStatus,
    LabStatus,
    ReceiptKind,
    ServiceKind,
    TenderMethod,
    WalletEntryKind,
)
from pos_app.domain.money import Currency
from pos_app.services import locks, sessions, shifts
from pos_app.services.results import JsonResult
from pos_app.services.tenders import (
    Tender,
    TenderRequest,
    check_references_unused,
    check_wallet_cover,
    parse_tenders,
    record_references,
)


@dataclass(frozen=True)
class TenderLine(JsonResult):
    method: str
    amount: Decimal
    reference: str | None = None
    cash_tendered: Decimal | None = None
    change: Decimal = Decimal(0)


@dataclass(frozen=True)
class PaymentResult(JsonResult):
    """What a payment did; the same object comes back for a replayed key."""

    receipt_no: str
    mrn: str
    patient_name: str
    amount: Decimal
    items: list[int]
    tenders: list[TenderLine]
    change: Decimal
    wallet_balance_after: Decimal
    idempotency_key: str
    audit_hash: str
    at: str
    workstation: str
    cashier: str
    replayed: bool = False
    currency: str = ""


def pay(
    uow: UnitOfWork, *, actor: Actor, workstation: str, mrn: str, tenders: list[TenderRequest],
    key: str, item_ids: list[int] | None = None, bill_no: str | None = None,
) -> PaymentResult:
    """Pay the chosen unpaid items of one patient, exactly once per idempotency key."""
    idempotency.check_key(key)
    if (item_ids is None) == (bill_no is None):
        raise BadInput("Pay either chosen items or a whole bill.", code="no_items")
    chosen = locks.check_item_ids(item_ids) if item_ids is not None else None
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "take payments")
        facility = uow.facility()
        currency = facility.currency
        parsed = parse_tenders(currency, tenders)
        request = {"mrn": mrn, "items": chosen, "bill_no": bill_no,
                   "tenders": sorted((p.fingerprint() for p in parsed),
                                     key=lambda f: f["method"])}
        stored = idempotency.claim(uow, key, "pay", request)
        if stored is not None:
            return PaymentResult.from_json(stored, replayed=True)
        wallet = locks.lock_wallet(uow, mrn)
        items = (locks.lock_items(uow, wallet, chosen) if chosen is not None
                 else locks.lock_unpaid_bill_items(uow, wallet, bill_no or ""))
        locks.require_unpaid(items)
        total = sum(item.amount_minor for item in items)
        wallet_minor = _check_tenders(uow, currency, parsed, total, wallet)
        needed = locks.stock_needed(items)
        _check_stock(needed, locks.lock_stock(uow, needed))
        slot = ledger.take_slot(uow, workstation, with_receipt=True)
        shift_id = shifts.shift_for_money(
            uow, actor=actor, workstation=workstation, required=facility.require_shift,
            takes_cash=any(p.method is TenderMethod.CASH for p in parsed))
        result = _result(currency, slot, actor, wallet, items, parsed, key,
                         wallet.balance_minor - wallet_minor)
        audit_hash = ledger.issue_receipt(
            uow, slot, kind=ReceiptKind.PAYMENT.value, patient_id=wallet.patient_id,
            actor=actor, action="payment", details=_audit_details(result))
        result = replace(result, audit_hash=audit_hash)
        _debit_wallet(uow, wallet, wallet_minor, slot)
        payment_id = _record_payment(uow, slot, actor, wallet, items, parsed, key, result,
                                     currency, shift_id)
        _mark_items_paid(uow, items)
        _take_stock(uow, items, needed, slot)
        _create_lab_results(uow, items, payment_id, slot)
        idempotency.store(uow, key, result.to_json())
        uow.commit()
    return result


def _check_tenders(uow: UnitOfWork, currency: Currency, tenders: list[Tender], total: int,
                   wallet: locks.LockedWallet) -> int:
    given = sum(tender.amount_minor for tender in tenders)
    if given != total:
        raise BadInput(
            f"The tenders add up to {currency.display(given)} but the items come to "
            f"{currency.display(total)}.",
            code="tenders_mismatch",
        )
    check_references_unused(uow, tenders)
    return check_wallet_cover(currency, tenders, wallet.balance_minor)


def _check_stock(needed: Counter[int], on_hand: dict[int, tuple[str, int]]) -> None:
    for stock_id, quantity in sorted(needed.items()):
        name, available = on_hand[stock_id]
        if available < quantity:
            raise Refused(f"Only {available} of {name} in stock; {quantity} needed.",
                          code="insufficient_stock")


def _result(currency: Currency, slot: ledger.Slot, actor: Actor, wallet: locks.LockedWallet,
            items: list[locks.LockedItem], tenders: list[Tender], key: str,
            balance_after: int) -> PaymentResult:
    money = currency.from_minor
    lines = [TenderLine(tender.method.value, money(tender.amount_minor), tender.reference,
                        None if tender.cash_tendered_minor is None
                        else money(tender.cash_tendered_minor),
                        money(tender.change_minor)) for tender in tenders]
    return PaymentResult(
        receipt_no=slot.receipt_no, mrn=wallet.mrn, patient_name=wallet.name,
        amount=money(sum(item.amount_minor for item in items)),
        items=[item.id for item in items], tenders=lines,
        change=money(sum(tender.change_minor for tender in tenders)),
        wallet_balance_after=money(balance_after), idempotency_key=key, audit_hash="",
        at=slot.at.isoformat(), workstation=slot.workstation, cashier=actor.username,
        currency=currency.code,
    )


def _audit_details(result: PaymentResult) -> dict:
    details = result.to_json()
    for volatile in ("audit_hash", "replayed"):
        details.pop(volatile)
    return details


def _debit_wallet(uow: UnitOfWork, wallet: locks.LockedWallet, amount: int,
                  slot: ledger.Slot) -> None:
    if amount == 0:
        return
    uow.execute(update(t.wallets).where(t.wallets.c.id == wallet.wallet_id)
                .values(balance_minor=t.wallets.c.balance_minor - amount))
    uow.execute(insert(t.wallet_entries).values(
        wallet_id=wallet.wallet_id, kind=WalletEntryKind.PAYMENT.value, amount_minor=-amount,
        balance_after_minor=wallet.balance_minor - amount, receipt_no=slot.receipt_no,
        created_at=slot.at))


def _record_payment(uow: UnitOfWork, slot: ledger.Slot, actor: Actor,
                    wallet: locks.LockedWallet, items: list[locks.LockedItem],
                    tenders: list[Tender], key: str, result: PaymentResult,
                    currency: Currency, shift_id: int | None) -> int:
    payment_id = uow.execute(insert(t.payments).values(
        receipt_no=slot.receipt_no, patient_id=wallet.patient_id,
        amount_minor=sum(item.amount_minor for item in items),
        change_minor=sum(tender.change_minor for tender in tenders),
        wallet_balance_after_minor=currency.to_minor(result.wallet_balance_after),
        cashier_id=actor.user_id, workstation=slot.workstation, idempotency_key=key,
        created_at=slot.at, shift_id=shift_id,
    ).returning(t.payments.c.id)).scalar_one()
    uow.execute(insert(t.payment_items), [
        {"payment_id": payment_id, "bill_item_id": item.id, "amount_minor": item.amount_minor}
        for item in items])
    uow.execute(insert(t.tenders), [
        {"payment_id": payment_id, "method": tender.method.value,
         "amount_minor": tender.amount_minor, "reference": tender.reference,
         "cash_tendered_minor": tender.cash_tendered_minor, "change_minor": tender.change_minor}
        for tender in tenders])
    record_references(uow, tenders, slot.receipt_no)
    return payment_id


def _mark_items_paid(uow: UnitOfWork, items: list[locks.LockedItem]) -> None:
    ids = [item.id for item in items]
    changed = uow.execute(
        update(t.bill_items)
        .where(t.bill_items.c.id.in_(ids), t.bill_items.c.status == ItemStatus.UNPAID.value)
        .values(status=ItemStatus.PAID.value)
    ).rowcount
    if changed != len(ids):
        raise Refused("An item was paid by someone else meanwhile.", code="item_not_payable")
    unpaid_left = exists().where(t.bill_items.c.bill_id == t.bills.c.id,
                                 t.bill_items.c.status == ItemStatus.UNPAID.value)
    uow.execute(
        update(t.bills)
        .where(t.bills.c.id.in_({item.bill_id for item in items}), ~unpaid_left)
        .values(status=BillStatus.PAID.value)
    )


def _take_stock(uow: UnitOfWork, items: list[locks.LockedItem], needed: Counter[int],
                slot: ledger.Slot) -> None:
    if not needed:
        return
    uow.execute(
        update(t.stock_items)
        .where(t.stock_items.c.id.in_(list(needed)))
        .values(quantity_on_hand=t.stock_items.c.quantity_on_hand
                - case(dict(needed), value=t.stock_items.c.id))
    )
    uow.execute(insert(t.stock_movements), [
        {"stock_item_id": item.stock_item_id, "delta": -item.quantity, "reason": "sale",
         "bill_item_id": item.id, "created_at": slot.at}
        for item in items if item.stock_item_id is not None
        and item.kind == ServiceKind.PHARMACY.value])


def _create_lab_results(uow: UnitOfWork, items: list[locks.LockedItem], payment_id: int,
                        slot: ledger.Slot) -> None:
    lab_items = [item for item in items if item.kind == ServiceKind.LAB_TEST.value]
    if not lab_items:
        return
    uow.execute(insert(t.lab_results), [
        {"bill_item_id": item.id, "payment_id": payment_id,
         "lab_test_code": item.lab_test_code, "status": LabStatus.PENDING.value,
         "created_at": slot.at} for item in lab_items])

