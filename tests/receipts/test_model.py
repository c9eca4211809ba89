import pytest

from pos_app.receipts.model import parse_qr_payload, qr_payload
from tests.receipts.samples import HASH, known_receipt


def test_a_qr_payload_reads_back_as_receipt_number_and_hash():
    assert parse_qr_payload(qr_payload(known_receipt())) == ("WS01-000123", HASH)


def test_a_typed_payload_may_differ_in_case_and_surrounding_spaces():
    typed = f"  caretill:1:ws01-000123:{HASH.upper()} "
    assert parse_qr_payload(typed) == ("WS01-000123", HASH)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "hello",
        f"OTHER:1:WS01-000123:{HASH}",
        f"CARETILL:2:WS01-000123:{HASH}",
        "CARETILL:1:WS01-000123:abc",
        f"CARETILL:1::{HASH}",
        f"CARETILL:1:WS01-000123:{'z' * 64}",
    ],
)
def test_anything_else_is_not_a_receipt_code(payload):
    assert parse_qr_payload(payload) is None
