"""Who is signed in, where, and for which facility; and closing what a session opened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication, QWidget

from pos_app.domain.actors import Actor
from pos_app.domain.facility import Facility


@dataclass(frozen=True)
class Session:
    actor: Actor
    workstation: str
    facility: Facility

    def who(self) -> str:
        """The top bar's line: user, role and workstation."""
        return f"{self.actor.username} ({self.actor.role.value})  ·  {self.workstation}"


def _belongs(widget: QWidget, roots: set[int]) -> bool:
    """`widget` is one of the roots or a window or dialog opened on top of one."""
    while widget is not None:
        if id(widget) in roots:
            return True
        widget = widget.parentWidget()
    return False


def close_windows(roots: Iterable[QWidget]) -> None:
    """Close every window and dialog of a session, then delete them.

    A dialog parented to a window is its own top-level window: hiding the
    window would leave it on screen, so each one is closed, deepest first.
    """
    roots = list(roots)
    ids = {id(root) for root in roots}
    owned = [w for w in QApplication.topLevelWidgets() if w.isVisible() and _belongs(w, ids)]
    for widget in sorted(owned, key=lambda w: w in roots):
        widget.close()
    for root in roots:
        root.deleteLater()
