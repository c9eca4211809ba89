"""The shell: first start is detected, sign in opens the window, sign out returns to login."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool

from pos_app.domain.errors import Refused, Unavailable
from pos_app.gui.app import Shell, first_start, prepare
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.operations import Operations
from tests.conftest import make_app


def test_first_start_only_without_config_file_and_without_env(tmp_path, monkeypatch, sqlite_app):
    monkeypatch.delenv("CARETILL_DB", raising=False)
    assert first_start(sqlite_app.settings)
    monkeypatch.setenv("CARETILL_DB", "sqlite:///x")
    assert not first_start(sqlite_app.settings)


def test_sign_in_opens_the_window_and_sign_out_goes_back_to_login(qtbot, gui_books, settle):
    app = gui_books.app
    facility = prepare(app)
    ops = Operations(new_uow=app.uow)
    monitor = ConnectionMonitor(operations=ops, interval_ms=100)
    shell = Shell(app=app, operations=ops, monitor=monitor, facility_=facility)
    shell.start()
    login = shell.login
    qtbot.addWidget(login)
    qtbot.keyClicks(login.user_edit, "admin")
    qtbot.keyClicks(login.password_edit, "correct horse")
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.controller is not None)
    window = shell.controller.window  # owned by the shell, which deletes it on sign out
    assert window.isVisible() and "admin" in window.session_label.text()
    assert window.settings_action.isEnabled()
    assert facility.name in window.facility_label.text()
    window.actions_by_name["sign_out"].trigger()
    assert shell.controller is None and shell.login is not login and shell.login.isVisible()
    qtbot.addWidget(shell.login)
    monitor.stop()
    QThreadPool.globalInstance().waitForDone()
    qtbot.waitUntil(lambda: ops.idle)


def test_a_till_whose_sqlite_file_vanished_says_so_and_does_not_start_on_empty_books(tmp_path):
    missing = tmp_path / "gone.sqlite3"
    app = make_app(f"sqlite:///{missing}", tmp_path)
    try:
        with pytest.raises(Unavailable, match="does not exist"):
            prepare(app)
        assert not missing.exists()
        # Setting up a new workstation creates it on purpose (then asks for the facility).
        with pytest.raises(Refused, match="not set up"):
            prepare(app, new_workstation=True)
        assert missing.exists()
    finally:
        app.close()
