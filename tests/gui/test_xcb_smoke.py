"""`caretill` reaches its login dialog under a real X server, so a missing xcb library fails CI.

The rest of the suite runs on Qt's offscreen platform, which needs none of the
system libraries the xcb platform does; this one starts Xvfb (scripts/test.sh
installs it) and the real entry point in a child process with QT_QPA_PLATFORM=xcb.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.xvfb import x_server

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
SHOWN = "login dialog shown"

# The real `caretill` entry point, plus a watcher that says when the login dialog is on the
# X screen and then ends the event loop.
CHILD = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pos_app.cli.main import main
from pos_app.gui.login import LoginDialog

qapp = QApplication(sys.argv[:1])

def watch():
    for widget in qapp.topLevelWidgets():
        handle = widget.windowHandle()
        if isinstance(widget, LoginDialog) and handle is not None and handle.isExposed():
            print({SHOWN!r}, qapp.platformName(), flush=True)
            qapp.exit(0)
        elif isinstance(widget, QMessageBox) and widget.isVisible():
            print("message box instead:", widget.text(), flush=True)
            qapp.exit(1)

timer = QTimer()
timer.timeout.connect(watch)
timer.start(20)
sys.exit(main([]))
"""


@pytest.fixture
def x_display() -> Iterator[str]:
    with x_server() as display:
        yield display


def test_caretill_reaches_the_login_dialog_on_a_real_x_server(x_display, gui_books, tmp_path):
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "CARETILL_DB": gui_books.app.settings.db_url,  # migrated, with a facility and users
        "CARETILL_CONFIG": str(tmp_path / "config.json"),
        "CARETILL_WORKSTATION": "WS01",
    }
    env.pop("WAYLAND_DISPLAY", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, f"caretill failed under xcb:\n{done.stdout}{done.stderr[-3000:]}"
    assert f"{SHOWN} xcb" in done.stdout, done.stderr[-3000:]
    print(f"login dialog on X after {elapsed:.2f} s")
