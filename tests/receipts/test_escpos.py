from decimal import Decimal

import pytest

from pos_app.domain.errors import BadInput
from pos_app.receipts.escpos import escpos_bytes, for_code_page
from pos_app.receipts.model import ReceiptTender, qr_payload
from pos_app.receipts.text import render_text
from tests.receipts.samples import known_receipt, refund_receipt

INIT = b"\x1b@"
CODE_PAGE_437 = b"\x1bt\x00"
NATIVE_QR = b"\x1d(k"
RASTER_IMAGE = b"\x1dv0"
FULL_CUT = b"\x1dV\x00"
DRAWER_KICK = b"\x1bp\x00"


def _lines(data: bytes) -> list[bytes]:
    body = data[len(INIT + CODE_PAGE_437) : data.index(b"\x1ba\x01")]
    return body.split(b"\n")[:-1]


def test_the_bytes_start_with_init_and_code_page_then_the_text():
    data = escpos_bytes(known_receipt())
    assert data.startswith(INIT + CODE_PAGE_437)
    assert b"WS01-000123" in data and b"TOTAL KES" in data


def test_the_qr_code_carries_the_payload_the_cut_and_drawer_kick_follow():
    receipt = known_receipt()
    data = escpos_bytes(receipt, open_drawer=True)
    qr_at = data.index(NATIVE_QR)
    assert qr_payload(receipt).encode() in data[qr_at:]
    assert data.index(FULL_CUT) > qr_at
    assert data.endswith(DRAWER_KICK + b"22")


def test_no_drawer_kick_and_no_cut_unless_asked():
    data = escpos_bytes(known_receipt(), cut=False, open_drawer=False)
    assert DRAWER_KICK not in data
    assert FULL_CUT not in data


def test_a_printer_without_native_qr_gets_a_raster_image():
    data = escpos_bytes(known_receipt(), native_qr=False)
    assert RASTER_IMAGE in data and NATIVE_QR not in data


@pytest.mark.parametrize("columns", [32, 48])
def test_every_printed_line_fits_the_paper(columns):
    lines = _lines(escpos_bytes(known_receipt(), columns=columns))
    assert max(len(line) for line in lines) == columns
    assert any(line.startswith(b"TOTAL KES") and len(line) == columns for line in lines)


def test_names_keep_letters_the_code_page_has_and_fold_the_rest():
    data = escpos_bytes(known_receipt(patient_name="Zoë Müller Wanjirũ"))
    assert b"Zo\x89 M\x81ller Wanjiru" in data
    assert "Wanjirũ ß Łódź" and for_code_page("Wanjirũ ß Łódź", "ascii") == "Wanjiru ss Lodz"


def test_a_decomposed_name_is_printed_like_a_precomposed_one():
    assert for_code_page("Zoe\u0308", "CP437") == "Zoë"


def test_an_unknown_code_page_is_a_configuration_error():
    with pytest.raises(BadInput) as error:
        escpos_bytes(known_receipt(), code_page="CP9999")
    assert error.value.code == "invalid_printer_config"


@pytest.mark.parametrize("columns", [32, 48])
def test_a_refund_prints_the_same_template_lines_within_the_paper(columns):
    receipt = refund_receipt(patient_name="Wanjirũ Kamau")
    lines = _lines(escpos_bytes(receipt, columns=columns))
    assert max(len(line) for line in lines) <= columns
    assert b"REFUND" in [line.strip() for line in lines]
    assert b"Reverses  WS01-000123" in lines and b"Wanjiru Kamau" in b"\n".join(lines)
    assert len(lines) == len(render_text(receipt, columns=columns))


HOSTILE = "Zoë\x1bp\x00\x19\xfa\x07 Müller"  # ESC p 0 25 250: "kick the drawer", then BEL


def test_control_characters_in_a_name_never_reach_the_printer():
    receipt = known_receipt(
        patient_name=HOSTILE,
        reason="refund\x1bp\x01\x05\x05",
        tenders=(ReceiptTender("card", Decimal("13700.50"), "AU\x1bp\x00TH"),),
    )
    data = escpos_bytes(receipt, open_drawer=False)
    assert DRAWER_KICK[:2] not in data and b"\x07" not in data
    # Byte for byte what python-escpos's Dummy printer gets for the same receipt typed clean.
    clean = known_receipt(
        patient_name="Zoëpú Müller",
        reason="refundp",
        tenders=(ReceiptTender("card", Decimal("13700.50"), "AUpTH"),),
    )
    assert data == escpos_bytes(clean, open_drawer=False)
    assert b"Zo\x89p\xa3 M\x81ller" in data


def test_the_code_page_filter_drops_control_characters():
    assert for_code_page("a\x1bp\x00\x19b\x07\x9b", "CP437") == "apb"
