import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from pos_app.domain.errors import BadInput, Unavailable
from pos_app.receipts.escpos import escpos_bytes, send_to_printer
from pos_app.receipts.printer_config import PrinterConfig, printer_config
from tests.receipts.samples import known_receipt

PAPER_STATUS_QUERY = b"\x10\x04\x04"
PAPER_OK, PAPER_OUT = 0x12, 0x72
DRAWER_KICK = b"\x1bp\x00"


def test_no_printer_configured_means_kind_none_and_80_mm():
    config = printer_config({}, "WS01")
    assert config == PrinterConfig() and config.columns == 48


def test_a_workstation_entry_wins_over_the_file_wide_printer():
    local = {
        "printer": {"kind": "file", "address": "/dev/usb/lp0"},
        "printers": {
            "WS02": {
                "kind": "network",
                "address": "10.0.0.9",
                "width": 58,
                "open_drawer_on_cash": True,
            }
        },
    }
    assert printer_config(local, "WS01").kind == "file"
    ws02 = printer_config(local, "WS02")
    assert (ws02.kind, ws02.columns, ws02.open_drawer_on_cash) == ("network", 32, True)


@pytest.mark.parametrize(
    "raw",
    [
        {"kind": "bluetooth", "address": "x"},
        {"kind": "network"},
        {"kind": "file", "address": "f", "width": 76},
        {"kind": "file", "address": "f", "width": "80"},
        {"kind": "file", "address": "f", "qr": "x"},
        "network",
    ],
)
def test_a_broken_printer_setting_is_refused_with_a_clear_code(raw):
    with pytest.raises(BadInput) as error:
        printer_config({"printer": raw}, "WS01")
    assert error.value.code == "invalid_printer_config"


def test_a_file_printer_receives_exactly_the_escpos_bytes(tmp_path):
    device = tmp_path / "lp0"
    config = PrinterConfig(kind="file", address=str(device), width=58)
    send_to_printer(known_receipt(), config)
    assert device.read_bytes() == escpos_bytes(known_receipt(), columns=32)


def test_the_drawer_opens_for_the_original_cash_receipt_but_not_for_a_copy(tmp_path):
    device = tmp_path / "lp0"
    config = PrinterConfig(kind="file", address=str(device), open_drawer_on_cash=True)
    send_to_printer(known_receipt(), config)
    assert device.read_bytes().endswith(DRAWER_KICK + b"22")
    send_to_printer(known_receipt(copy_number=1), config)
    assert DRAWER_KICK not in device.read_bytes()


def test_no_printer_set_up_is_reported_as_printer_unavailable():
    with pytest.raises(Unavailable) as error:
        send_to_printer(known_receipt(), PrinterConfig())
    assert error.value.code == "printer_unavailable"


def test_a_printer_that_is_off_gives_a_clear_message():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = PrinterConfig(kind="network", address=f"127.0.0.1:{port}", timeout_s=2)
    with pytest.raises(Unavailable) as error:
        send_to_printer(known_receipt(), config)
    assert error.value.code == "printer_unavailable"
    assert "not answering" in error.value.message and "reprint" in error.value.message


def test_a_network_printer_out_of_paper_is_told_apart_and_gets_no_receipt():
    with fake_printer(PAPER_OUT) as (address, received), pytest.raises(Unavailable) as error:
        send_to_printer(known_receipt(), PrinterConfig(kind="network", address=address))
    assert error.value.code == "printer_unavailable"
    assert "out of paper" in error.value.message
    assert received == [PAPER_STATUS_QUERY]


def test_a_network_printer_with_paper_prints_the_receipt():
    with fake_printer(PAPER_OK) as (address, received):
        send_to_printer(known_receipt(), PrinterConfig(kind="network", address=address))
    assert b"".join(received) == PAPER_STATUS_QUERY + escpos_bytes(known_receipt())


@contextmanager
def fake_printer(paper_status: int) -> Iterator[tuple[str, list[bytes]]]:
    """A one-connection TCP printer answering the paper-status query with `paper_status`."""
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(65536):
                received.append(chunk)
                if chunk == PAPER_STATUS_QUERY:
                    connection.sendall(bytes([paper_status]))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", received
    finally:
        thread.join(timeout=5)
        server.close()
