import re

import pytest

from pos_app.receipts.model import qr_payload
from pos_app.receipts.text import render_text
from tests.receipts.samples import HASH, LONG_ITEM, known_receipt, shilling_receipt

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
    for expected in ("St. Mary's Mission Hospital", "PAYMENT RECEIPT", "WS01-000123",
                     "Achieng Otieno", "Zoë Müller", "MRN-0042", "Ref QK7XH2LMP9",
                     "Tendered", "Change", "Wallet balance after", "Mobile money"):
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
