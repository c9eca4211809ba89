"""Short ways to call the money services in tests."""

from __future__ import annotations

from pos_app.domain.actors import Actor
from pos_app.services.deposit import DepositResult, deposit
from pos_app.services.pay import PaymentResult, pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import Books, new_key


def tender(method: str, amount: str, extra: str | None = None) -> TenderRequest:
    """method, amount and (cash tendered for cash | reference otherwise)."""
    if method == "cash":
        return TenderRequest(method, amount, cash_tendered=extra)
    return TenderRequest(method, amount, reference=extra)


def pay_items(
    books: Books,
    mrn: str,
    items: list[int],
    *tenders: TenderRequest,
    key: str | None = None,
    actor: Actor | None = None,
    workstation: str = "WS01",
) -> PaymentResult:
    return pay(
        books.app.uow(),
        actor=actor or books.cashier,
        workstation=workstation,
        mrn=mrn,
        item_ids=items,
        tenders=list(tenders),
        key=key or new_key(),
    )


def top_up(
    books: Books,
    mrn: str,
    amount: str,
    method: str = "cash",
    reference: str | None = None,
    key: str | None = None,
) -> DepositResult:
    return deposit(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        amount=amount,
        method=method,
        reference=reference,
        key=key or new_key(),
    )
