"""Watches the database every few seconds so the window can show its lost-connection banner."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from pos_app.adapters.uow import UnitOfWork
from pos_app.gui.operations import Failure, Operations
from pos_app.services import health

PING_INTERVAL_MS = 2500


class ConnectionMonitor(QObject):
    """Pings off the GUI thread; emits `online_changed` only when the answer changes."""

    online_changed = Signal(bool)

    def __init__(
        self,
        *,
        operations: Operations,
        ping: Callable[[UnitOfWork], None] = health.ping,
        interval_ms: int = PING_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops, self._ping = operations, ping
        self._online = True
        self._in_flight = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)

    @property
    def online(self) -> bool:
        return self._online

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check_now(self) -> None:
        """One ping, unless one is still waiting on a slow database."""
        if self._in_flight:
            return
        self._in_flight = True
        self._ops.run(
            self._ping,
            on_success=lambda _: self._answer(True),
            on_failure=self._failed,
            owner=self,
            busy=False,
            outlives_session=True,
        )

    def report_failure(self, failure: Failure) -> None:
        """A service call found the database gone: show the banner without waiting."""
        if failure.unavailable:
            self._set(False)

    def _failed(self, failure: Failure) -> None:
        self._answer(False)

    def _answer(self, online: bool) -> None:
        self._in_flight = False
        self._set(online)

    def _set(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)
