"""The fixed vocabularies of the domain, shared by schema, services and screens."""

from __future__ import annotations

import enum


class ServiceKind(enum.StrEnum):
    CONSULTATION = "consultation"
    LAB_TEST = "lab_test"
    PHARMACY = "pharmacy"
    PROCEDURE = "procedure"
    OTHER = "other"


class TenderMethod(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    MOBILE_MONEY = "mobile_money"
    WALLET = "wallet"
    INSURANCE = "insurance"
    CREDIT = "credit"  # pay later: a receivable on the patient's own account (SPEC rule 13)


DEPOSIT_METHODS = (TenderMethod.CASH, TenderMethod.CARD, TenderMethod.MOBILE_MONEY)
# How money against a receivable account arrives; all but cash name their slip or transfer.
SETTLE_METHODS = ("cash", "card", "mobile_money", "bank_transfer")
# The order the Pay dialog offers the methods in: the wallet first, as it is already paid in.
PAY_METHODS = (
    TenderMethod.WALLET,
    TenderMethod.CASH,
    TenderMethod.CARD,
    TenderMethod.MOBILE_MONEY,
    TenderMethod.INSURANCE,
)
# The methods whose tender carries a reference used once (a slip, a transaction code).
NEEDS_REFERENCE = frozenset({TenderMethod.CARD, TenderMethod.MOBILE_MONEY, TenderMethod.INSURANCE})


class ItemStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    VOID = "void"


class BillStatus(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


class PaymentStatus(enum.StrEnum):
    COMPLETED = "completed"
    REVERSED = "reversed"  # wholly: a partial refund leaves the payment completed


class ShiftStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class WalletEntryKind(enum.StrEnum):
    DEPOSIT = "deposit"
    PAYMENT = "payment"
    REFUND = "refund"
    REVERSAL = "reversal"
    WITHDRAWAL = "withdrawal"


class LabStatus(enum.StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ReceiptKind(enum.StrEnum):
    PAYMENT = "payment"
    DEPOSIT = "deposit"
    REFUND = "refund"
    WITHDRAWAL = "withdrawal"
    SETTLEMENT = "settlement"  # money received against a receivable account


def values(enum_type: type[enum.StrEnum]) -> list[str]:
    """The stored values of an enum, for CHECK constraints and argument choices."""
    return [member.value for member in enum_type]
