"""Every keyboard shortcut of the window in one table: the buttons and the F1 sheet read it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.gui.widgets import fit_to_screen


@dataclass(frozen=True)
class Shortcut:
    name: str
    keys: str
    what: str

    def sequence(self) -> QKeySequence:
        return QKeySequence(self.keys)

    def label(self, text: str | None = None) -> str:
        """Button text that shows its key, e.g. "Pay  [F5]"."""
        return f"{text or self.what}  [{self.keys}]"


SHORTCUTS = [
    Shortcut("search", "F2", "Search patient"),
    Shortcut("register", "Ctrl+N", "Register a walk-in patient…"),
    Shortcut("new_bill", "Ctrl+B", "New bill for the open patient, from the price list…"),
    Shortcut("adjust", "Ctrl+J", "Adjust the selected item: discount, waiver, price…"),
    Shortcut("pay", "F5", "Pay"),
    Shortcut("top_up", "F6", "Top up wallet"),
    Shortcut("statement", "F9", "Wallet statement"),
    Shortcut("cash_out", "Ctrl+W", "Cash out wallet (supervisor approves)…"),
    Shortcut("receipts_list", "F4", "Receipts of today or of the patient: find, reprint, refund…"),
    Shortcut("request_refund", "F7", "Request refund of a receipt…"),
    Shortcut("reprint_receipt", "F8", "Reprint a receipt (marked COPY)…"),
    Shortcut("my_requests", "Ctrl+Shift+R", "My requests: approvals asked for and their state"),
    Shortcut("open_shift", "Ctrl+Shift+O", "Open shift…"),
    Shortcut("close_shift", "Ctrl+Shift+C", "Close shift (blind count)…"),
    Shortcut("dashboard", "Ctrl+Shift+A", "Supervisor dashboard and approvals"),
    Shortcut("refresh", "Ctrl+R", "Reload patient"),
    Shortcut("help", "F1", "Shortcut help"),
    Shortcut("settings", "Ctrl+Shift+S", "Settings (admin only)"),
    Shortcut("users", "Ctrl+Shift+U", "Users: add, disable, role, password (admin only)"),
    Shortcut("payers", "Ctrl+Shift+Y", "Payers and schemes: cover, members (admin only)"),
    Shortcut("sign_out", "Ctrl+Shift+Q", "Sign out"),
]
# Keys that work inside lists and dialogs rather than as window actions.
OTHER_KEYS = [
    Shortcut("arrows", "Up/Down + Enter", "Move in the results and open the patient"),
    Shortcut("toggle", "Space", "Tick or untick the selected item"),
    Shortcut("items", "F3", "Go to the unpaid items"),
    Shortcut("confirm", "Enter", "Confirm a dialog (Pay, Top up, Cash out, Sign in)"),
    Shortcut("rest", "Ctrl+1 … Ctrl+5", "Pay dialog: put the remaining amount on that row"),
    Shortcut("print", "Ctrl+P", "Receipt: print"),
    Shortcut("pdf", "Ctrl+S", "Receipt: save PDF"),
    Shortcut("reprint", "Ctrl+Shift+P", "Receipt: reprint (asks a reason, marked COPY)"),
    Shortcut("bill_add", "Enter", "New bill: add the service found (again: one more)"),
    Shortcut("bill_remove", "Delete", "New bill: remove the selected line"),
    Shortcut("bill_raise", "Ctrl+Enter", "New bill: raise the bill"),
    Shortcut("denominations", "Ctrl+D", "Close shift: count cash by notes and coins"),
    Shortcut("slip", "Ctrl+P", "Shift closed: print the shift slip (Ctrl+S saves a PDF)"),
    Shortcut("cancel", "Esc", "Cancel / close a dialog"),
]
BY_NAME = {s.name: s for s in SHORTCUTS + OTHER_KEYS}


class HelpSheet(QDialog):
    """F1: every shortcut, so nobody needs the mouse."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("helpSheet")
        rows = SHORTCUTS + OTHER_KEYS
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Key", "Does"])
        for row, shortcut in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(shortcut.keys))
            self.table.setItem(row, 1, QTableWidgetItem(shortcut.what))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.ensurePolished()  # rows as tall as the style sheet's smaller font needs
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(1)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Close  [Esc]")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every action has a key:"))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # Every key in view where the screen is tall enough; on a 1366x768 till the list scrolls
        # and Close stays on screen.
        rows_height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        table = (
            self.table.horizontalHeader().sizeHint().height()
            + 2 * self.table.frameWidth()
            + rows_height
        )
        fit_to_screen(self, 900, self.sizeHint().height() - self.table.sizeHint().height() + table)
