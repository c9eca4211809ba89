"""Run service calls off the GUI thread and hand their outcome back to it.

Every widget action is one `operations.run(...)` call: the service gets a fresh
unit of work on a pool thread, and success or failure comes back as a queued
signal on the GUI thread, so the window never freezes on a slow or lost database.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.errors import CareTillError

log = logging.getLogger("caretill.gui")
INTERNAL_ERROR = "Internal error: nothing was charged."

ServiceCall = Callable[[UnitOfWork], Any]
Success = Callable[[Any], None]


@dataclass(frozen=True)
class Failure:
    """Why a service call did not happen, in words a cashier can act on."""

    code: str
    message: str
    unavailable: bool = False
    details: dict = field(default_factory=dict)  # the error's facts, e.g. attempts_left


def failure_of(exc: BaseException) -> Failure:
    """Product errors keep their message; anything else is a bug and is logged."""
    if isinstance(exc, CareTillError):
        return Failure(exc.code, exc.message, exc.code == "database_unavailable", dict(exc.details))
    log.error("internal error in a background operation", exc_info=exc)
    return Failure("internal_error", INTERNAL_ERROR)


@dataclass
class _Pending:
    on_success: Success | None
    on_failure: Callable[[Failure], None] | None
    owner: QObject | None
    busy: bool
    epoch: int | None  # the session it was started in; None outlives every session


class _Job(QRunnable):
    """One service call on a pool thread; reports through the runner's queued signal."""

    def __init__(
        self, runner: Operations, job_id: int, call: ServiceCall, new_uow: Callable[[], UnitOfWork]
    ) -> None:
        super().__init__()
        self._runner, self._id, self._call, self._new_uow = runner, job_id, call, new_uow

    def run(self) -> None:
        try:
            outcome: Any = self._call(self._new_uow())
            ok = True
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI
            outcome, ok = failure_of(exc), False
        self._runner.finished.emit(self._id, ok, outcome)


class Operations(QObject):
    """The one way widgets reach the service layer; counts what is in flight."""

    busy_changed = Signal(bool)
    failed = Signal(object)  # Failure nobody handled: the window shows it
    finished = Signal(int, bool, object)  # internal: pool thread -> GUI thread

    def __init__(
        self,
        *,
        new_uow: Callable[[], UnitOfWork],
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._new_uow = new_uow
        self._pool = pool or QThreadPool.globalInstance()
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._busy = 0
        self._epoch = 0
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def run(
        self,
        call: ServiceCall,
        *,
        on_success: Success | None = None,
        on_failure: Callable[[Failure], None] | None = None,
        owner: QObject | None = None,
        busy: bool = True,
        outlives_session: bool = False,
    ) -> None:
        """Call `call(uow)` in the background; callbacks run on the GUI thread.

        `owner`: if that widget is gone by then, the outcome is dropped quietly.
        `busy=False` for background chores (health pings) that must not blink the cursor.
        `outlives_session=True` for what belongs to the till, not to a user (health pings):
        every other outcome is dropped once `end_session` was called after it started.
        """
        job_id = next(self._ids)
        epoch = None if outlives_session else self._epoch
        self._pending[job_id] = _Pending(on_success, on_failure, owner, busy, epoch)
        if busy:
            self._add_busy(1)
        self._pool.start(_Job(self, job_id, call, self._new_uow))

    @property
    def idle(self) -> bool:
        """Nothing started is still waiting to be delivered."""
        return not self._pending

    def end_session(self) -> None:
        """Sign-out or lock: answers of calls started so far go nowhere, not to closed windows."""
        self._epoch += 1

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every started call is done (tests and shutdown only)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, ok: bool, outcome: object) -> None:
        pending = self._pending.pop(job_id)
        if pending.busy:
            self._add_busy(-1)
        if pending.owner is not None and not shiboken6.isValid(pending.owner):
            return
        if pending.epoch is not None and pending.epoch != self._epoch:
            return
        if ok:
            if pending.on_success is not None:
                pending.on_success(outcome)
        elif pending.on_failure is not None:
            pending.on_failure(outcome)
        else:
            self.failed.emit(outcome)

    def _add_busy(self, delta: int) -> None:
        was = self.busy
        self._busy += delta
        if was != self.busy:
            self.busy_changed.emit(self.busy)
