"""The shift slip on the receipt template: text, PDF and ESC/POS, variances in words."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from pos_app.domain.money import Currency
from pos_app.receipts.shift_slip import (
    ShiftSlip,
    SlipTender,
    render_slip,
    slip_escpos_bytes,
    slip_pdf,
)

KES = Currency("KES", 2)


def _slip(**changes) -> ShiftSlip:
    values = dict(
        facility_name="Test Hospital",
        currency=KES,
        shift_id=7,
        workstation="WS01",
        cashier="Amina Otieno",
        opened_at=datetime(2026, 3, 2, 5, 0, tzinfo=UTC),
        opening_float=Decimal("5000.00"),
        tenders=(
            SlipTender("cash", Decimal("12500.00"), 9, Decimal("12350.00"), Decimal("-150.00")),
            SlipTender("card", Decimal("2500.00"), 1, Decimal("2500.00"), Decimal("0.00")),
            SlipTender("mobile_money", Decimal("800.00"), 2),
        ),
        closed_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        cash_counts=((Decimal("1000.00"), 12), (Decimal("50.00"), 7)),
        variance_reason="Counting error",
        approved_by="supervisor",
    )
    values.update(changes)
    return ShiftSlip(**values)


def test_the_slip_says_the_variance_in_words_with_separators_never_raw_codes():
    text = "\n".join(render_slip(_slip()))
    for expected in (
        "SHIFT CLOSE SLIP",
        "Amina Otieno",
        "12,500.00",
        "12,350.00",
        "Cash short by KES 150.00",
        "Card balanced",
        "Mobile money (2)",
        "Not confirmed",
        "1,000.00 x 12",
        "Counting error",
        "Approved  supervisor",
        "Supervisor ____",
    ):
        assert expected in text
    assert "excess_cash" not in text and "mobile_money" not in text


def test_an_x_report_shows_expected_only_and_says_the_shift_is_open():
    text = "\n".join(
        render_slip(_slip(closed_at=None, variance_reason=None, approved_by=None, cash_counts=()))
    )
    assert "X REPORT - SHIFT STILL OPEN" in text and "12,500.00" in text
    assert "Counted" not in text and "short" not in text and "Supervisor __" not in text


@pytest.mark.parametrize("columns", [32, 48])
def test_every_slip_line_fits_the_paper(columns):
    assert all(len(line) <= columns for line in render_slip(_slip(), columns=columns))


def test_the_pdf_slip_carries_the_same_lines():
    buffer = io.BytesIO()
    slip_pdf(_slip(), buffer)
    buffer.seek(0)
    reader = PdfReader(buffer)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Cash short by KES 150.00" in text and "SHIFT CLOSE SLIP" in text


def test_the_escpos_slip_is_the_template_then_a_cut_and_no_drawer_kick():
    data = slip_escpos_bytes(_slip(), columns=32)
    assert data.startswith(b"\x1b@")
    assert b"Cash short by KES 150.00" in data
    assert b"\x1dV" in data  # cut
    assert b"\x1bp" not in data  # the drawer stays shut
