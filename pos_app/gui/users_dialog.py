"""The admin's Users screen: who may use the till, in which role, and their passwords.

Each button is one `operations.run(...)` of a users service call, checked by the
service against the admin's live session; the list reloads after every change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.shortcuts import BY_NAME
from pos_app.gui.widgets import buddy_label, cancel_button, key_button, refusal_label, rows_table
from pos_app.services import auth, users

COLUMNS = ("User", "Role", "Account", "Password")


def _add_user(uow: UnitOfWork, *, password: str, **user: Any) -> Actor:
    """A new user with a temporary password, as strong as any, to change at first sign-in."""
    auth.check_password(password)
    return auth.add_user(uow, password=password, must_change_password=True, **user)


def add_users_menu(window: QMainWindow, open_users: Callable[[], None]) -> QAction:
    """An Admin menu with Users… for an admin's window only; cashiers never see it."""
    shortcut = BY_NAME["users"]
    action = QAction(shortcut.what, window, shortcut=shortcut.sequence())
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(open_users)
    window.menuBar().addMenu("A&dmin").addAction(action)
    return action


def _roles() -> QComboBox:
    combo = QComboBox()
    for role in Role:
        combo.addItem(role.value.capitalize(), role.value)
    return combo


def _password(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit(objectName=name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def _cells(row: Any) -> tuple[str, str, str, str]:
    account = "active" if row.active else "disabled"
    if row.locked:
        account += ", locked out"
    return (
        row.username,
        str(row.role).capitalize(),
        account,
        "must change" if row.must_change_password else "set",
    )


class UsersDialog(QDialog):
    """The list of users, the selected user's role, state and password, and a new user."""

    def __init__(
        self,
        *,
        operations: Operations,
        actor: Actor,
        workstation: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("CareTill – users")
        self.setObjectName("usersDialog")
        self._ops, self._actor, self._workstation = operations, actor, workstation
        self.rows: list[Any] = []
        self.table = rows_table("users", COLUMNS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message_label = refusal_label()
        self.notice_label = QLabel(objectName="notice")
        self.notice_label.setWordWrap(True)
        close = cancel_button(self)
        close.setText("Close  [Esc]")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Users", objectName="dialogTitle"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self._selected_box())
        layout.addWidget(self._add_box())
        layout.addWidget(self.message_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignLeft)
        self._selection_changed()
        self.resize(1000, 700)
        self.reload()

    def _selected_box(self) -> QGroupBox:
        box = QGroupBox("Selected user")
        form = QFormLayout(box)
        self.role_combo = _roles()
        self.set_role_button = key_button("Set role", "Ctrl+R", "setRole")
        self.set_role_button.clicked.connect(self.set_role)
        self.toggle_button = key_button("Disable", "Ctrl+D", "toggleActive")
        self.toggle_button.clicked.connect(self.toggle_active)
        role_row = QHBoxLayout()
        role_row.addWidget(self.role_combo, 1)
        role_row.addWidget(self.set_role_button)
        role_row.addWidget(self.toggle_button)
        self.reset_edit = _password("resetPassword", "temporary password, 8+ characters")
        self.reset_button = key_button("Reset password", "Ctrl+P", "resetPasswordButton")
        self.reset_button.clicked.connect(self.reset_password)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.reset_edit, 1)
        reset_row.addWidget(self.reset_button)
        form.addRow(buddy_label("R&ole", self.role_combo), role_row)
        form.addRow(buddy_label("New pass&word", self.reset_edit), reset_row)
        return box

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add a user")
        row = QHBoxLayout(box)
        self.new_name_edit = QLineEdit(objectName="newUsername")
        self.new_name_edit.setPlaceholderText("user name")
        self.new_role_combo = _roles()
        self.new_password_edit = _password("newUserPassword", "temporary password")
        self.add_button = key_button("Add user", "Ctrl+N", "addUser")
        self.add_button.clicked.connect(self.add_user)
        row.addWidget(self.new_name_edit, 2)
        row.addWidget(self.new_role_combo, 1)
        row.addWidget(self.new_password_edit, 3)
        row.addWidget(self.add_button)
        return box

    # --- what is shown --------------------------------------------------------------------
    def selected(self) -> Any | None:
        """The user whose row is selected, if any."""
        if not self.table.selectedItems():
            return None
        return self.rows[self.table.currentRow()]

    def select(self, username: str) -> None:
        for index, row in enumerate(self.rows):
            if row.username == username:
                self.table.selectRow(index)

    def _selection_changed(self) -> None:
        row = self.selected()
        for widget in (
            self.role_combo,
            self.set_role_button,
            self.toggle_button,
            self.reset_edit,
            self.reset_button,
        ):
            widget.setEnabled(row is not None)
        if row is not None:
            self.role_combo.setCurrentIndex(self.role_combo.findData(str(row.role)))
            self.toggle_button.setText(f"{'Disable' if row.active else 'Enable'}  [Ctrl+D]")

    def _show_rows(self, rows: list[Any], keep: str | None) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            for column, text in enumerate(_cells(row)):
                self.table.setItem(index, column, QTableWidgetItem(text))
        if keep:
            self.select(keep)
        self._selection_changed()

    # --- what the admin asks for ----------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        self._ops.run(
            partial(users.list_users, actor=self._actor),
            owner=self,
            on_success=lambda rows: self._show_rows(rows, keep),
            on_failure=self._failed,
        )

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        change, done = (
            (users.disable_user, "disabled") if row.active else (users.enable_user, "enabled again")
        )
        self._send(
            partial(change, username=row.username), row.username, f"{row.username} is {done}."
        )

    def set_role(self) -> None:
        row = self.selected()
        if row is None:
            return
        role = self.role_combo.currentData()
        self._send(
            partial(users.set_role, username=row.username, role=role),
            row.username,
            f"{row.username} is now a {role}.",
        )

    def reset_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._send(
            partial(
                users.reset_password, username=row.username, new_password=self.reset_edit.text()
            ),
            row.username,
            f"{row.username}'s password was reset: they choose a new one when they sign in.",
            clear=self.reset_edit,
        )

    def add_user(self) -> None:
        name = self.new_name_edit.text().strip()
        call = partial(
            _add_user,
            username=name,
            role=self.new_role_combo.currentData(),
            password=self.new_password_edit.text(),
        )
        self._send(
            call,
            name,
            f"{name} added: they choose their own password when they sign in.",
            clear=self.new_password_edit,
        )

    def _send(
        self, call: Callable[..., Any], username: str, news: str, *, clear: QLineEdit | None = None
    ) -> None:
        """Run one change as this admin; on success say so and show the list as it is now."""
        self.message_label.setText("")
        self.notice_label.setText("")

        def done(_result: object) -> None:
            if clear is not None:
                clear.clear()
            self.notice_label.setText(news)
            self.reload(keep=username)

        self._ops.run(
            partial(call, actor=self._actor, workstation=self._workstation),
            owner=self,
            on_success=done,
            on_failure=self._failed,
        )

    def _failed(self, failure: Failure) -> None:
        self.notice_label.setText("")
        self.message_label.setText(failure.message)
