"""First-start setup (and, for an admin, Settings): which database, which workstation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pos_app import config
from pos_app.adapters.database import Timeouts
from pos_app.bootstrap import build
from pos_app.domain.errors import BadInput, CareTillError
from pos_app.gui.operations import Operations
from pos_app.gui.widgets import cancel_button, refusal_label
from pos_app.services import health

PG_PLACEHOLDER = "postgresql://user:password@server/caretill"
# libpq tries the hosts in turn and keeps the one that takes writes: after a failover the
# till finds the promoted standby by itself.
PG_HELP = (
    "One server: postgresql://user@server/caretill. With a standby for failover, "
    "list both and ask for the writable one: postgresql://user@/caretill?"
    "host=db1:5432&host=db2:5432&target_session_attrs=read-write"
)


def check_connection(url: str) -> str:
    """Reach the database at `url` once; raises the product error if it cannot."""
    settings = config.Settings(
        db_url=url,
        workstation=config.DEFAULT_WORKSTATION,
        timeouts=Timeouts(),
        config_path=Path(),
        local={},
    )
    app = build(settings)
    try:
        health.ping(app.uow(write=False))
    finally:
        app.close()
    return url


class SetupDialog(QDialog):
    """Writes {"db_url", "workstation", "facility_name", "load_demo"} to the local config."""

    def __init__(
        self,
        *,
        operations: Operations,
        path: Path,
        current: Mapping[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("CareTill – workstation setup")
        self.setObjectName("setupDialog")
        self._ops, self._path, self._current = operations, path, dict(current)
        url = str(current.get("db_url") or config.default_db_url())
        self.sqlite_radio = QRadioButton("Embedded SQLite on this computer")
        self.pg_radio = QRadioButton("PostgreSQL server (shared by all tills)")
        self.sqlite_edit = QLineEdit(url if url.startswith("sqlite") else config.default_db_url())
        self.pg_edit = QLineEdit(url if url.startswith("postgresql") else "")
        self.pg_edit.setPlaceholderText(PG_PLACEHOLDER)
        self.pg_help = QLabel(PG_HELP)
        self.pg_help.setWordWrap(True)
        (self.pg_radio if url.startswith("postgresql") else self.sqlite_radio).setChecked(True)
        self.workstation_edit = QLineEdit(str(current.get("workstation") or "WS01"))
        self.facility_edit = QLineEdit(str(current.get("facility_name") or ""))
        self.demo_check = QCheckBox("Load demo data if the database is empty")
        self.test_button = QPushButton("Test connection  [Ctrl+T]")
        self.test_button.setShortcut("Ctrl+T")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton("Save  [Enter]")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.message_label = refusal_label()
        self._layout()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.sqlite_radio)
        form.addRow("SQLite URL", self.sqlite_edit)
        form.addRow(self.pg_radio)
        form.addRow("PostgreSQL URL", self.pg_edit)
        form.addRow("", self.pg_help)
        form.addRow("&Workstation id", self.workstation_edit)
        form.addRow("&Facility name", self.facility_edit)
        form.addRow(self.demo_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel_button(self))
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        self.resize(760, 420)

    def url(self) -> str:
        edit = self.pg_edit if self.pg_radio.isChecked() else self.sqlite_edit
        return edit.text().strip()

    def test_connection(self) -> None:
        """Off the GUI thread: a slow or absent server never freezes the dialog."""
        url = self.url()
        self.message_label.setText("Testing…")
        self.test_button.setEnabled(False)
        self._ops.run(
            lambda _uow: check_connection(url),
            owner=self,
            on_success=lambda _: self._tested("Connection works."),
            on_failure=lambda failure: self._tested(failure.message),
        )

    def _tested(self, text: str) -> None:
        self.test_button.setEnabled(True)
        self.message_label.setText(text)

    def values(self) -> dict[str, Any]:
        return {
            **self._current,
            "db_url": self.url(),
            "workstation": config.check_workstation(self.workstation_edit.text()),
            "facility_name": self.facility_edit.text().strip(),
            "load_demo": self.demo_check.isChecked(),
        }

    def save(self) -> None:
        try:
            values = self.values()
            if not values["db_url"]:
                raise BadInput("Give the database URL.")
            # The password goes to the keyring (or libpq's password file), not config.json.
            config.save_local_config(self._path, values)
        except CareTillError as error:
            self._tested(error.message)
            return
        self.accept()
