"""The one bridge for what the window tells the cashier: a line in the status bar, never a popup.

Logic says whether its news is good or bad; the window decides how that looks.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QObject, Signal


class Tone(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"


class Messages(QObject):
    """Emits `posted(text, tone)`; the status bar shows success in green, errors in red."""

    posted = Signal(str, str)

    def info(self, text: str) -> None:
        self.posted.emit(text, Tone.INFO)

    def success(self, text: str) -> None:
        self.posted.emit(text, Tone.SUCCESS)

    def error(self, text: str) -> None:
        self.posted.emit(text, Tone.ERROR)


def as_messages(report: Messages | Callable[[str], None], parent: QObject) -> Messages:
    """A bridge from a plain text callback (a dashboard's message line): every tone alike."""
    if isinstance(report, Messages):
        return report
    bridge = Messages(parent)
    bridge.posted.connect(lambda text, _tone: report(text))
    return bridge
