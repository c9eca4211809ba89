"""Patient credit (pay later, SPEC rule 13): a limit set through the approval workflow, and
the `credit` tender's check against it.

Asking for a limit is an approval request of kind `credit_limit` (subject: the MRN, amount:
the new limit); a supervisor other than the asker approves it, and the limit is written on
the patient's receivable account in the same transaction. A `credit:AMOUNT` tender then puts
that much on the account, as long as the balance stays within the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.adapters import account_queries, patients_repo, receivables
from pos_app.adapters.receivables import Account
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import effects as fx
from pos_app.domain.actors import Actor
from pos_app.domain.approvals import Kind
from pos_app.domain.errors import NotFound, Refused
from pos_app.domain.money import Currency
from pos_app.services import approvals
from pos_app.services.approvals import ApprovalRequest
from pos_app.services.results import JsonResult


@dataclass(frozen=True)
class CreditLimitResult(JsonResult):
    mrn: str
    credit_limit: Decimal
    previous_limit: Decimal
    balance: Decimal


def request_limit(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    amount: str | Decimal,
    reason: str,
    key: str,
) -> ApprovalRequest:
    """Ask for the patient's credit limit to become `amount`; it waits for a supervisor."""
    with uow:
        if patients_repo.id_of(uow, mrn) is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
    return approvals.request(
        uow,
        actor=actor,
        workstation=workstation,
        kind=Kind.CREDIT_LIMIT.value,
        subject=mrn,
        amount=amount,
        reason=reason,
        payload={"mrn": mrn},
        key=key,
    )


def execute(uow: UnitOfWork, request: ApprovalRequest, approver: Actor) -> CreditLimitResult:
    """The approved limit written on the patient's account (inside the approval's
    transaction; the approval's decision event records it)."""
    currency = uow.facility().currency
    mrn = request.payload["mrn"]
    patient_id = patients_repo.id_of(uow, mrn)
    if patient_id is None:
        raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
    account = receivables.lock_patient_account(uow, patient_id, at=uow.clock())
    limit = currency.to_minor(request.amount)
    account_queries.set_credit_limit(uow, account.id, limit)
    return CreditLimitResult(
        mrn,
        currency.from_minor(limit),
        currency.from_minor(account.credit_limit_minor),
        currency.from_minor(account.balance_minor),
    )


def require_within_limit(currency: Currency, account: Account, amount_minor: int) -> None:
    """A credit tender keeps the patient's balance within the limit a supervisor set."""
    if account.balance_minor + amount_minor > account.credit_limit_minor:
        room = max(account.credit_limit_minor - account.balance_minor, 0)
        raise Refused(
            f"Credit of {currency.display(amount_minor)} is beyond the patient's limit: "
            f"{currency.display(room)} of {currency.display(account.credit_limit_minor)} "
            "is left.",
            code="credit_limit_exceeded",
        )


@dataclass(frozen=True)
class Owed:
    """What a payment (or its reversal) moves on the patient's locked account."""

    account: Account
    amount_minor: int


def entries(
    owed: Owed | None, receipt_no: str, *, kind: str = "credit"
) -> tuple[fx.ReceivableEntry, ...]:
    """The entry a credit tender (+) or the reversal of one (-, kind `reversal`) posts."""
    if owed is None or owed.amount_minor == 0:
        return ()
    return (
        fx.ReceivableEntry(
            owed.account.id,
            kind,
            owed.amount_minor,
            owed.account.balance_minor + owed.amount_minor,
            receipt_no,
        ),
    )
