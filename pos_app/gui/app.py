"""`caretill` with no sub-command: setup on first start, sign in, then the cashier window."""

from __future__ import annotations

import logging
import os
import sys
from functools import partial

from PySide6.QtCore import QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from pos_app import config
from pos_app.bootstrap import App, build
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import CareTillError
from pos_app.domain.facility import Facility
from pos_app.gui.controller import CashierController
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.idle_lock import DEFAULT_IDLE_LOCK_MINUTES, IdleLock, idle_lock_ms
from pos_app.gui.login import LoginDialog
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.payers_dialog import PayersDialog, add_payers_action
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.gui.session import Session, close_windows
from pos_app.gui.setup_dialog import SetupDialog
from pos_app.gui.users_dialog import UsersDialog, add_users_menu
from pos_app.receipts.printer_config import PrinterConfig, printer_config
from pos_app.resources import resource_path
from pos_app.services import auth, demo, facility

STYLESHEET = resource_path("styles/caretill.qss")
log = logging.getLogger("caretill.gui")


def style(qapp: QApplication) -> None:
    """Large fonts and high contrast for a till read at arm's length."""
    font = QFont(qapp.font())
    font.setPointSize(14)
    qapp.setFont(font)
    if STYLESHEET is not None:
        qapp.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))


def idle_words(ms: int) -> str:
    """How long the till waited before locking, e.g. "5 minutes"."""
    minutes, rest = divmod(ms, 60_000)
    if minutes and not rest:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{ms / 1000:g} seconds"


class Shell(QObject):
    """Sign in -> window -> sign out or idle lock -> sign in again, on one event loop."""

    def __init__(
        self,
        *,
        app: App,
        operations: Operations,
        monitor: ConnectionMonitor,
        facility_: Facility,
        outputs: ReceiptOutputs | None = None,
        idle_ms: int = DEFAULT_IDLE_LOCK_MINUTES * 60_000,
    ) -> None:
        super().__init__()
        self._app, self._ops, self._monitor = app, operations, monitor
        self._facility, self._outputs = facility_, outputs
        self.login: LoginDialog | None = None
        self.controller: CashierController | None = None
        self.users_dialog: UsersDialog | None = None
        self.payers_dialog: PayersDialog | None = None
        self._idle_ms = idle_ms
        self.idle_lock = IdleLock(timeout_ms=idle_ms, parent=self)
        self.idle_lock.idle.connect(lambda: self.end_session("idle_lock"))

    def start(self) -> LoginDialog:
        """The login dialog, shown; the session starts when someone signs in."""
        self.login = LoginDialog(
            operations=self._ops,
            workstation=self._app.workstation,
            title=self._facility.name or "CareTill",
        )
        self.login.signed_in.connect(self._signed_in)
        self.login.rejected.connect(self._quit_if_alone)
        self.login.show()
        return self.login

    def _quit_if_alone(self) -> None:
        if self.controller is None:
            QApplication.quit()

    def _signed_in(self, actor: Actor) -> None:
        session = Session(actor, self._app.workstation, self._facility)
        self.controller = CashierController(
            operations=self._ops,
            monitor=self._monitor,
            session=session,
            outputs=self._outputs,
            replica=self._app.report_uow,
        )
        self.controller.signed_out.connect(lambda: self.end_session("sign_out"))
        self.controller.settings_requested.connect(self._settings)
        if actor.role is Role.ADMIN:
            add_users_menu(self.controller.window, self._users)
            add_payers_action(self.controller.window, self._payers)
        window = self.controller.window
        # A till screen is often only 1366x768; a kiosk session may have no window manager
        # to honour "maximised", so take the available geometry ourselves as well.
        window.setGeometry(window.screen().availableGeometry())
        window.showMaximized()
        self.controller.window.focus_search()
        self._monitor.start()
        self.idle_lock.start()

    def end_session(self, reason: str) -> None:
        """Sign-out or idle lock: only the login is left, and nothing of the session acts.

        Every window and dialog of the session is closed and deleted, answers of
        its calls still in flight are dropped, and the session row is ended in the
        background so a kept `Actor` is refused (`session_ended`) from then on.
        """
        controller, self.controller = self.controller, None
        if controller is None:
            return
        self.idle_lock.stop()
        self._monitor.stop()
        self._ops.end_session()
        # Listeners of the banner signal are the session's flows; some are plain objects
        # that Qt cannot disconnect when their widgets go.
        self._monitor.online_changed.disconnect()
        actor = controller.session.actor
        login = self.start()  # first: closing the last window would quit the application
        if reason == "idle_lock":
            login.show_notice(
                f"Locked after {idle_words(self._idle_ms)} without use: sign in again.",
                username=actor.username,
            )
        roots = [w for w in (controller.window, controller.dashboard) if w is not None]
        self.users_dialog = self.payers_dialog = None
        controller.deleteLater()
        close_windows(roots)
        self._ops.run(
            partial(auth.sign_out, actor=actor, workstation=self._app.workstation, reason=reason),
            on_failure=partial(self._sign_out_failed, actor.username),
            busy=False,
            outlives_session=True,
        )

    @staticmethod
    def _sign_out_failed(username: str, failure: Failure) -> None:
        log.warning("the session of %s could not be ended: %s", username, failure.message)

    def _users(self) -> None:
        """Admins: the users screen, on top of the window of this session."""
        if self.controller is None or self.controller.session.actor.role is not Role.ADMIN:
            return
        session = self.controller.session
        self.users_dialog = UsersDialog(
            operations=self._ops,
            actor=session.actor,
            workstation=session.workstation,
            parent=self.controller.window,
        )
        self.users_dialog.open()

    def _payers(self) -> None:
        """Admins: the payers and schemes screen, on top of the window of this session."""
        if self.controller is None or self.controller.session.actor.role is not Role.ADMIN:
            return
        session = self.controller.session
        self.payers_dialog = PayersDialog(
            operations=self._ops,
            actor=session.actor,
            workstation=session.workstation,
            parent=self.controller.window,
        )
        self.payers_dialog.open()

    def _settings(self) -> None:
        if self.controller is None or self.controller.session.actor.role is not Role.ADMIN:
            return
        dialog = SetupDialog(
            operations=self._ops,
            path=self._app.settings.config_path,
            current=self._app.settings.local,
            parent=self.controller.window,
        )
        dialog.accepted.connect(
            lambda: (
                self.controller
                and self.controller.messages.success(
                    "Settings saved: they apply when CareTill is started again."
                )
            )
        )
        dialog.open()


