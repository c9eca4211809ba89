"""Paying with a payer in the window: the split is shown, the patient's share is what is
tendered, and the receipt names the payer; credit beyond the limit is refused in place."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.services import payers
from tests.gui.conftest import Till, open_patient, type_into
from tests.gui.test_cashier_flow import _open_pay

CTRL = Qt.KeyboardModifier.ControlModifier


def _nhif_member(till: Till, mrn: str, kind: str = "lab_test") -> None:
    """The patient is a member of NHIF, which covers 80 % of `kind`."""
    books = till.books
    payers.add_payer(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        code="NHIF",
        name="National Health Fund",
        kind="insurer",
    )
    payers.set_cover(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        code="NHIF",
        service_kind=kind,
        percent="80",
    )
    payers.cover_patient(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        payer_code="NHIF",
        member_no="M-123",
    )


def _choose_nhif(qtbot, till: Till):
    """Open Pay, wait for the memberships, Ctrl+I to the payer choice, arrow down to NHIF."""
    dialog = _open_pay(qtbot, till)
    qtbot.waitUntil(lambda: dialog.payer_combo.count() == 2)
    qtbot.keyClick(dialog, Qt.Key.Key_I, CTRL)
    assert dialog.payer_combo.hasFocus()
    qtbot.keyClick(dialog.payer_combo, Qt.Key.Key_Down)
    assert dialog.payer == "NHIF"
    return dialog


def test_an_80_percent_lab_cover_leaves_the_patient_20_percent_to_pay_in_cash(qtbot, till):
    books = till.books
    mrn = books.patient("MRN300", name="Wanjiru Kamau")
    [lab] = books.bill(mrn, ("LAB", 1))
    _nhif_member(till, mrn)
    open_patient(qtbot, till, "MRN300", mrn)
    dialog = _choose_nhif(qtbot, till)
    assert not dialog.confirm_button.isEnabled(), "Pay waits for the split"
    qtbot.waitUntil(lambda: "Patient share" in dialog.split_label.text())
    assert dialog.split_label.text() == "Payer share KES 400.00  ·  Patient share KES 100.00"
    assert "Patient pays  KES 100.00" in dialog.total_label.text()

    type_into(qtbot, dialog.amounts["cash"], "500")  # the gross: the dialog will not send it
    assert not dialog.confirm_button.isEnabled()
    assert "The tenders are more than the patient's share." in dialog.message_label.text()
    qtbot.keyClick(dialog.amounts["cash"], Qt.Key.Key_Return)
    assert books.count("payments") == 0

    type_into(qtbot, dialog.amounts["cash"], "100")
    assert dialog.confirm_button.isEnabled()
    qtbot.keyClick(dialog.amounts["cash"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    receipt = till.controller.receipts.preview.text()
    assert "National Health Fund" in receipt and "M-123" in receipt
    assert "400.00" in receipt and "100.00" in receipt
    assert books.item_status(lab) == "paid"
    with books.app.uow(write=False) as uow:
        paid = uow.execute(select(t.payments.c.amount_minor)).scalar_one()
        share = uow.execute(select(t.payer_shares.c.amount_minor)).scalar_one()
    assert (paid, share) == (10000, 40000)


def test_an_item_the_payer_does_not_cover_goes_back_to_no_payer_and_says_why(qtbot, till):
    books = till.books
    mrn = books.patient("MRN301", balance="1000.00")
    books.bill(mrn, ("CONS", 1))
    _nhif_member(till, mrn)  # lab only: a consultation is not covered
    open_patient(qtbot, till, "MRN301", mrn)
    dialog = _choose_nhif(qtbot, till)
    qtbot.waitUntil(lambda: "does not cover" in dialog.message_label.text())
    assert dialog.payer == "" and dialog.split_label.text() == ""
    assert "Total" in dialog.total_label.text() and dialog.confirm_button.isEnabled()


def test_credit_beyond_the_limit_is_refused_in_the_dialog(qtbot, till):
    books = till.books
    mrn = books.patient("MRN302")
    books.bill(mrn, ("LAB", 1))
    open_patient(qtbot, till, "MRN302", mrn)
    dialog = _open_pay(qtbot, till)
    qtbot.keyClick(dialog, Qt.Key.Key_6, CTRL)  # the credit row's rest key
    assert dialog.amounts["credit"].text() == "500.00" and dialog.confirm_button.isEnabled()
    qtbot.keyClick(dialog.amounts["credit"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "beyond the patient's limit" in dialog.message_label.text())
    assert dialog.isVisible() and books.count("payments") == 0
    assert books.balance(mrn) == Decimal("0.00")
