"""Small widget builders the cashier dialogs share, so each looks and behaves the same."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def refusal_label() -> QLabel:
    """The red line under a form where a refusal is said in plain words."""
    label = QLabel(objectName="refusal")
    label.setWordWrap(True)
    return label


def key_button(text: str, keys: str, name: str) -> QPushButton:
    """A button whose key is on it and works from anywhere in its window."""
    button = QPushButton(f"{text}  [{keys}]", objectName=name)
    button.setShortcut(QKeySequence(keys))
    button.setAutoDefault(False)
    return button


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose Alt+letter jumps to `buddy`."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def rows_table(name: str, columns: list[str] | tuple[str, ...]) -> QTableWidget:
    """A read-only list of records, one selected row at a time (the admin screens)."""
    table = QTableWidget(0, len(columns), objectName=name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


TITLE_BAR = 40  # what a window manager adds above a window, at most, on a till's desktop


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Open at the wanted size, or smaller on a small screen (1366x768 tills): scroll areas and
    stretchable views take up the difference, so the buttons stay on screen."""
    screen = window.screen().availableGeometry()
    window.resize(min(width, screen.width()), min(height, screen.height() - TITLE_BAR))


def amount_edit(name: str, placeholder: str = "", width: int = 0) -> QLineEdit:
    """A right-aligned field for an amount or a count."""
    edit = QLineEdit(objectName=name)
    edit.setAlignment(RIGHT)
    edit.setPlaceholderText(placeholder)
    if width:
        edit.setMinimumWidth(width)
    return edit


def cancel_button(dialog: QDialog) -> QPushButton:
    """Cancel [Esc]: never the default, so Enter always confirms."""
    button = QPushButton("Cancel  [Esc]", objectName="cancelButton")
    button.setAutoDefault(False)
    button.clicked.connect(dialog.reject)
    return button


def confirm_row(
    dialog: QDialog, text: str, name: str, on_confirm: Callable[[], None]
) -> tuple[QHBoxLayout, QPushButton]:
    """Cancel on the left, the default "<text>  [Enter]" button on the right."""
    confirm = QPushButton(f"{text}  [Enter]", objectName=name)
    confirm.setDefault(True)
    confirm.clicked.connect(on_confirm)
    row = QHBoxLayout()
    row.addWidget(cancel_button(dialog))
    row.addStretch(1)
    row.addWidget(confirm)
    return row, confirm


def fit_rows(table: QTableWidget) -> None:
    """Make a table exactly as tall as its header and rows: no scrolling, no empty space."""
    table.resizeRowsToContents()
    table.setFixedHeight(
        table.horizontalHeader().sizeHint().height()
        + 2 * table.frameWidth()
        + sum(table.rowHeight(r) for r in range(table.rowCount()))
    )
