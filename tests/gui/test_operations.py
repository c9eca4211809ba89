"""The background runner: outcomes come back on the GUI thread, errors in cashier words."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool

from pos_app.domain.errors import Refused
from pos_app.gui.operations import INTERNAL_ERROR, Failure, Operations


def _ops() -> Operations:
    return Operations(new_uow=lambda: "uow")


def test_success_arrives_on_the_gui_thread_with_the_result(qtbot):
    ops, seen = _ops(), []
    main = threading.get_ident()
    with qtbot.waitSignal(ops.busy_changed, check_params_cb=lambda busy: not busy):
        ops.run(
            lambda uow: (uow, threading.get_ident()),
            on_success=lambda out: seen.append((out, threading.get_ident())),
        )
    assert seen[0][0][0] == "uow"
    assert seen[0][0][1] != main and seen[0][1] == main


def test_a_product_error_keeps_its_message(qtbot):
    ops, seen = _ops(), []

    def refuse(uow):
        raise Refused("No money.", code="insufficient_wallet_balance")

    ops.run(refuse, on_failure=seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [Failure("insufficient_wallet_balance", "No money.")]


def test_a_bug_says_nothing_was_charged_and_unhandled_failures_are_signalled(qtbot, caplog):
    ops = _ops()
    with qtbot.waitSignal(ops.failed) as blocker:
        ops.run(lambda uow: 1 / 0)
    assert blocker.args[0].message == INTERNAL_ERROR
    assert "ZeroDivisionError" in caplog.text
    QThreadPool.globalInstance().waitForDone()
