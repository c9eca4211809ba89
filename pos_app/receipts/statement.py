"""A wallet statement on paper: the same columns and font as receipts, newest entry first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pos_app.domain.money import Currency
from pos_app.domain.text import strip_controls
from pos_app.receipts import text as template


class Entry(Protocol):
    kind: str
    amount: Decimal
    balance_after: Decimal
    receipt_no: str | None
    at: str


class Statement(Protocol):
    """What the statement service returns (renderers do not import services)."""

    mrn: str
    name: str
    balance: Decimal

    @property
    def entries(self) -> Sequence[Entry]: ...


KINDS = {
    "deposit": "Top-up",
    "payment": "Payment",
    "refund": "Refund",
    "reversal": "Reversal",
    "withdrawal": "Cash out",
}


def render_statement(
    statement: Statement,
    *,
    currency: Currency,
    facility_name: str,
    printed_at: datetime,
    columns: int = 48,
) -> list[str]:
    """Lines of at most `columns` characters: header, balance, then one row per ledger entry."""
    amount = lambda value: format(Decimal(value).quantize(currency.quantum), ",f")  # noqa: E731
    lines = template._centered(facility_name or "CareTill", columns)
    lines += template._centered("WALLET STATEMENT", columns)
    lines += template._rule("=", columns)
    lines += template._field("Patient", statement.name, columns)
    lines += template._field("MRN", statement.mrn, columns)
    lines += template._field("Printed", printed_at.astimezone().strftime("%Y-%m-%d %H:%M"), columns)
    lines += template._amount_row(f"Balance {currency.code}", amount(statement.balance), columns)
    lines += template._rule("-", columns)
    for entry in statement.entries:
        when = datetime.fromisoformat(entry.at).astimezone().strftime("%Y-%m-%d %H:%M")
        lines.append(f"{when}  {KINDS.get(entry.kind, entry.kind)}")
        lines += template._amount_row(f"  {entry.receipt_no or ''}", amount(entry.amount), columns)
        lines += template._amount_row("  balance after", amount(entry.balance_after), columns)
    lines += template._rule("=", columns)
    return [strip_controls(line).rstrip()[:columns] for line in lines]
