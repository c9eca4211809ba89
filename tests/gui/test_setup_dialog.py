"""First-start setup tests the connection and writes the local config."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from pos_app.gui.operations import Operations
from pos_app.gui.setup_dialog import SetupDialog


def test_setup_tests_the_connection_and_saves_the_local_config(qtbot, tmp_path, sqlite_url, settle):
    path = tmp_path / "config.json"
    dialog = SetupDialog(operations=Operations(new_uow=lambda: None), path=path, current={})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sqlite_edit.setText(sqlite_url)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Connection works.")
    dialog.pg_radio.setChecked(True)
    dialog.pg_edit.setText("postgresql://nobody@127.0.0.1:1/none")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in dialog.message_label.text(), timeout=10000)
    dialog.sqlite_radio.setChecked(True)
    dialog.workstation_edit.setText("x")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Workstation id" in dialog.message_label.text() and not path.exists()
    dialog.workstation_edit.setText("ws07")
    dialog.facility_edit.setText("St. Mary's")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = json.loads(path.read_text())
    assert saved["db_url"] == sqlite_url and saved["workstation"] == "WS07"
    assert saved["facility_name"] == "St. Mary's"
