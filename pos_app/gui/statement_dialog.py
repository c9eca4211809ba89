"""The wallet statement: balance on top, ledger lines newest first."""

from __future__ import annotations

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
    """A read-only view over a `Statement`; the controller fetches it."""

    def __init__(self, *, model: RowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Wallet statement")
        self.setObjectName("statementDialog")
        self.model = model
        self.title_label = QLabel(objectName="dialogTitle")
        self.balance_label = QLabel(objectName="balance")
        self.table = QTableView(objectName="statement")
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        close = QPushButton("Close  [Esc]")
        close.clicked.connect(self.accept)
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(QLabel("Balance", objectName="caption"))
        head.addWidget(self.balance_label)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self.resize(900, 620)

    def set_statement(self, statement: Statement, balance_text: str) -> None:
        self.title_label.setText(f"{statement.name}  ·  {statement.mrn}")
        self.balance_label.setText(balance_text)
        self.model.set_rows(statement.entries)
        self.table.setFocus()
