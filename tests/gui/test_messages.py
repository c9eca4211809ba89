"""The status bar is the window's one message line: good news in green, failures in red."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_app.domain.errors import Refused
from pos_app.gui.app import STYLESHEET
from tests.gui.conftest import type_into

GREEN, RED = "#0a6b2f", "#b00020"


def _refused(_uow: object) -> None:
    raise Refused("The till is locked for the night.", code="till_locked")


def test_shift_opened_shows_green_and_a_failure_shows_red_in_the_status_bar(qtbot, till):
    window = till.controller.window
    window.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))
    bar = window.statusBar()
    qtbot.waitUntil(lambda: window.shift_label.text() == "No shift open")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    opening = till.controller.shifts.open_dialog
    qtbot.waitUntil(opening.isVisible)
    type_into(qtbot, opening.float_edit, "500")
    qtbot.keyClick(opening.float_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Shift opened" in bar.currentMessage())
    assert bar.palette().windowText().color().name() == GREEN

    till.operations.run(_refused)  # nobody handles it: the window reports it
    qtbot.waitUntil(lambda: "locked" in bar.currentMessage())
    assert bar.palette().windowText().color().name() == RED
