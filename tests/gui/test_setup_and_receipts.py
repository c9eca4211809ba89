"""First-start setup writes the local config; the receipt text and PDF carry what SPEC asks."""

from __future__ import annotations

import json
from decimal import Decimal

from PySide6.QtCore import Qt

from pos_app.domain.money import Currency
from pos_app.gui.operations import Operations
from pos_app.gui.receipt_preview import write_pdf
from pos_app.gui.receipt_text import payment_text
from pos_app.gui.setup_dialog import SetupDialog
from pos_app.services.patients import UnpaidItem
from pos_app.services.pay import PaymentResult, TenderLine


def test_setup_tests_the_connection_and_saves_the_local_config(qtbot, tmp_path, sqlite_url,
                                                               settle):
    path = tmp_path / "config.json"
    dialog = SetupDialog(operations=Operations(new_uow=lambda: None), path=path, current={})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sqlite_edit.setText(sqlite_url)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Connection works.")
    dialog.pg_radio.setChecked(True)
    dialog.pg_edit.setText("postgresql://nobody@127.0.0.1:1/none")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in dialog.message_label.text(), timeout=10000)
    dialog.sqlite_radio.setChecked(True)
    dialog.workstation_edit.setText("x")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Workstation id" in dialog.message_label.text() and not path.exists()
    dialog.workstation_edit.setText("ws07")
    dialog.facility_edit.setText("St. Mary's")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = json.loads(path.read_text())
    assert saved["db_url"] == sqlite_url and saved["workstation"] == "WS07"
    assert saved["facility_name"] == "St. Mary's"


def _result() -> PaymentResult:
    return PaymentResult(
        receipt_no="WS01-000007", mrn="M1", patient_name="Jane Doe", amount=Decimal("1200.00"),
        items=[1], tenders=[TenderLine("wallet", Decimal("200.00")),
                            TenderLine("cash", Decimal("1000.00"), None, Decimal("1500.00"),
                                       Decimal("500.00"))],
        change=Decimal("500.00"), wallet_balance_after=Decimal("0.00"), idempotency_key="k",
        audit_hash="h", at="2026-01-02T10:30:00+00:00", workstation="WS01", cashier="cashier")


def test_payment_receipt_text_has_every_part_and_reprint_says_copy(tmp_path):
    items = [UnpaidItem(1, "B1", "CONS", "Consultation", "consultation", 1,
                        Decimal("1200.00"), Decimal("1200.00"))]
    text = payment_text(_result(), facility="Test Hospital", currency=Currency("KES", 2),
                        items=items)
    for part in ("Test Hospital", "WS01-000007", "2026-01-02", "cashier", "Jane Doe",
                 "Consultation", "KES 1,200.00", "Wallet", "Cash tendered", "1,500.00",
                 "Change", "Wallet balance"):
        assert part in text
    assert "COPY" not in text
    copy = payment_text(_result(), facility="Test Hospital", currency=Currency("KES", 2),
                        items=items, copy=True)
    assert "COPY" in copy
    pdf = write_pdf(text, tmp_path / "r.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
