"""A plain-text receipt built from a payment or deposit result, until the receipt engine lands."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pos_app.domain.money import Currency
from pos_app.gui.formatting import method_name, money, when
from pos_app.services.deposit import DepositResult
from pos_app.services.patients import UnpaidItem
from pos_app.services.pay import PaymentResult

WIDTH = 42


def _line(left: str, right: str = "") -> str:
    space = max(WIDTH - len(left) - len(right), 1)
    return f"{left}{' ' * space}{right}"


def _header(facility: str, title: str, receipt_no: str, at: str, cashier: str,
            patient: str, mrn: str, copy: bool) -> list[str]:
    lines = [facility.center(WIDTH), title.center(WIDTH)]
    if copy:
        lines.append("*** COPY ***".center(WIDTH))
    return lines + ["-" * WIDTH, _line("Receipt", receipt_no), _line("Date", when(at)),
                    _line("Cashier", cashier), _line("Patient", patient), _line("MRN", mrn),
                    "-" * WIDTH]


def payment_text(result: PaymentResult, *, facility: str, currency: Currency,
                 items: Sequence[UnpaidItem], copy: bool = False) -> str:
    """Facility, receipt no, date, cashier, patient, items, tenders, change, balance after."""
    lines = _header(facility, "PAYMENT RECEIPT", result.receipt_no, result.at, result.cashier,
                    result.patient_name, result.mrn, copy)
    paid = [item for item in items if item.id in set(result.items)]
    for item in paid:
        lines.append(_line(f"{item.service_name[:24]} x{item.quantity}",
                           money(currency, item.amount)))
    lines += ["-" * WIDTH, _line("TOTAL", f"{currency.code} {money(currency, result.amount)}")]
    for tender in result.tenders:
        label = method_name(tender.method) + (f" ({tender.reference})" if tender.reference else "")
        lines.append(_line(label[:28], money(currency, tender.amount)))
        if tender.cash_tendered is not None:
            lines.append(_line("  Cash tendered", money(currency, tender.cash_tendered)))
    if result.change > Decimal(0):
        lines.append(_line("Change", money(currency, result.change)))
    lines += ["-" * WIDTH, _line("Wallet balance", money(currency, result.wallet_balance_after)),
              "", "Thank you".center(WIDTH)]
    return "\n".join(lines)


def deposit_text(result: DepositResult, *, facility: str, currency: Currency,
                 copy: bool = False) -> str:
    """The top-up's own receipt: amount, method and reference, wallet balance after."""
    lines = _header(facility, "WALLET TOP-UP", result.receipt_no, result.at, result.cashier,
                    result.patient_name, result.mrn, copy)
    label = method_name(result.method) + (f" ({result.reference})" if result.reference else "")
    lines += [_line("Top-up", f"{currency.code} {money(currency, result.amount)}"),
              _line(label[:28], money(currency, result.amount)), "-" * WIDTH,
              _line("Wallet balance", money(currency, result.wallet_balance_after)),
              "", "Thank you".center(WIDTH)]
    return "\n".join(lines)
