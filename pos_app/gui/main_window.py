"""The cashier's main window: a view that emits what the cashier wants and shows what it is told."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.gui.messages import Tone
from pos_app.gui.models import ItemsModel, RowsModel
from pos_app.gui.shortcuts import BY_NAME

BANNER_TEXT = "Database connection lost: taking money is blocked until it is back."


def _table(model: RowsModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    return view


class MainWindow(QMainWindow):
    """Search on the left, the patient's card and unpaid items on the right."""

    search_changed = Signal(str)
    patient_activated = Signal(int)
    action_triggered = Signal(str)  # a SHORTCUTS name: pay, top_up, statement, help, ...

    def __init__(self, *, results: RowsModel, items: ItemsModel) -> None:
        super().__init__()
        self.setWindowTitle("CareTill")
        self.results_model, self.items_model = results, items
        self.actions_by_name: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self._top_bar())
        self.banner = QLabel(BANNER_TEXT, objectName="banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        layout.addWidget(self.banner)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._search_pane())
        splitter.addWidget(self._patient_pane())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([540, 820])  # at 1366 px: names in the results and services both readable
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self._menus()
        self.set_patient(None)
        self.set_shift("Shift: checking…", open_=None)
        self.statusBar().setObjectName("status")

    # --- building -------------------------------------------------------------------------
    def _top_bar(self) -> QWidget:
        bar = QFrame(objectName="topBar")
        row = QHBoxLayout(bar)
        self.facility_label = QLabel("", objectName="facility")
        self.session_label = QLabel("", objectName="session")
        self.shift_label = QLabel("", objectName="shift")
        self.busy_label = QLabel("Working…", objectName="busy")
        self.busy_label.setVisible(False)
        row.addWidget(self.facility_label)
        row.addStretch(1)
        row.addWidget(self.busy_label)
        row.addWidget(self.shift_label)
        row.addSpacing(24)
        row.addWidget(self.session_label)
        return bar

    def _search_pane(self) -> QWidget:
        pane = QWidget()
        column = QVBoxLayout(pane)
        self.search_edit = QLineEdit(objectName="search")
        self.search_edit.setPlaceholderText("Search MRN, name or phone  [F2]")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.search_changed)
        self.search_edit.installEventFilter(self)
        self.results_view = _table(self.results_model, "results")
        self.results_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results_view.setMinimumWidth(480)
        self.results_view.activated.connect(lambda index: self.patient_activated.emit(index.row()))
        self.search_hint = QLabel(objectName="searchHint")
        self.search_hint.setWordWrap(True)
        self.search_hint.hide()
        column.addWidget(self.search_edit)
        column.addWidget(self.search_hint)
        column.addWidget(self.results_view, 1)
        return pane

    def _patient_pane(self) -> QWidget:
        pane = QWidget()
        column = QVBoxLayout(pane)
        card = QFrame(objectName="card")
        grid = QGridLayout(card)
        self.name_label = QLabel(objectName="patientName")
        self.details_label = QLabel(objectName="patientDetails")
        # A long name or a large balance wraps instead of pushing the window past 1366 px.
        for label in (self.name_label, self.details_label):
            label.setWordWrap(True)
        self.balance_caption = QLabel("Wallet balance", objectName="caption")
        self.balance_label = QLabel(objectName="balance")
        self.balance_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.balance_caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.name_label, 0, 0)
        grid.addWidget(self.balance_caption, 0, 1)
        grid.addWidget(self.details_label, 1, 0)
        grid.addWidget(self.balance_label, 1, 1)
        column.addWidget(card)
        self.change_panel = QLabel(objectName="changeDue")
        self.change_panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.change_panel.hide()
        column.addWidget(self.change_panel)
        self.items_view = _table(self.items_model, "items")
        self.items_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.items_view.installEventFilter(self)
        caption = QLabel("Unpaid items  (Space ticks / unticks)  [F3]", objectName="caption")
        column.addWidget(caption)
        column.addWidget(self.items_view, 1)
        self.total_label = QLabel(objectName="total")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.total_label)
        buttons = QHBoxLayout()
        for name in ("pay", "top_up", "statement"):
            button = QPushButton(BY_NAME[name].label(), objectName=f"{name}Button")
            button.clicked.connect(lambda _=False, n=name: self.action_triggered.emit(n))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.buttons[name] = button
            buttons.addWidget(button)
        column.addLayout(buttons)
        return pane

    def _menus(self) -> None:
        session = self.menuBar().addMenu("&Session")
        self._action(session, "search")
        self._action(session, "register")
        self._action(session, "refresh")
        self.settings_action = self._action(session, "settings")
        self._action(session, "sign_out")
        money = self.menuBar().addMenu("&Money")
        for name in ("new_bill", "adjust", "pay", "top_up", "statement", "cash_out"):
            self._action(money, name)
        receipts = self.menuBar().addMenu("&Receipts")
        for name in ("receipts_list", "reprint_receipt", "request_refund", "my_requests"):
            self._action(receipts, name)
        shift = self.menuBar().addMenu("S&hift")
        for name in ("open_shift", "close_shift"):
            self._action(shift, name)
        supervisor = self.menuBar().addMenu("Su&pervisor")
        self._action(supervisor, "dashboard")
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "help")
        items_key = QAction("Go to items", self, shortcut=BY_NAME["items"].sequence())
        items_key.triggered.connect(lambda: self.items_view.setFocus())
        self.addAction(items_key)

    def _action(self, menu: object, name: str) -> QAction:
        shortcut = BY_NAME[name]
        action = QAction(shortcut.what, self, shortcut=shortcut.sequence())
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda: self.action_triggered.emit(name))
        menu.addAction(action)  # type: ignore[attr-defined]
        self.actions_by_name[name] = action
        return action

    # --- keyboard ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.search_edit and key in (
            Qt.Key.Key_Down,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            return self._leave_search(key)
        if watched is self.items_view and key == Qt.Key.Key_Space:
            row = self.items_view.currentIndex().row()
            if row >= 0:
                self.items_model.toggle(row)
            return True
        return False

    def _leave_search(self, key: int) -> bool:
        if self.results_model.rowCount() == 0:
            return False
        if key == Qt.Key.Key_Down:
            self.results_view.setFocus()
            self.results_view.selectRow(0)
        else:
            row = max(self.results_view.currentIndex().row(), 0)
            self.patient_activated.emit(row)
        return True

    # --- setters ------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def set_session(self, facility: str, who: str) -> None:
        self.facility_label.setText(facility)
        self.session_label.setText(who)

    def set_patient(self, header: tuple[str, str, str] | None) -> None:
        """(name, "MRN · phone · age", balance text), or None for no patient open."""
        name, details, balance = header or ("No patient open", "Search with F2", "")
        self.name_label.setText(name)
        self.details_label.setText(details)
        self.balance_label.setText(balance)
        self.balance_caption.setVisible(header is not None)

    def set_search_hint(self, text: str) -> None:
        """Under the search box: why the list is empty and what to press; "" hides it."""
        self.search_hint.setText(text)
        self.search_hint.setVisible(bool(text))

    def set_change(self, text: str) -> None:
        """The large change-due panel read while counting notes, e.g. "CHANGE  KES 650.00"."""
        self.change_panel.setText(text)
        self.change_panel.setVisible(bool(text))

    def set_total(self, text: str) -> None:
        self.total_label.setText(text)

    def set_shift(self, text: str, *, open_: bool | None) -> None:
        """The top bar's shift line; None while it is not known yet."""
        self.shift_label.setText(text)
        self.shift_label.setProperty("open", "true" if open_ else "false")
        self.shift_label.style().unpolish(self.shift_label)
        self.shift_label.style().polish(self.shift_label)
        self.actions_by_name["open_shift"].setEnabled(open_ is False)
        self.actions_by_name["close_shift"].setEnabled(open_ is True)

    def set_money_enabled(
        self, *, pay: bool, top_up: bool, statement: bool, cash_out: bool
    ) -> None:
        for name, on in (("pay", pay), ("top_up", top_up), ("statement", statement)):
            self.buttons[name].setEnabled(on)
            self.actions_by_name[name].setEnabled(on)
        self.actions_by_name["cash_out"].setEnabled(cash_out)  # menu and key only: no button

    def set_online(self, online: bool) -> None:
        self.banner.setVisible(not online)

    def set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)

    def show_message(self, text: str, tone: str = Tone.INFO) -> None:
        """The status bar line: good news in green, a failure in red (styled by `tone`)."""
        bar = self.statusBar()
        bar.setProperty("tone", str(tone))
        bar.style().unpolish(bar)
        bar.style().polish(bar)
        bar.showMessage(text, 15000)
