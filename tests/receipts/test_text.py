import re

import pytest

from pos_app.receipts.model import qr_payload
from pos_app.receipts.text import render_text
from tests.receipts.samples import (
    HASH,
    LONG_ITEM,
    LONG_REASON,
    known_receipt,
    refund_receipt,
    shilling_receipt,
    withdrawal_receipt,
)

AMOUNT = re.compile(r" \d{1,3}(,\d{3})*\.\d{2}$")


@pytest.mark.parametrize("columns", [32, 48])
def test_no_line_is_wider_than_the_paper(columns):
    lines = render_text(known_receipt(), columns=columns)
    assert max(len(line) for line in lines) <= columns
    assert f"{'=' * columns}" in lines


@pytest.mark.parametrize("columns", [32, 48])
def test_amounts_end_in_the_last_column(columns):
    lines = render_text(known_receipt(), columns=columns)
    money_lines = [line for line in lines if AMOUNT.search(line)]
    assert len(money_lines) >= 8
    assert {len(line) for line in money_lines} == {columns}
    assert any(line.endswith(" 12,500.50") for line in money_lines)
    assert any(line.startswith("TOTAL KES") and line.endswith("13,700.50") for line in lines)


@pytest.mark.parametrize("columns", [32, 48])
def test_a_long_item_name_wraps_instead_of_pushing_the_amount_out(columns):
    lines = render_text(known_receipt(), columns=columns)
    joined = " ".join(lines)
    assert all(word in joined for word in LONG_ITEM.split())
    start = next(i for i, line in enumerate(lines) if line.startswith("Amoxicillin"))
    quantity_line = next(line for line in lines[start:] if line.startswith("  2 x 100.00"))
    assert quantity_line.endswith("200.00") and len(quantity_line) == columns


def test_a_currency_without_minor_units_prints_no_decimals():
    lines = render_text(shilling_receipt(), columns=32)
    assert any(line.startswith("  3 x 15,000") and line.endswith(" 45,000") for line in lines)
    assert any(line.startswith("TOTAL UGX") and line.endswith(" 45,000") for line in lines)
    assert not any(line.endswith(".00") for line in lines)


def test_the_receipt_shows_everyone_and_everything_the_patient_needs():
    text = "\n".join(render_text(known_receipt()))
    for expected in (
        "St. Mary's Mission Hospital",
        "PAYMENT RECEIPT",
        "WS01-000123",
        "Achieng Otieno",
        "Zoë Müller",
        "MRN-0042",
        "Ref QK7XH2LMP9",
        "Tendered",
        "Change",
        "Wallet balance after",
        "Mobile money",
    ):
        assert expected in text
    assert "COPY" not in text


def test_a_reprint_says_copy_and_its_number():
    lines = render_text(known_receipt(copy_number=3), columns=32)
    assert "*** COPY 3 ***" in [line.strip() for line in lines]


def test_the_verification_code_is_printed_in_full():
    receipt = known_receipt()
    lines = render_text(receipt, columns=32)
    assert qr_payload(receipt) == f"CARETILL:1:WS01-000123:{HASH}"
    assert qr_payload(receipt) in "".join(lines)


def test_a_deposit_receipt_has_its_own_title_and_no_wallet_tender_header():
    lines = render_text(known_receipt(kind="deposit"), columns=48)
    assert "WALLET DEPOSIT RECEIPT" in [line.strip() for line in lines]
    assert "Received by" in lines


def test_too_few_columns_are_refused():
    with pytest.raises(ValueError):
        render_text(known_receipt(), columns=20)


@pytest.mark.parametrize(
    "sample", [refund_receipt, withdrawal_receipt, lambda: known_receipt(reversed_by="WS01-000130")]
)
@pytest.mark.parametrize("columns", [32, 48])
def test_refund_withdrawal_and_reversed_lines_fit_the_paper(sample, columns):
    lines = render_text(sample(), columns=columns)
    assert max(len(line) for line in lines) <= columns
    money_lines = [line for line in lines if AMOUNT.search(line)]
    assert {len(line) for line in money_lines} == {columns}


@pytest.mark.parametrize("columns", [32, 48])
def test_a_refund_names_what_it_reverses_why_and_who(columns):
    lines = render_text(refund_receipt(), columns=columns)
    text = " ".join(line.strip() for line in lines)
    assert "REFUND" in [line.strip() for line in lines]
    assert "Reverses  WS01-000123" in lines and "Receipt   WS01-000130" in lines
    for name in ("Achieng Otieno", "Brian Kiprotich", "Mwangi-Odhiambo", "Wairimu"):
        assert name in text
    assert "".join(LONG_REASON.split()) in "".join(text.split())  # wrapped, never cut
    assert any(line.startswith("Requested ") for line in lines)
    assert any(line.startswith("Approved  ") for line in lines)
    assert "Paid back as" in lines
    assert any(line.startswith("REFUNDED KES") and line.endswith("13,700.50") for line in lines)
    assert "Tendered" not in text and "PAYMENT RECEIPT" not in text


def test_a_withdrawal_has_its_own_title_the_reason_and_the_approver():
    lines = render_text(withdrawal_receipt(), columns=32)
    assert "WALLET WITHDRAWAL" in [line.strip() for line in lines]
    assert "Paid out as" in lines and "Approved  Wairimu Njoroge-Kamau" in lines
    assert any(line.startswith("Reason    Patient discharged;") for line in lines)
    assert any(line.startswith("Wallet balance after") and line.endswith(" 0.00") for line in lines)
    assert not any(line.startswith(("Reverses", "Requested")) for line in lines)


def test_a_reversed_payment_says_so_under_its_title():
    lines = [line.strip() for line in render_text(known_receipt(reversed_by="WS01-000130"))]
    assert lines[lines.index("PAYMENT RECEIPT") + 1] == "REVERSED by WS01-000130"
    assert "REVERSED" not in " ".join(render_text(known_receipt()))
