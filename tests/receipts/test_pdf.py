import io

import zxingcpp
from PIL import Image, ImageOps
from pypdf import PdfReader

from pos_app.receipts.model import qr_payload
from pos_app.receipts.pdf import render_pdf
from tests.receipts.samples import (
    known_receipt,
    refund_receipt,
    shilling_receipt,
    withdrawal_receipt,
)


def _pdf(receipt, **options) -> PdfReader:
    buffer = io.BytesIO()
    render_pdf(receipt, buffer, **options)
    buffer.seek(0)
    return PdfReader(buffer)


def test_the_pdf_text_carries_the_receipt_and_non_ascii_names_in_their_own_letters():
    reader = _pdf(known_receipt(patient_name="Zoë Müller / Wanjirũ", copy_number=2))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "WS01-000123",
        "Zoë Müller / Wanjirũ",
        "MRN-0042",
        "COPY 2",
        "13,700.50",
        "QK7XH2LMP9",
        "Wallet balance after",
    ):
        assert expected in text


def test_a_ugandan_name_and_whole_shillings_print_as_given():
    text = _pdf(shilling_receipt()).pages[0].extract_text()
    assert "Nakato Ssewanyana" in text
    assert "45,000" in text and "45,000.00" not in text


def test_the_font_is_embedded_so_any_viewer_shows_the_names():
    page = _pdf(known_receipt()).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts and all(font["/Subtype"] == "/TrueType" for font in fonts)
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)
    assert all("DejaVuSansMono" in font["/BaseFont"] for font in fonts)


def test_the_qr_code_on_the_page_scans_back_to_the_receipt_and_its_hash():
    receipt = known_receipt()
    images = list(_pdf(receipt).pages[0].images)
    assert len(images) == 1
    code = images[0].image.convert("L")
    # A scanner needs the quiet zone around the code; give the decoder room and pixels.
    framed = ImageOps.expand(code, border=code.width // 8, fill=255)
    framed = framed.resize((framed.width * 3, framed.height * 3), Image.Resampling.NEAREST)
    assert [found.text for found in zxingcpp.read_barcodes(framed)] == [qr_payload(receipt)]


def test_a_58_mm_slip_is_narrower_than_an_80_mm_one():
    narrow = _pdf(known_receipt(), columns=32).pages[0].mediabox.width
    wide = _pdf(known_receipt(), columns=48).pages[0].mediabox.width
    assert narrow < wide


def test_the_pdf_can_be_written_to_a_path(tmp_path):
    target = tmp_path / "receipt.pdf"
    render_pdf(known_receipt(), target)
    assert target.read_bytes().startswith(b"%PDF")


def test_refund_and_withdrawal_pdfs_carry_their_title_reason_and_approver():
    refund = _pdf(refund_receipt(), columns=32).pages[0].extract_text()
    for expected in (
        "REFUND",
        "Reverses",
        "WS01-000123",
        "Wairimu",
        "Brian Kiprotich",
        "REFUNDED KES",
    ):
        assert expected in refund
    withdrawal = _pdf(withdrawal_receipt()).pages[0].extract_text()
    assert "WALLET WITHDRAWAL" in withdrawal and "Patient discharged" in withdrawal
    reversed_payment = _pdf(known_receipt(reversed_by="WS01-000130")).pages[0].extract_text()
    assert "REVERSED by WS01-000130" in reversed_payment
