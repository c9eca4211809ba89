"""Tenders: how each payment method's part is parsed and checked.

Every method runs the same cascade; only the checks here differ per method
(SPEC rule 3): wallet has the balance, cash tendered covers the amount, a card,
mobile-money or insurance reference is used once per method, compared by its
`reference_key` so that `QK71XR`, `qk71xr` and full-width or zero-width-spaced
spellings are one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.adapters import references
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ReferencesClaimed
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.kinds import NEEDS_REFERENCE, TenderMethod
from pos_app.domain.money import Currency
from pos_app.domain.text import reference_key, refuse_controls

MAX_REFERENCE = 64


@dataclass(frozen=True)
class TenderRequest:
    """One method's part as the cashier typed it; amounts are text or Decimal."""

    method: str
    amount: str | Decimal
    reference: str | None = None
    cash_tendered: str | Decimal | None = None


@dataclass(frozen=True)
class Tender:
    """A parsed, exact tender in minor units."""

    method: TenderMethod
    amount_minor: int
    reference: str | None = None
    cash_tendered_minor: int | None = None

    @property
    def change_minor(self) -> int:
        if self.cash_tendered_minor is None:
            return 0
        return self.cash_tendered_minor - self.amount_minor

    @property
    def reference_key(self) -> str | None:
        """The reference as compared for reuse; None when the method keeps no reference."""
        if self.method not in NEEDS_REFERENCE or self.reference is None:
            return None
        return reference_key(self.reference)

    def fingerprint(self) -> dict:
        return {
            "method": self.method.value,
            "amount": self.amount_minor,
            "reference": self.reference,
            "cash_tendered": self.cash_tendered_minor,
        }


def method_of(value: str, allowed: tuple[TenderMethod, ...] = tuple(TenderMethod)) -> TenderMethod:
    """The method named by `value`, or `invalid_method`."""
    try:
        method = TenderMethod(value)
    except ValueError:
        method = None
    if method not in allowed:
        names = ", ".join(m.value for m in allowed)
        raise BadInput(f"Unknown payment method {value!r}: use {names}.", code="invalid_method")
    return method


def parse_tender(
    currency: Currency,
    request: TenderRequest,
    allowed: tuple[TenderMethod, ...] = tuple(TenderMethod),
) -> Tender:
    """Parse one tender; refuses bad amounts and a missing reference before any lock."""
    method = method_of(request.method, allowed)
    amount = currency.to_minor(currency.parse(request.amount, what=f"{method.value} amount"))
    label = method.value.replace("_", " ")
    reference = (
        refuse_controls((request.reference or "").strip(), what=f"{label} reference") or None
    )
    if method in NEEDS_REFERENCE and not reference_key(reference or ""):
        raise BadInput(f"A {label} payment needs its reference.", code="missing_reference")
    if reference is not None and max(len(reference), len(reference_key(reference))) > MAX_REFERENCE:
        raise BadInput(
            f"A reference has at most {MAX_REFERENCE} characters.", code="invalid_reference"
        )
    tendered = None
    if method is TenderMethod.CASH:
        given = request.cash_tendered if request.cash_tendered not in (None, "") else None
        tendered = (
            amount
            if given is None
            else currency.to_minor(currency.parse(given, what="cash tendered"))
        )
        if tendered < amount:
            raise Refused(
                f"Cash tendered {currency.display(tendered)} is less than the cash amount "
                f"{currency.display(amount)}.",
                code="insufficient_cash_tendered",
            )
    elif request.cash_tendered not in (None, ""):
        raise BadInput("Only a cash tender takes an amount tendered.", code="invalid_tender")
    return Tender(method, amount, reference, tendered)


def parse_tenders(currency: Currency, requests: list[TenderRequest]) -> list[Tender]:
    """Parse a payment's tenders: at least one, one per method."""
    if not requests:
        raise BadInput("A payment needs at least one tender.", code="invalid_tender")
    tenders = [parse_tender(currency, request) for request in requests]
    methods = [tender.method for tender in tenders]
    if len(set(methods)) != len(methods):
        raise BadInput("Give one tender per payment method.", code="duplicate_tender")
    return tenders


def check_references_unused(uow: UnitOfWork, tenders: list[Tender]) -> None:
    """A card, mobile-money or insurance reference pays once per method, for a payment or a
    deposit alike; `duplicate_reference` names the receipt that used it."""
    claimed = [tender for tender in tenders if tender.reference_key is not None]
    used = references.used_by(uow, [(x.method.value, x.reference_key or "") for x in claimed])
    if used is not None:
        tender = next(x for x in claimed if x.method.value == used[0])
        label = tender.method.value.replace("_", " ").capitalize()
        raise Refused(
            f"{label} reference {tender.reference} was already used on receipt {used[1]}.",
            code="duplicate_reference",
        )


def references_claimed(tenders: list[Tender], receipt_no: str) -> tuple[ReferencesClaimed, ...]:
    """The effect claiming each tender's reference key, if any tender keeps one."""
    keys = tuple((x.method.value, x.reference_key) for x in tenders if x.reference_key is not None)
    return (ReferencesClaimed(receipt_no, keys),) if keys else ()
