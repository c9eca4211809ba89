"""Taking a payment: the one cascade every tender kind runs through (SPEC rules 2 to 6).

Through the money kernel: validate -> claim the key -> lock wallet, items, stock,
workstation counter (the order of `locks.Lock`), read the open shift -> check each
tender -> effects: receipt, wallet debit, payment with items, tenders and lab orders,
references, items settled, stock taken -> audit event -> apply -> store -> commit.
A refusal or a crash at any step rolls every step back.

Each item is charged what is due on it: its amount less its adjustments (discounts,
waivers, price corrections). Items whose due adds up to zero (a full waiver) are
settled with no tender at all: the same cascade takes stock, orders the lab test and
issues a zero-amount receipt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from pos_app.adapters import idempotency
from pos_app.adapters.items import LockedItem
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.wallets import LockedWallet
from pos_app.domain import effects as fx
from pos_app.domain import rules
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import (
    LabStatus,
    ReceiptKind,
    ServiceKind,
    TenderMethod,
    WalletEntryKind,
)
from pos_app.services import covered, credit, kernel, locks, payers, sessions
from pos_app.services.results import JsonResult
from pos_app.services.tenders import (
    Tender,
    TenderRequest,
    check_references_unused,
    parse_tenders,
    references_claimed,
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
    payer: str | None = None  # with a payer: its code, and the split of `amount` + its share
    payer_name: str | None = None
    member_no: str | None = None
    payer_share: Decimal | None = None
    patient_share: Decimal | None = None

    def to_json(self) -> dict:
        """Without a payer, the payer keys are left out (the shape SPEC gives `pay`)."""
        data = super().to_json()
        if self.payer is None:
            for name in ("payer", "payer_name", "member_no", "payer_share", "patient_share"):
                del data[name]
        return data


def pay(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    tenders: list[TenderRequest],
    key: str,
    item_ids: list[int] | None = None,
    bill_no: str | None = None,
    payer: str | None = None,
) -> PaymentResult:
    """Pay the chosen unpaid items of one patient, exactly once per idempotency key.

    With `payer` the payer's scheme takes its share of each item (SPEC rule 13): the
    tenders add up to the patient's share, and the payer's goes on its account."""
    idempotency.check_key(key)
    if (item_ids is None) == (bill_no is None):
        raise BadInput("Pay either chosen items or a whole bill.", code="no_items")
    chosen = locks.check_item_ids(item_ids) if item_ids is not None else None
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "take payments")
        facility = uow.facility()
        parsed = parse_tenders(facility.currency, tenders) if tenders else []
        return kernel.run(
            uow,
            _Pay(
                actor,
                workstation,
                facility,
                mrn,
                chosen,
                bill_no,
                tuple(parsed),
                key,
                payers.check_code(payer) if payer else None,
            ),
        )


@dataclass(frozen=True)
class _Locked:
    wallet: LockedWallet
    items: list[LockedItem]
    needed: Counter[int]
    wallet_minor: int
    shift_id: int | None
    cover: covered.Covered | None
    owed: credit.Owed | None = None


@dataclass(frozen=True)
class _Pay:
    actor: Actor
    workstation: str
    facility: Facility
    mrn: str
    item_ids: list[int] | None
    bill_no: str | None
    tenders: tuple[Tender, ...]
    key: str
    payer: str | None = None
    name: str = "pay"

    def request(self) -> dict:
        return {
            "mrn": self.mrn,
            "items": self.item_ids,
            "bill_no": self.bill_no,
            "tenders": sorted((p.fingerprint() for p in self.tenders), key=lambda f: f["method"]),
            **({"payer": self.payer} if self.payer else {}),
        }

    def replay(self, stored: dict) -> PaymentResult:
        return PaymentResult.from_json(stored, replayed=True)

    def lock(self, held: locks.Locks) -> _Locked:
        currency, tenders = self.facility.currency, list(self.tenders)
        wallet = held.wallet(self.mrn)
        membership = (
            None
            if self.payer is None
            else payers.valid_membership(
                held.uow,
                patient_id=wallet.patient_id,
                payer_code=self.payer,
                today=held.uow.clock().date(),
            )
        )
        account = None if membership is None else held.payer_account(membership.payer.id)
        credit_minor = sum(x.amount_minor for x in tenders if x.method is TenderMethod.CREDIT)
        owed = None if credit_minor == 0 else held.patient_account(wallet.patient_id)
        if owed is not None:
            credit.require_within_limit(currency, owed, credit_minor)
        items = (
            held.items(wallet, self.item_ids)
            if self.item_ids is not None
            else held.unpaid_bill_items(wallet, self.bill_no or "")
        )
        rules.require_unpaid((item.id, item.service_name, item.status) for item in items)
        cover = (
            None
            if membership is None or account is None
            else covered.split_items(held.uow, membership, account, items)
        )
        rules.require_tenders_add_up(
            currency,
            given_minor=sum(x.amount_minor for x in tenders),
            total_minor=covered.patient_total(items, cover),
            tendered=bool(tenders),
        )
        check_references_unused(held.uow, tenders)
        wallet_minor = sum(x.amount_minor for x in tenders if x.method is TenderMethod.WALLET)
        rules.require_wallet_cover(
            currency, balance_minor=wallet.balance_minor, amount_minor=wallet_minor
        )
        needed = locks.stock_needed(items)
        if needed:
            rules.require_stock(needed, held.stock(needed))
        held.counter(self.workstation, with_receipt=True)
        shift_id = held.open_shift_id(cashier_id=self.actor.user_id, workstation=self.workstation)
        rules.require_shift_for_cash(
            shift_id,
            moves_cash=any(x.method is TenderMethod.CASH for x in tenders),
            required=self.facility.require_shift,
            message=f"{self.actor.username} has no open shift at {self.workstation}: open "
            "one before taking cash.",
        )
        return _Locked(
            wallet,
            items,
            needed,
            wallet_minor,
            shift_id,
            cover,
            credit.Owed(owed, credit_minor) if owed is not None else None,
        )

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[PaymentResult]:
        wallet, items, receipt_no = state.wallet, state.items, slot.receipt_no
        charged = covered.patient_dues(items, state.cover)
        total = sum(charged.values())
        change = sum(tender.change_minor for tender in self.tenders)
        balance_after = wallet.balance_minor - state.wallet_minor
        result = covered.with_payer(
            self._result(slot, wallet, items, balance_after), state.cover, self.facility.currency
        )
        wallet_entry = (
            ()
            if state.wallet_minor == 0
            else (
                fx.WalletEntry(
                    wallet.wallet_id,
                    WalletEntryKind.PAYMENT.value,
                    -state.wallet_minor,
                    balance_after,
                    receipt_no,
                ),
            )
        )
        sold = tuple(
            fx.StockMovement(item.stock_item_id, -item.quantity, "sale", item.id)
            for item in items
            if item.stock_item_id is not None and item.kind == ServiceKind.PHARMACY.value
        )
        payment = fx.PaymentRecorded(
            receipt_no,
            wallet.patient_id,
            total,
            change,
            balance_after,
            self.actor.user_id,
            self.workstation,
            self.key,
            state.shift_id,
            tuple(fx.PaymentItemRow(item.id, charged[item.id]) for item in items),
            tuple(
                fx.TenderRow(
                    x.method.value,
                    x.amount_minor,
                    x.reference,
                    x.cash_tendered_minor,
                    x.change_minor,
                )
                for x in self.tenders
            ),
            tuple(
                fx.LabOrder(item.id, item.lab_test_code or "", LabStatus.PENDING.value)
                for item in items
                if item.kind == ServiceKind.LAB_TEST.value
            ),
        )
        effects = (
            fx.ReceiptIssued(
                receipt_no,
                slot.workstation,
                slot.receipt_seq,
                ReceiptKind.PAYMENT.value,
                wallet.patient_id,
                self.actor.user_id,
            ),
            *wallet_entry,
            payment,
            *references_claimed(list(self.tenders), receipt_no),
            fx.ItemsSettled(
                tuple(item.id for item in items), tuple(sorted({item.bill_id for item in items}))
            ),
            *((fx.StockTaken(sold),) if sold else ()),
            *covered.effects(state.cover, receipt_no),
            *credit.entries(state.owed, receipt_no),
        )
        return kernel.Decision(
            self.actor,
            "payment",
            receipt_no,
            kernel.plain_details(result.to_json()),
            effects,
            lambda digest: replace(result, audit_hash=digest),
        )

    def _result(
        self, slot: Slot, wallet: LockedWallet, items: list[LockedItem], balance_after: int
    ) -> PaymentResult:
        currency = self.facility.currency
        money = currency.from_minor
        lines = [
            TenderLine(
                tender.method.value,
                money(tender.amount_minor),
                tender.reference,
                None if tender.cash_tendered_minor is None else money(tender.cash_tendered_minor),
                money(tender.change_minor),
            )
            for tender in self.tenders
        ]
        return PaymentResult(
            receipt_no=slot.receipt_no,
            mrn=wallet.mrn,
            patient_name=wallet.name,
            amount=money(sum(item.due_minor for item in items)),
            items=[item.id for item in items],
            tenders=lines,
            change=money(sum(tender.change_minor for tender in self.tenders)),
            wallet_balance_after=money(balance_after),
            idempotency_key=self.key,
            audit_hash="",
            at=slot.at.isoformat(),
            workstation=slot.workstation,
            cashier=self.actor.username,
            currency=currency.code,
        )
