"""What the Pay dialog shows as the cashier types: remaining, change, and whether Pay may go.

Only presentation arithmetic on what is typed; the service checks every rule again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import NEEDS_REFERENCE, PAY_METHODS, TenderMethod
from pos_app.domain.money import Currency
from pos_app.gui.formatting import method_name, money, money_with_code
from pos_app.services.tenders import TenderRequest

# Credit last: pay later on the patient's account, within the limit the service checks.
METHODS = tuple(method.value for method in (*PAY_METHODS, TenderMethod.CREDIT))


@dataclass(frozen=True)
class TenderRow:
    """One row as typed: amount, reference, and for cash the amount tendered."""

    method: str
    amount: str = ""
    reference: str = ""
    tendered: str = ""


@dataclass
class FormState:
    """The live figures and the reason Pay is still disabled (empty when ready)."""

    entered: Decimal
    remaining: Decimal
    change: Decimal | None
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """The one rule for Pay: nothing in `problems` (an unpaid rest is one of them)."""
        return not self.problems


def amount(currency: Currency, text: str, what: str) -> Decimal:
    """A typed amount through the one money parser; an empty field is zero."""
    return currency.parse(text, what=what, allow_zero=True) if text.strip() else Decimal(0)


def evaluate(
    currency: Currency,
    total: Decimal,
    wallet_balance: Decimal,
    rows: list[TenderRow],
    *,
    owed: str = "total",
) -> FormState:
    """Sum the typed tenders against the total; list what stops Pay. `owed` names the total
    (with a payer it is the patient's share, and tenders for more are refused by name)."""
    problems: list[str] = []
    amounts: dict[str, Decimal] = {}
    for row in rows:
        try:
            amounts[row.method] = amount(currency, row.amount, f"{row.method} amount")
        except BadInput as error:
            problems.append(error.message)
            amounts[row.method] = Decimal(0)
    entered = sum(amounts.values(), Decimal(0))
    wallet = amounts.get("wallet", Decimal(0))
    if wallet > (most := min(wallet_balance, total)):
        problems.append(f"The wallet can pay at most {money(currency, most)}.")
    problems.extend(
        f"{method_name(row.method)} needs its reference."
        for row in rows
        if amounts[row.method] > 0 and row.method in NEEDS_REFERENCE and not row.reference.strip()
    )
    change = _change(currency, rows, amounts, problems)
    remaining = total - entered
    if remaining < 0:
        problems.append(f"The tenders are more than the {owed}.")
    elif remaining > 0:
        problems.append(f"{money_with_code(currency, remaining)} still to pay.")
    return FormState(entered, remaining, change, problems)


def _change(
    currency: Currency, rows: list[TenderRow], amounts: dict[str, Decimal], problems: list[str]
) -> Decimal | None:
    cash = next((row for row in rows if row.method == "cash"), None)
    if cash is None or not cash.tendered.strip():
        return None
    try:
        tendered = amount(currency, cash.tendered, "cash tendered")
    except BadInput as error:
        problems.append(error.message)
        return None
    if tendered < amounts.get("cash", Decimal(0)):
        problems.append("Cash tendered is less than the cash amount.")
        return None
    return tendered - amounts.get("cash", Decimal(0))


def requests(currency: Currency, rows: list[TenderRow]) -> list[TenderRequest]:
    """The tenders to send: rows with an amount, as the service takes them."""
    return [
        TenderRequest(
            row.method,
            row.amount.strip(),
            row.reference.strip() or None,
            (row.tendered.strip() or None) if row.method == "cash" else None,
        )
        for row in rows
        if amount(currency, row.amount, f"{row.method} amount") != 0
    ]
