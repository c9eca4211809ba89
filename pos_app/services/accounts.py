"""Receivable accounts at the till: a statement, and settling (money received against an
account) as a money command with its own receipt, key and audit event (SPEC rule 13).

A debtor is a payer (`--payer CODE`) or a patient given credit (`--patient MRN`). A
settlement lowers the balance and is allocated to the open charges, the named claim
batch's first, then the oldest; it never takes more than the account owes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from pos_app.adapters import account_queries, idempotency, patients_repo, payers_repo
from pos_app.adapters.ledger import Slot
from pos_app.adapters.receivables import Account
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import effects as fx
from pos_app.domain.actors import Actor, Role
from pos_app.domain.allocation import BUCKETS, allocate, bucket
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import SETTLE_METHODS, ReceiptKind
from pos_app.domain.rules import require_shift_for_cash
from pos_app.domain.text import refuse_controls
from pos_app.services import kernel, sessions
from pos_app.services.locks import Locks
from pos_app.services.results import JsonResult

MAX_REFERENCE = 64


@dataclass(frozen=True)
class Debtor:
    """Whose account: exactly one of a payer's code or a patient's MRN."""

    payer: str | None = None
    patient: str | None = None

    def __post_init__(self) -> None:
        if (self.payer is None) == (self.patient is None):
            raise BadInput(
                "Name the account by --payer CODE or by --patient MRN.", code="invalid_account"
            )

    @property
    def label(self) -> str:
        return f"payer:{self.payer}" if self.payer is not None else f"patient:{self.patient}"


@dataclass(frozen=True)
class AccountEntry(JsonResult):
    kind: str
    amount: Decimal
    balance_after: Decimal
    receipt_no: str | None
    at: str


@dataclass(frozen=True)
class AccountStatement(JsonResult):
    account: str
    name: str
    balance: Decimal
    credit_limit: Decimal
    entries: list[AccountEntry]


@dataclass(frozen=True)
class Allocation(JsonResult):
    receipt_no: str | None
    amount: Decimal


@dataclass(frozen=True)
class SettlementResult(JsonResult):
    receipt_no: str
    account: str
    name: str
    amount: Decimal
    method: str
    reference: str | None
    claim: str | None
    balance_after: Decimal
    allocations: list[Allocation]
    idempotency_key: str
    audit_hash: str
    at: str
    workstation: str
    cashier: str
    currency: str
    replayed: bool = False


def statement(uow: UnitOfWork, *, actor: Actor, debtor: Debtor) -> AccountStatement:
    """The account's entries, oldest first, and its balance (zero before any entry)."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see account statements")
        currency = uow.facility().currency
        name, payer_id, patient_id = _debtor(uow, debtor)
        found = account_queries.account_id(uow, payer_id=payer_id, patient_id=patient_id)
        rows = [] if found is None else account_queries.entries(uow, found)
        limit = 0 if found is None else account_queries.credit_limit_minor(uow, found)
    return AccountStatement(
        debtor.label,
        name,
        currency.from_minor(rows[-1].balance_after_minor if rows else 0),
        currency.from_minor(limit),
        [
            AccountEntry(
                row.kind,
                currency.from_minor(row.amount_minor),
                currency.from_minor(row.balance_after_minor),
                row.receipt_no,
                row.created_at.isoformat(),
            )
            for row in rows
        ],
    )


@dataclass(frozen=True)
class AgeingLine(JsonResult):
    account: str
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    total: Decimal


def ageing(uow: UnitOfWork, *, actor: Actor) -> list[AgeingLine]:
    """What each account still owes, by the age of its open charges today (per the clock):
    0–30, 31–60, 61–90 and over 90 days."""
    with uow:
        sessions.authorize(uow, actor, Role.SUPERVISOR, "see receivables ageing")
        return ageing_lines(uow)


def ageing_lines(uow: UnitOfWork) -> list[AgeingLine]:
    """The ageing per account, read in the caller's transaction (the daily report's too)."""
    currency, today = uow.facility().currency, uow.clock()
    names = account_queries.debtors(uow)
    owed = account_queries.every_open_charge(uow)
    lines = []
    for account, charges in sorted(owed.items(), key=lambda pair: names[pair[0]]):
        sums = dict.fromkeys(BUCKETS, 0)
        for charge in charges:
            sums[bucket((today - charge.created_at).days)] += charge.open_minor
        days_0_30, days_31_60, days_61_90, over_90 = (currency.from_minor(sums[k]) for k in BUCKETS)
        lines.append(
            AgeingLine(
                names[account],
                days_0_30,
                days_31_60,
                days_61_90,
                over_90,
                currency.from_minor(sum(sums.values())),
            )
        )
    return lines


def settle(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    debtor: Debtor,
    amount: str | Decimal,
    method: str,
    key: str,
    reference: str | None = None,
    claim: str | None = None,
) -> SettlementResult:
    """Receive `amount` against the debtor's account, exactly once per key."""
    idempotency.check_key(key)
    method, reference = _method(method, reference)
    if claim is not None and debtor.payer is None:
        raise BadInput("Only a payer's settlement names a claim batch.", code="invalid_claim")
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "take settlements")
        facility = uow.facility()
        minor = facility.currency.to_minor(facility.currency.parse(amount, what="settlement"))
        name, payer_id, patient_id = _debtor(uow, debtor)
        return kernel.run(
            uow,
            _Settle(
                actor,
                workstation,
                facility,
                debtor,
                name,
                payer_id,
                patient_id,
                minor,
                method,
                reference,
                claim,
                key,
            ),
        )


