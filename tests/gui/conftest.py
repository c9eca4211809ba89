"""GUI fixtures: a real database, the background runner, and the cashier window on top."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget

from pos_app.adapters.uow import UnitOfWork
from pos_app.bootstrap import App
from pos_app.domain.errors import Unavailable
from pos_app.gui.controller import CashierController
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.operations import Operations
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.gui.session import Session
from pos_app.receipts.model import Receipt
from pos_app.services import health
from tests.conftest import make_app
from tests.helpers.books import Books


@pytest.fixture
def sqlite_app(sqlite_url: str, tmp_path: Path) -> Iterator[App]:
    """Most GUI tests run on SQLite; the concurrency ones use the parametrized `app`."""
    instance = make_app(sqlite_url, tmp_path)
    yield instance
    instance.close()


@dataclass
class Database:
    """A switch in front of the real ping: flip `down` to play a lost database."""

    down: bool = False

    def ping(self, uow: UnitOfWork) -> None:
        if self.down:
            raise Unavailable("The database cannot be reached: test switch.")
        health.ping(uow)


@dataclass
class Printed:
    """Stands in for the print dialog, the PDF file chooser and the reprint-reason prompt."""

    folder: Path
    printed: list[Receipt] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=lambda: ["lost it"] * 5)
    slips: list[list[str]] = field(default_factory=list)  # shift slips "printed"

    def outputs(self) -> ReceiptOutputs:
        return ReceiptOutputs(
            system_print=lambda _w, receipt, _columns: self.printed.append(receipt),
            ask_pdf_path=self._pdf_path,
            ask_reason=lambda _w, _no: self.reasons.pop(0),
            print_lines=lambda _w, lines: self.slips.append(lines),
            ask_document_path=lambda _w, name: self.folder / name,
        )

    def _pdf_path(self, _parent: object, receipt: Receipt) -> Path:
        path = self.folder / f"{receipt.receipt_no}-{len(self.pdfs)}.pdf"
        self.pdfs.append(path)
        return path


@dataclass
class Till:
    """The window under test and what it stands on."""

    controller: CashierController
    books: Books
    operations: Operations
    monitor: ConnectionMonitor
    database: Database
    printed: Printed


def open_till(qtbot, books: Books, *, actor_name: str = "cashier") -> Till:
    app = books.app
    operations = Operations(new_uow=app.uow)
    database = Database()
    monitor = ConnectionMonitor(operations=operations, ping=database.ping, interval_ms=100)
    with app.uow(write=False) as uow:
        facility = uow.facility()
    session = Session(getattr(books, actor_name), app.workstation, facility)
    printed = Printed(app.settings.config_path.parent)
    controller = CashierController(
        operations=operations, monitor=monitor, session=session, outputs=printed.outputs()
    )
    qtbot.addWidget(controller.window)
    controller.window.show()
    monitor.start()
    return Till(controller, books, operations, monitor, database, printed)


@pytest.fixture
def gui_books(sqlite_app: App) -> Books:
    return Books.open(sqlite_app)


@pytest.fixture
def settle(qtbot) -> Iterator[None]:
    """Every background call ends before the database fixture is disposed."""
    yield
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture
def till(qtbot, gui_books: Books, settle: None) -> Iterator[Till]:
    yield (t := open_till(qtbot, gui_books))
    close_till(qtbot, t)


def close_till(qtbot, till: Till) -> None:
    """Stop pinging and let every queued outcome land before the database goes."""
    till.monitor.stop()
    QThreadPool.globalInstance().waitForDone()
    qtbot.waitUntil(lambda: till.operations.idle)


def open_patient(qtbot, till: Till, text: str, mrn: str) -> None:
    """Type in the search box, arrow down to the result, press Enter, wait for the card."""
    window = till.controller.window
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.keyClicks(window.search_edit, text)
    qtbot.waitUntil(
        lambda: (
            window.results_model.rowCount() > 0
            and any(p.mrn == mrn for p in window.results_model.rows())
        )
    )
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    row = next(i for i, p in enumerate(window.results_model.rows()) if p.mrn == mrn)
    window.results_view.selectRow(row)
    qtbot.keyClick(window.results_view, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: till.controller.detail is not None and till.controller.detail.patient.mrn == mrn
    )
    qtbot.waitUntil(lambda: not till.operations.busy)


def type_into(qtbot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    widget.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(widget, text)


def activate(qtbot, dialog: QWidget) -> None:
    """Wait for a dialog to show, then give it the keyboard."""
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)


def press(
    qtbot,
    window: QWidget,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """Press a window shortcut once the window (not a closed dialog) has the keyboard."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, key, modifiers)
