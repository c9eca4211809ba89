"""The wallet statement: balance on top, ledger lines newest first; print it or save a PDF."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.gui.models import RowsModel
from pos_app.services.statement import Statement


class StatementDialog(QDialog):
    """A read-only view over a `Statement`; the controller fetches, prints and saves it."""

    print_requested = Signal()
    pdf_requested = Signal()

    def __init__(self, *, model: RowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Wallet statement")
        self.setObjectName("statementDialog")
        self.model = model
        self.statement: Statement | None = None
        self.title_label = QLabel(objectName="dialogTitle")
        self.balance_label = QLabel(objectName="balance")
        self.table = QTableView(objectName="statement")
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        close = QPushButton("Close  [Esc]")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for text, keys, name, signal in (
            ("Print", "Ctrl+P", "printStatement", self.print_requested),
            ("Save PDF", "Ctrl+S", "pdfStatement", self.pdf_requested),
        ):
            button = QPushButton(f"{text}  [{keys}]", objectName=name)
            button.setShortcut(QKeySequence(keys))
            button.setEnabled(False)  # until the statement is loaded
            button.clicked.connect(signal)
            buttons.addWidget(button)
            setattr(self, f"{name}_button", button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(QLabel("Balance", objectName="caption"))
        head.addWidget(self.balance_label)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(900, 620)

    def set_statement(self, statement: Statement, balance_text: str) -> None:
        self.statement = statement
        for button in (self.printStatement_button, self.pdfStatement_button):
            button.setEnabled(True)
        self.title_label.setText(f"{statement.name}  ·  {statement.mrn}")
        self.balance_label.setText(balance_text)
        self.model.set_rows(statement.entries)
        self.table.setFocus()
