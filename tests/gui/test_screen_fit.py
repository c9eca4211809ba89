"""Every window and dialog fits a 1366x768 till screen with all its buttons in view.

Geometry checks against that screen, whatever screen the test runs on: each window is
opened as the cashier opens it, then held to 1366x768 less a title bar as a window
manager would; it must not need more (its layout's minimum), and every button must lie
inside the window and inside every widget around it (a scroll area may hide what it
scrolls, but the scroll area itself must be in view).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPushButton, QWidget

from pos_app.domain.money import Currency
from pos_app.gui.app import style
from pos_app.gui.login import LoginDialog
from pos_app.gui.main_window import MainWindow
from pos_app.gui.models import ItemsModel, patients_model
from pos_app.gui.setup_dialog import SetupDialog
from pos_app.gui.widgets import TITLE_BAR
from pos_app.services import pay, shifts
from pos_app.services.tenders import TenderRequest
from tests.gui.conftest import Till, close_till, open_patient, open_till

SCREEN = QSize(1366, 768)
USABLE = QSize(SCREEN.width(), SCREEN.height() - TITLE_BAR)


def _clipped(button: QPushButton, window: QWidget) -> str:
    """Why the button is not fully in view, or "" when it is."""
    widget: QWidget = button
    while widget is not window:
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractScrollArea) or (
            parent is not None and isinstance(parent.parentWidget(), QAbstractScrollArea)
        ):
            return ""  # scrolled into view when it has the focus
        rect = QRect(button.mapTo(parent, QPoint(0, 0)), button.size())
        if not parent.rect().contains(rect):
            return f"outside {parent.metaObject().className()} {parent.objectName()!r}"
        widget = parent
    return ""


def assert_fits(qtbot, window: QWidget) -> None:
    qtbot.waitUntil(window.isVisible)
    window.resize(window.size().boundedTo(USABLE))
    for _ in range(3):
        QApplication.processEvents()
    name, size = window.objectName() or window.windowTitle(), window.size()
    fits = size.width() <= USABLE.width() and size.height() <= USABLE.height()
    assert fits, (
        f"{name} needs {size.width()}x{size.height()}, the till screen has "
        f"{USABLE.width()}x{USABLE.height()} under the title bar"
    )
    cut = {
        button.text(): why
        for button in window.findChildren(QPushButton)
        if button.isVisibleTo(window) and (why := _clipped(button, window))
    }
    assert not cut, f"{name}: buttons out of view: {cut}"


@pytest.fixture(autouse=True)
def till_style(qapp) -> Iterator[None]:
    """The real font and style sheet: sizes depend on them. The rest of the suite runs plain."""
    font, sheet = qapp.font(), qapp.styleSheet()
    style(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


@pytest.fixture
def paid_till(qtbot, till: Till) -> Iterator[Till]:
    """A patient with a wallet, an unpaid bill, an open shift and one paid receipt."""
    books = till.books
    books.patient("MRN100", balance="3000.00", name="Achieng Otieno")
    books.bill("MRN100", ("CONS", 1))
    ids = books.bill("MRN100", ("PROC", 1), ("DRUG", 3), ("LAB", 1))
    shifts.open_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", opening_float=Decimal("5000")
    )
    result = pay.pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="MRN100",
        tenders=[TenderRequest("cash", "3300.00", cash_tendered="4000")],
        key="screen-fit-1",
        item_ids=ids,
    )
    till.controller.receipts.last_receipt_no = result.receipt_no
    till.controller.shifts.refresh()
    open_patient(qtbot, till, "MRN100", "MRN100")
    yield till


def _preview(qtbot, till: Till) -> QWidget:
    till.controller.receipts.show(till.controller.receipts.last_receipt_no)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    return till.controller.receipts.preview


def _statement(qtbot, till: Till) -> QWidget:
    till.controller.show_statement()
    dialog = till.controller.statement_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0)
    return dialog


def _close_shift_counting(qtbot, till: Till) -> QWidget:
    qtbot.waitUntil(lambda: till.controller.shifts.current is not None)
    return till.controller.shifts.start_close()


def _close_shift_signoff(qtbot, till: Till) -> QWidget:
    dialog = _close_shift_counting(qtbot, till)
    dialog.ask_signoff("The count is short by KES 500.00: a supervisor signs off.")
    return dialog


def _help(_qtbot, till: Till) -> QWidget:
    till.controller.show_help()
    return till.controller.help_sheet


OPENERS: dict[str, Callable[[object, Till], QWidget]] = {
    "main window": lambda _q, t: t.controller.window,
    "pay": lambda _q, t: t.controller.flows.start_pay(
        t.controller.detail, t.controller.items.selected()
    ),
    "top up": lambda _q, t: t.controller.flows.start_top_up(t.controller.detail),
    "cash out": lambda _q, t: t.controller.flows.start_cash_out(t.controller.detail),
    "receipt preview": _preview,
    "statement": _statement,
    "help sheet": _help,
    "reprint reason": lambda _q, t: t.controller.receipts.ask_reprint(),
    "refund request": lambda _q, t: t.controller.receipts.ask_refund(),
    "open shift": lambda _q, t: t.controller.shifts.start_open(),
    "close shift, counting notes": _close_shift_counting,
    "close shift, supervisor sign-off": _close_shift_signoff,
    "register walk-in": lambda _q, t: (
        t.controller.register_walk_in(),
        t.controller.register_dialog,
    )[1],
    "new bill": lambda _q, t: (t.controller.new_bill(), t.controller.new_bill_dialog)[1],
}


@pytest.mark.parametrize("name", list(OPENERS))
def test_each_cashier_window_fits_the_till_screen(qtbot, paid_till, name):
    assert_fits(qtbot, OPENERS[name](qtbot, paid_till))


def test_the_supervisor_dashboard_fits_the_till_screen(qtbot, gui_books, settle):
    till = open_till(qtbot, gui_books, actor_name="supervisor")
    try:
        till.controller.show_dashboard()
        assert_fits(qtbot, till.controller.dashboard)
    finally:
        till.controller.dashboard.close()
        close_till(qtbot, till)


def test_login_and_setup_fit_the_till_screen(qtbot, sqlite_app, tmp_path, settle):
    from pos_app.gui.operations import Operations

    ops = Operations(new_uow=sqlite_app.uow)
    login = LoginDialog(operations=ops, workstation="WS01", title="Test Hospital")
    setup = SetupDialog(operations=ops, path=tmp_path / "config.json", current={})
    for dialog in (login, setup):
        qtbot.addWidget(dialog)
        dialog.show()
        assert_fits(qtbot, dialog)


def test_the_payers_screen_fits_the_till_screen(qtbot, gui_books, settle):
    from pos_app.gui.operations import Operations
    from pos_app.gui.payers_dialog import PayersDialog

    dialog = PayersDialog(
        operations=Operations(new_uow=gui_books.app.uow), actor=gui_books.admin, workstation="WS01"
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert_fits(qtbot, dialog)


def test_a_long_name_and_a_large_balance_never_widen_the_window_past_the_screen(qtbot):
    window = MainWindow(results=patients_model(), items=ItemsModel(lambda: Currency("KES", 2)))
    qtbot.addWidget(window)
    window.name_label.setText("Wanjirũ Nyambura Kamau-Odhiambo Achieng Otieno Chebet")
    window.details_label.setText("MRN000014  ·  0734951916  ·  age 57 y")
    window.balance_label.setText("KES 1,234,567,890.00")
    window.show()
    assert window.minimumSizeHint().width() <= SCREEN.width()
