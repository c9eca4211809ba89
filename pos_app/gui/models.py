"""Qt item models over the plain data the services return; no rule lives here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from pos_app.domain.money import Currency
from pos_app.gui.formatting import age, method_name, money, when
from pos_app.services.patients import UnpaidItem

Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
Column = tuple[str, Callable[[Any], str], bool]  # header, cell text, right-aligned


class RowsModel(QAbstractTableModel):
    """A read-only table of dataclass rows described by (header, text, right-aligned)."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> Any:
        return self._rows[index]

    def rows(self) -> list[Any]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        header, _text, right = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return header
        if role == Qt.ItemDataRole.TextAlignmentRole and right:
            return RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        _header, text, right = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(self._rows[index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole and right:
            return RIGHT
        return None


def patients_model(parent: Any = None) -> RowsModel:
    """Search results: MRN, name, age and phone, so same-name patients are told apart at 1366 px
    (the wallet balance is on the card once one is opened)."""
    columns: list[Column] = [
        ("MRN", lambda p: p.mrn, False),
        ("Name", lambda p: p.name, False),
        ("Age", lambda p: age(p.dob), True),
        ("Phone", lambda p: p.phone or "", False),
    ]
    return RowsModel(columns, parent)


def statement_model(currency: Callable[[], Currency], parent: Any = None) -> RowsModel:
    """A wallet's ledger lines, newest first as the service returns them."""
    columns: list[Column] = [
        ("When", lambda e: when(e.at), False),
        ("Kind", lambda e: method_name(e.kind), False),
        ("Amount", lambda e: money(currency(), e.amount), True),
        ("Balance after", lambda e: money(currency(), e.balance_after), True),
        ("Receipt", lambda e: e.receipt_no or "", False),
    ]
    return RowsModel(columns, parent)


SKIPPED_GREY = QColor("#8a8f98")


class ItemsModel(RowsModel):
    """Unpaid items with a check box each (all checked on load) and the selection's total."""

    selection_changed = Signal()

    def __init__(self, currency: Callable[[], Currency], parent: Any = None) -> None:
        columns: list[Column] = [
            ("Pay", lambda i: "pay" if i.id in self._checked else "skip", False),
            ("Service", lambda i: i.service_name, False),
            ("Bill", lambda i: i.bill_no, False),
            ("Qty", lambda i: str(i.quantity), True),
            ("Unit price", lambda i: money(currency(), i.unit_price), True),
            ("Amount", lambda i: money(currency(), i.amount), True),
            ("Due", lambda i: money(currency(), i.amount_due), True),
        ]
        super().__init__(columns, parent)
        self._checked: set[int] = set()

    def set_rows(self, rows: Sequence[UnpaidItem]) -> None:
        self._checked = {item.id for item in rows}
        super().set_rows(rows)
        self.selection_changed.emit()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        checked = self.row(index.row()).id in self._checked
        if index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and not checked:
            return SKIPPED_GREY  # an unticked item reads as left out, not only by its tiny box
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self.set_checked(index.row(), checked)
        return True

    def set_checked(self, row: int, checked: bool) -> None:
        item_id = self.row(row).id
        (self._checked.add if checked else self._checked.discard)(item_id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        self.selection_changed.emit()

    def toggle(self, row: int) -> None:
        self.set_checked(row, self.row(row).id not in self._checked)

    def selected(self) -> list[UnpaidItem]:
        return [item for item in self.rows() if item.id in self._checked]

    def selected_total(self) -> Decimal:
        return sum((item.amount_due for item in self.selected()), Decimal(0))