def _debtor(uow: UnitOfWork, debtor: Debtor) -> tuple[str, int | None, int | None]:
    """(name, payer id, patient id) of the debtor; `unknown_payer` / `unknown_patient`."""
    if debtor.payer is not None:
        payer = payers_repo.by_code(uow, debtor.payer)
        if payer is None:
            raise NotFound(f"No payer has code {debtor.payer}.", code="unknown_payer")
        return payer.name, payer.id, None
    patient_id = patients_repo.id_of(uow, debtor.patient or "")
    if patient_id is None:
        raise NotFound(f"No patient has MRN {debtor.patient}.", code="unknown_patient")
    return (
        patients_repo.names_of(uow, [debtor.patient or ""])[debtor.patient or ""],
        None,
        patient_id,
    )


def _method(method: str, reference: str | None) -> tuple[str, str | None]:
    if method not in SETTLE_METHODS:
        raise BadInput(
            f"Unknown settlement method {method!r}: use {', '.join(SETTLE_METHODS)}.",
            code="invalid_method",
        )
    text = refuse_controls((reference or "").strip(), what="reference") or None
    if method != "cash" and text is None:
        raise BadInput(
            f"A {method.replace('_', ' ')} settlement needs its reference.",
            code="missing_reference",
        )
    if text is not None and len(text) > MAX_REFERENCE:
        raise BadInput(
            f"A reference has at most {MAX_REFERENCE} characters.", code="invalid_reference"
        )
    return method, text


@dataclass(frozen=True)
class _Locked:
    account: Account
    charges: list[account_queries.OpenCharge]
    first: frozenset[int]
    shift_id: int | None


@dataclass(frozen=True)
class _Settle:
    actor: Actor
    workstation: str
    facility: Facility
    debtor: Debtor
    debtor_name: str
    payer_id: int | None
    patient_id: int | None
    amount_minor: int
    method: str
    reference: str | None
    claim: str | None
    key: str
    name: str = "account.settle"

    def request(self) -> dict:
        return {
            "account": self.debtor.label,
            "amount": self.amount_minor,
            "method": self.method,
            "reference": self.reference,
            "claim": self.claim,
        }

    def replay(self, stored: dict) -> SettlementResult:
        return SettlementResult.from_json(stored, replayed=True)

    def lock(self, locks: Locks) -> _Locked:
        currency = self.facility.currency
        account = (
            locks.payer_account(self.payer_id)
            if self.payer_id is not None
            else locks.patient_account(self.patient_id or 0)
        )
        if self.amount_minor > account.balance_minor:
            raise Refused(
                f"{self.debtor_name} owes {currency.display(account.balance_minor)}; "
                f"{currency.display(self.amount_minor)} is more than that.",
                code="over_balance",
            )
        charges = account_queries.open_charges(locks.uow, account.id)
        first: frozenset[int] = frozenset()
        if self.claim is not None:
            receipts = account_queries.batch_receipts(locks.uow, self.payer_id or 0, self.claim)
            if receipts is None:
                raise NotFound(
                    f"{self.debtor_name} has no claim batch {self.claim}.", code="unknown_claim"
                )
            first = frozenset(c.entry_id for c in charges if c.receipt_no in receipts)
        locks.counter(self.workstation, with_receipt=True)
        shift_id = locks.open_shift_id(cashier_id=self.actor.user_id, workstation=self.workstation)
        require_shift_for_cash(
            shift_id,
            moves_cash=self.method == "cash",
            required=self.facility.require_shift,
            message=f"{self.actor.username} has no open shift at {self.workstation}: open "
            "one before taking cash.",
        )
        return _Locked(account, charges, first, shift_id)

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[SettlementResult]:
        currency, account = self.facility.currency, state.account
        balance_after = account.balance_minor - self.amount_minor
        paid = allocate(
            self.amount_minor, [(c.entry_id, c.open_minor) for c in state.charges], state.first
        )
        receipts = {c.entry_id: c.receipt_no for c in state.charges}
        result = SettlementResult(
            receipt_no=slot.receipt_no,
            account=self.debtor.label,
            name=self.debtor_name,
            amount=currency.from_minor(self.amount_minor),
            method=self.method,
            reference=self.reference,
            claim=self.claim,
            balance_after=currency.from_minor(balance_after),
            allocations=[Allocation(receipts[i], currency.from_minor(a)) for i, a in paid],
            idempotency_key=self.key,
            audit_hash="",
            at=slot.at.isoformat(),
            workstation=self.workstation,
            cashier=self.actor.username,
            currency=currency.code,
        )
        effects = (
            fx.ReceiptIssued(
                slot.receipt_no,
                slot.workstation,
                slot.receipt_seq,
                ReceiptKind.SETTLEMENT.value,
                self.patient_id,
                self.actor.user_id,
            ),
            fx.ReceivableEntry(
                account.id, "settlement", -self.amount_minor, balance_after, slot.receipt_no
            ),
            fx.SettlementAllocated(slot.receipt_no, account.id, paid),
            fx.SettlementRecorded(
                slot.receipt_no,
                account.id,
                self.method,
                self.amount_minor,
                self.reference,
                self.actor.user_id,
                self.workstation,
                self.key,
                state.shift_id,
            ),
        )
        return kernel.Decision(
            self.actor,
            "account.settle",
            slot.receipt_no,
            {**kernel.plain_details(result.to_json()), "shift_id": state.shift_id},
            effects,
            lambda digest: replace(result, audit_hash=digest),
        )