def receipt_outputs(app: App) -> ReceiptOutputs:
    """This workstation's receipt printer; a broken setting falls back to the print dialog."""
    try:
        return ReceiptOutputs(printer=printer_config(app.settings.local, app.workstation))
    except CareTillError as error:
        QMessageBox.warning(
            None,
            "CareTill",
            f"{error.message} Receipts go to the system print dialog until it is fixed.",
        )
        return ReceiptOutputs(printer=PrinterConfig())


def first_start(settings: config.Settings) -> bool:
    return not settings.config_path.exists() and not os.environ.get("CARETILL_DB")


def prepare(app: App, *, new_workstation: bool = False) -> Facility:
    """Migrate the schema, load the demo if asked on an empty database, read the facility.

    Only a workstation being set up may create its SQLite file; later a missing file is
    an error to report, never a reason to start on empty books."""
    app.upgrade_schema(create_file=new_workstation)
    if app.settings.local.get("load_demo"):
        try:
            demo.load_demo(
                app.uow,
                workstation=app.workstation,
                patients=200,
                facility_name=app.settings.local.get("facility_name"),
            )
        except CareTillError as error:
            if error.code != "database_not_empty":
                raise
    return facility.get_facility(app.uow(write=False))


def run_window(settings: config.Settings) -> int:
    """Open the cashier window; returns the process exit status."""
    qapp = QApplication.instance() or QApplication(sys.argv)
    style(qapp)
    new_workstation = first_start(settings)
    if new_workstation:
        setup = SetupDialog(
            operations=Operations(new_uow=lambda: None), path=settings.config_path, current={}
        )
        setup.demo_check.setChecked(True)
        if setup.exec() != QDialog.DialogCode.Accepted:
            return 0
        settings = config.resolve()
    app = build(settings)
    try:
        facility_ = prepare(app, new_workstation=new_workstation)
        idle_ms = idle_lock_ms(app.settings.local)
    except CareTillError as error:
        QMessageBox.critical(None, "CareTill", error.message)
        app.close()
        return error.exit_status
    operations = Operations(new_uow=app.uow)
    monitor = ConnectionMonitor(operations=operations)
    shell = Shell(
        app=app,
        operations=operations,
        monitor=monitor,
        facility_=facility_,
        outputs=receipt_outputs(app),
        idle_ms=idle_ms,
    )
    shell.start()
    try:
        return qapp.exec()
    finally:
        monitor.stop()
        operations.wait()
        app.close()
