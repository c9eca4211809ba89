"""The till locks itself when nobody has touched a key or the mouse for a while."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from pos_app.domain.errors import BadInput

DEFAULT_IDLE_LOCK_MINUTES = 5
CONFIG_KEY = "idle_lock_minutes"
# What counts as someone at the till; paint, timer and focus events do not.
ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


def idle_lock_ms(local: Mapping[str, Any]) -> int:
    """The workstation's idle time before the lock, from its local configuration."""
    minutes = local.get(CONFIG_KEY, DEFAULT_IDLE_LOCK_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 1 <= minutes <= 720:
        raise BadInput(
            f"{CONFIG_KEY} in the configuration must be a number of minutes from 1 "
            f"to 720, not {minutes!r}.",
            code="invalid_config",
        )
    return int(minutes * 60_000)


class IdleLock(QObject):
    """An application-wide event filter: `idle` after `timeout_ms` without key or mouse."""

    idle = Signal()

    def __init__(self, *, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True, interval=timeout_ms)
        self._timer.timeout.connect(self._fire)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Watch every window of the application, from now on."""
        QCoreApplication.instance().installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        QCoreApplication.instance().removeEventFilter(self)
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in ACTIVITY:
            self._timer.start()
        return False

    def _fire(self) -> None:
        self.stop()
        self.idle.emit()
