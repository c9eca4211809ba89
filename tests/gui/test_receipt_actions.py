"""Receipt actions: the original once, then counted copies with a reason; PDF; printer errors."""

from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from pos_app.gui.messages import Messages
from pos_app.gui.receipt_actions import ReceiptActions, paint_receipt
from pos_app.receipts.printer_config import PrinterConfig
from tests.receipts.samples import known_receipt


class Counter:
    """A stand-in for the reprint service: each call is the next COPY, handed back at once."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def __call__(self, reason: str, done, failed) -> None:
        self.reasons.append(reason)
        done(replace(known_receipt(), copy_number=len(self.reasons)))


def recorded(messages: list[str]) -> Messages:
    """A message bridge that writes down what it is told."""
    bridge = Messages()
    bridge.posted.connect(lambda text, _tone: messages.append(text))
    return bridge


@pytest.fixture
def made(qapp, tmp_path):
    printed: list = []
    messages: list[str] = []
    reasons = iter(["lost it", None, "insurer"])
    counter = Counter()
    actions = ReceiptActions(
        known_receipt(),
        printer_config=PrinterConfig(),
        fetch_copy=counter,
        messages=recorded(messages),
        ask_reason=lambda parent, _no: next(reasons),
        ask_pdf_path=lambda parent, receipt: tmp_path / f"{receipt.receipt_no}.pdf",
        system_print=lambda parent, receipt, columns: printed.append(receipt.copy_number),
    )
    return actions, counter, printed, messages


def test_print_twice_gives_the_original_then_a_counted_copy(made):
    actions, counter, printed, _ = made
    actions.printer(None)
    actions.printer(None)
    assert printed == [0, 1] and counter.reasons == ["lost it"]


def test_reprint_shows_the_copy_and_a_cancelled_reason_prints_nothing_more(made):
    actions, counter, printed, _ = made
    changed: list[bool] = []
    actions.changed.connect(lambda: changed.append(True))
    actions.reprint(None)
    assert "*** COPY 1 ***" in actions.text() and changed == [True]
    actions.printer(None)  # reason dialog cancelled
    assert printed == [1] and counter.reasons == ["lost it"]


def test_save_pdf_writes_the_current_receipt(made, tmp_path):
    actions, _, _, messages = made
    actions.pdf(None)
    target = tmp_path / "WS01-000123.pdf"
    assert "Zoë Müller" in PdfReader(target).pages[0].extract_text()
    assert messages == [f"Receipt WS01-000123 saved to {target}."]


def test_a_thermal_printer_that_is_off_is_reported_and_the_original_may_print_again(qapp, tmp_path):
    messages: list[str] = []
    config = PrinterConfig(kind="file", address=str(tmp_path / "no" / "such" / "lp0"))
    counter = Counter()
    actions = ReceiptActions(
        known_receipt(),
        printer_config=config,
        fetch_copy=counter,
        messages=recorded(messages),
        ask_reason=lambda parent, _no: "x",
    )
    actions.printer(None)
    assert len(messages) == 1 and "reprint" in messages[0]
    actions.printer(None)
    assert counter.reasons == [], "nothing came out, so the next press is still the original"


def test_an_unknown_receipt_on_reprint_is_reported_and_the_original_stays(qapp):
    messages: list[str] = []

    def missing(reason: str, done, failed) -> None:
        failed("No payment or deposit receipt X.")

    actions = ReceiptActions(
        known_receipt(),
        printer_config=PrinterConfig(),
        fetch_copy=missing,
        messages=recorded(messages),
        ask_reason=lambda parent, _no: "x",
    )
    actions.reprint(None)
    assert "COPY" not in actions.text()
    assert messages == ["No payment or deposit receipt X."]


def test_the_qt_painting_draws_text_and_the_qr_code(qapp, tmp_path):
    image = QImage(600, 1400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_receipt(painter, known_receipt(), 48, QRectF(20, 20, 560, 1360))
    painter.end()
    image.save(str(tmp_path / "painted.png"))
    dark = sum(
        1
        for y in range(0, 1400, 4)
        for x in range(0, 600, 4)
        if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 500
    assert Path(tmp_path / "painted.png").stat().st_size > 0
