"""Sign in, and change a password that must be changed before anything else."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.actors import Actor
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.widgets import refusal_label
from pos_app.services import auth


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class LoginDialog(QDialog):
    """Emits `signed_in(Actor)` once the user is in with a password they chose."""

    signed_in = Signal(object)

    def __init__(
        self,
        *,
        operations: Operations,
        workstation: str,
        title: str = "CareTill",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("CareTill – sign in")
        self.setObjectName("loginDialog")
        self._ops, self._workstation = operations, workstation
        self._actor: Actor | None = None
        self.actor: Actor | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._change_page())
        self.message_label = refusal_label()
        self.notice_label = QLabel(objectName="notice")  # what to do next: not an error
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title, objectName="dialogTitle"))
        layout.addWidget(QLabel(f"Workstation {workstation}", objectName="caption"))
        layout.addWidget(self.notice_label)
        layout.addWidget(self.pages)
        layout.addWidget(self.message_label)
        self.resize(560, 360)

    def _sign_in_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.user_edit = QLineEdit(objectName="username")
        self.password_edit = _password()
        self.password_edit.setObjectName("password")
        self.sign_in_button = QPushButton("Sign in  [Enter]", objectName="signIn")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._sign_in)
        form.addRow("&User", self.user_edit)
        form.addRow("&Password", self.password_edit)
        form.addRow(self.sign_in_button)
        return page

    def _change_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.new_edit, self.confirm_edit = _password(), _password()
        self.new_edit.setObjectName("newPassword")
        self.confirm_edit.setObjectName("confirmPassword")
        self.change_button = QPushButton("Change password  [Enter]", objectName="changePassword")
        self.change_button.clicked.connect(self._change)
        form.addRow(QLabel("Choose your own password (at least 8 characters)."))
        form.addRow("&New password", self.new_edit)
        form.addRow("&Again", self.confirm_edit)
        form.addRow(self.change_button)
        return page

    def show_notice(self, text: str, *, username: str = "") -> None:
        """Why this dialog is shown (e.g. the idle lock), and whose session it was."""
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))
        if username:
            self.user_edit.setText(username)
            self.password_edit.setFocus()

    def _sign_in_failed(self, failure: Failure) -> None:
        """The service's words (attempts left, lock-out time); the next try starts empty."""
        self.sign_in_button.setEnabled(True)
        self.message_label.setText(failure.message)
        self.password_edit.clear()
        self.password_edit.setFocus()

    def _change_failed(self, failure: Failure) -> None:
        self.change_button.setEnabled(True)
        self.message_label.setText(failure.message)

    def _sign_in(self) -> None:
        self.message_label.setText("")
        self.sign_in_button.setEnabled(False)
        call = partial(
            auth.sign_in,
            username=self.user_edit.text().strip(),
            password=self.password_edit.text(),
            workstation=self._workstation,
        )
        self._ops.run(call, on_success=self._checked, on_failure=self._sign_in_failed, owner=self)

    def _checked(self, actor: Actor) -> None:
        self.sign_in_button.setEnabled(True)
        if actor.must_change_password:
            self._actor = actor
            self.pages.setCurrentIndex(1)
            self.change_button.setDefault(True)
            self.message_label.setText("")
            self.show_notice("Your password must be changed before you start.")
            self.new_edit.setFocus()
            return
        self._done(actor)

    def _change(self) -> None:
        if self.new_edit.text() != self.confirm_edit.text():
            self.message_label.setText("The two new passwords differ.")
            return
        assert self._actor is not None
        self.change_button.setEnabled(False)
        call = partial(
            auth.change_password,
            actor=self._actor,
            workstation=self._workstation,
            old_password=self.password_edit.text(),
            new_password=self.new_edit.text(),
        )
        self._ops.run(call, on_success=self._done, on_failure=self._change_failed, owner=self)

    def _done(self, actor: Actor) -> None:
        self.actor = actor
        self.signed_in.emit(actor)
        self.accept()
