"""The shift slip: a closed shift (or an X report of an open one) on the receipt template.

It is laid out with the receipt template's own pieces (header rule, labelled fields,
amounts flush right, the same widths for 58 and 80 mm paper), so it prints on the
screen, to PDF and on the thermal printer exactly like a receipt, without a QR code:
the shift's audit event is its proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from pos_app.domain.cash_count import variance_words
from pos_app.domain.money import Currency
from pos_app.receipts import text as template
from pos_app.receipts.escpos import Layout, write_lines
from pos_app.receipts.pdf import write_pdf


@dataclass(frozen=True)
class SlipTender:
    """One tender of the shift: what the books expect and, once counted, what was counted."""

    method: str
    expected: Decimal
    documents: int
    counted: Decimal | None = None
    variance: Decimal | None = None


@dataclass(frozen=True)
class ShiftSlip:
    """Everything printed on a shift slip; `closed_at` None means an X report (still open)."""

    facility_name: str
    currency: Currency
    shift_id: int
    workstation: str
    cashier: str
    opened_at: datetime
    opening_float: Decimal
    tenders: tuple[SlipTender, ...]
    closed_at: datetime | None = None
    printed_at: datetime | None = None
    cash_counts: tuple[tuple[Decimal, int], ...] = ()
    variance_reason: str | None = None
    approved_by: str | None = None

    @property
    def is_x_report(self) -> bool:
        return self.closed_at is None


def render_slip(slip: ShiftSlip, *, columns: int = 48) -> list[str]:
    """The slip as lines of at most `columns` characters, like `render_text` for receipts."""
    money = slip.currency
    lines = template._centered(slip.facility_name or "CareTill", columns)
    lines += template._centered(
        "X REPORT - SHIFT STILL OPEN" if slip.is_x_report else "SHIFT CLOSE SLIP", columns
    )
    lines += template._rule("=", columns)
    stamp = lambda at: at.astimezone().strftime("%Y-%m-%d %H:%M")  # noqa: E731
    for label, value in (
        ("Shift", str(slip.shift_id)),
        ("Station", slip.workstation),
        ("Cashier", slip.cashier),
        ("Opened", stamp(slip.opened_at)),
        ("Closed", slip.closed_at and stamp(slip.closed_at)),
        ("Printed", slip.printed_at and stamp(slip.printed_at)),
    ):
        if value:
            lines += template._field(label, value, columns)
    lines += template._amount_row(
        f"Opening float {money.code}", _amount(money, slip.opening_float), columns
    )
    lines += template._rule("-", columns)
    for tender in slip.tenders:
        lines += _tender(slip, tender, columns)
    if slip.cash_counts:
        lines += template._rule("-", columns) + ["Notes and coins"]
        for value, count in sorted(slip.cash_counts, reverse=True):
            lines += template._amount_row(
                f"  {_amount(money, value)} x {count}", _amount(money, value * count), columns
            )
    lines += template._rule("=", columns)
    cash = next((t for t in slip.tenders if t.method == "cash"), None)
    if not slip.is_x_report and cash is not None:
        lines += template._centered(variance_words(money, cash.variance), columns)
    if slip.variance_reason:
        lines += template._field("Reason", slip.variance_reason, columns)
    if slip.approved_by:
        lines += template._field("Approved", slip.approved_by, columns)
    if not slip.is_x_report:
        lines += ["", "Cashier    ____________________", "", "Supervisor ____________________"]
    return [line.rstrip()[:columns] for line in lines]


def _tender(slip: ShiftSlip, tender: SlipTender, columns: int) -> list[str]:
    money = slip.currency
    name = template.METHODS.get(tender.method, tender.method)
    lines = [f"{name} ({tender.documents})" if tender.documents else name]
    lines += template._amount_row("  Expected", _amount(money, tender.expected), columns)
    if slip.is_x_report:
        return lines
    if tender.counted is None:
        return lines + ["  Not confirmed"]
    lines += template._amount_row("  Counted", _amount(money, tender.counted), columns)
    return lines + [f"  {variance_words(money, tender.variance, method=tender.method)}"]


def _amount(currency: Currency, amount: Decimal) -> str:
    return format(amount.quantize(currency.quantum), ",f")


def slip_title(slip: ShiftSlip) -> str:
    return f"{'X report' if slip.is_x_report else 'Shift slip'} {slip.shift_id}"


def slip_pdf(slip: ShiftSlip, path_or_file: str | Path | BinaryIO, *, columns: int = 48) -> None:
    """The slip as a one-page PDF, in the receipts' font and width."""
    write_pdf(
        render_slip(slip, columns=columns),
        path_or_file,
        columns=columns,
        title=slip_title(slip),
        author=slip.facility_name,
    )


def slip_escpos_bytes(slip: ShiftSlip, *, columns: int = 48, code_page: str = "CP437") -> bytes:
    """The exact bytes a thermal printer gets for the slip (cut, no drawer kick)."""
    from escpos.printer import Dummy  # loaded when printing, not at start-up

    dummy = Dummy()
    write_lines(
        dummy, render_slip(slip, columns=columns), Layout(columns=columns, code_page=code_page)
    )
    return dummy.output
