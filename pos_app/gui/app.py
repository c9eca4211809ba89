"""`caretill` with no sub-command: setup on first start, sign in, then the cashier window."""

from __future__ import annotations

import os
import sys

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
from pos_app.gui.login import LoginDialog
from pos_app.gui.operations import Operations
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.gui.session import Session
from pos_app.gui.setup_dialog import SetupDialog
from pos_app.receipts.printer_config import PrinterConfig, printer_config
from pos_app.resources import resource_path
from pos_app.services import demo, facility

STYLESHEET = resource_path("styles/caretill.qss")


def style(qapp: QApplication) -> None:
    """Large fonts and high contrast for a till read at arm's length."""
    font = QFont(qapp.font())
    font.setPointSize(14)
    qapp.setFont(font)
    if STYLESHEET is not None:
        qapp.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))


class Shell(QObject):
    """Sign in -> window -> sign out -> sign in again, on one event loop."""

    def __init__(self, *, app: App, operations: Operations, monitor: ConnectionMonitor,
                 facility_: Facility, outputs: ReceiptOutputs | None = None) -> None:
        super().__init__()
        self._app, self._ops, self._monitor = app, operations, monitor
        self._facility, self._outputs = facility_, outputs
        self.login: LoginDialog | None = None
        self.controller: CashierController | None = None

    def start(self) -> None:
        self.login = LoginDialog(operations=self._ops, workstation=self._app.workstation,
                                 title=self._facility.name or "CareTill")
        self.login.signed_in.connect(self._signed_in)
        self.login.rejected.connect(self._quit_if_alone)
        self.login.show()

    def _quit_if_alone(self) -> None:
        if self.controller is None:
            QApplication.quit()

    def _signed_in(self, actor: Actor) -> None:
        session = Session(actor, self._app.workstation, self._facility)
        self.controller = CashierController(operations=self._ops, monitor=self._monitor,
                                            session=session, outputs=self._outputs)
        self.controller.signed_out.connect(self._sign_out)
        self.controller.settings_requested.connect(self._settings)
        self.controller.window.resize(1400, 900)
        self.controller.window.show()
        self.controller.window.focus_search()
        self._monitor.start()

    def _sign_out(self) -> None:
        controller, self.controller = self.controller, None
        self.start()
        if controller is not None:
            controller.window.close()
            controller.window.deleteLater()

    def _settings(self) -> None:
        if self.controller is None or self.controller.session.actor.role is not Role.ADMIN:
            return
        dialog = SetupDialog(operations=self._ops, path=self._app.settings.config_path,
                             current=self._app.settings.local, parent=self.controller.window)
        dialog.accepted.connect(lambda: self.controller and self.controller.messages.success(
            "Settings saved: they apply when CareTill is started again."))
        dialog.open()


def receipt_outputs(app: App) -> ReceiptOutputs:
    """This workstation's receipt printer; a broken setting falls back to the print dialog."""
    try:
        return ReceiptOutputs(printer=printer_config(app.settings.local, app.workstation))
    except CareTillError as error:
        QMessageBox.warning(None, "CareTill", f"{error.message} Receipts go to the system "
                            "print dialog until it is fixed.")
        return ReceiptOutputs(printer=PrinterConfig())


def first_start(settings: config.Settings) -> bool:
    return not settings.config_path.exists() and not os.environ.get("CARETILL_DB")


def prepare(app: App) -> Facility:
    """Migrate the schema, load the demo if asked on an empty database, read the facility."""
    app.upgrade_schema()
    if app.settings.local.get("load_demo"):
        try:
            demo.load_demo(app.uow, workstation=app.workstation, patients=200,
                           facility_name=app.settings.local.get("facility_name"))
        except CareTillError as error:
            if error.code != "database_not_empty":
                raise
    return facility.get_facility(app.uow(write=False))


def run_window(settings: config.Settings) -> int:
    """Open the cashier window; returns the process exit status."""
    qapp = QApplication.instance() or QApplication(sys.argv)
    style(qapp)
    if first_start(settings):
        setup = SetupDialog(operations=Operations(new_uow=lambda: None),
                            path=settings.config_path, current={})
        setup.demo_check.setChecked(True)
        if setup.exec() != QDialog.DialogCode.Accepted:
            return 0
        settings = config.resolve()
    app = build(settings)
    try:
        facility_ = prepare(app)
    except CareTillError as error:
        QMessageBox.critical(None, "CareTill", error.message)
        app.close()
        return error.exit_status
    operations = Operations(new_uow=app.uow)
    monitor = ConnectionMonitor(operations=operations)
    shell = Shell(app=app, operations=operations, monitor=monitor, facility_=facility_,
                  outputs=receipt_outputs(app))
    shell.start()
    try:
        return qapp.exec()
    finally:
        monitor.stop()
        operations.wait()
        app.close()
