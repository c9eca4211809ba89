"""Sign-out and the idle lock close every window of the session, and its actor cannot act."""

from __future__ import annotations

import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, Refused
from pos_app.gui.app import Shell, prepare
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.idle_lock import IdleLock, idle_lock_ms
from pos_app.gui.operations import Operations
from pos_app.gui.reason_dialog import ask_reprint_reason
from pos_app.gui.users_dialog import UsersDialog
from pos_app.services.pay import pay
from pos_app.services.refund_requests import decide_request, request_refund
from pos_app.services.tenders import TenderRequest
from tests.gui.conftest import Database
from tests.helpers.books import PASSWORD, new_key


@pytest.fixture
def database() -> Database:
    return Database()


@pytest.fixture
def make_shell(qtbot, gui_books, database, settle):
    """The shell at the login dialog; `idle_ms` is the idle lock's timeout."""
    app = gui_books.app
    ops = Operations(new_uow=app.uow)
    monitor = ConnectionMonitor(operations=ops, ping=database.ping, interval_ms=100)
    made: list[Shell] = []

    def make(idle_ms: int = 60_000) -> Shell:
        made.append(
            Shell(app=app, operations=ops, monitor=monitor, facility_=prepare(app), idle_ms=idle_ms)
        )
        made[-1].start()
        return made[-1]

    yield make
    for instance in made:
        instance.idle_lock.stop()
    monitor.stop()
    QThreadPool.globalInstance().waitForDone()
    qtbot.waitUntil(lambda: ops.idle)
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()


@pytest.fixture
def shell(make_shell) -> Shell:
    return make_shell()


def sign_in(qtbot, shell: Shell, user: str) -> None:
    login = shell.login
    login.user_edit.clear()
    qtbot.keyClicks(login.user_edit, user)
    qtbot.keyClicks(login.password_edit, PASSWORD)
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: shell.controller is not None and shell.controller.session.actor.username == user
    )


_EARLIER: set[int] = set()


@pytest.fixture(autouse=True)
def _ignore_windows_of_earlier_tests() -> None:
    """Windows other tests left open are not this session's: count only windows made here."""
    _EARLIER.clear()
    _EARLIER.update(id(w) for w in QApplication.topLevelWidgets() if w.isVisible())


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in _EARLIER]


def gone(qtbot, widgets: list[QWidget]) -> None:
    """Wait until Qt has deleted every one of `widgets` (deferred deletes run in the loop)."""
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(w) for w in widgets))


def ended_sessions(app, username: str) -> list[str | None]:
    with app.uow(write=False) as uow:
        return list(
            uow.execute(
                select(t.user_sessions.c.end_reason)
                .join(t.users)
                .where(t.users.c.username == username)
                .order_by(t.user_sessions.c.id)
            ).scalars()
        )


def test_a_leftover_dashboard_cannot_approve_a_refund_after_sign_out(qtbot, shell, gui_books):
    books = gui_books
    books.patient("P1", balance="1000.00")
    items = books.bill("P1", ("CONS", 1))
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("wallet", "1000.00")],
    )
    sign_in(qtbot, shell, "supervisor")
    supervisor = shell.controller.session.actor
    shell.controller.show_dashboard()
    dashboard, window = shell.controller.dashboard, shell.controller.window
    qtbot.waitUntil(dashboard.isVisible)
    shell.controller.show_help()  # a dialog of the window, a top-level window of its own
    old = [dashboard, window, shell.controller.help_sheet]

    window.actions_by_name["sign_out"].trigger()

    assert visible_windows() == [shell.login]
    gone(qtbot, old)
    sign_in(qtbot, shell, "cashier")
    assert visible_windows() == [shell.controller.window]
    qtbot.waitUntil(lambda: ended_sessions(books.app, "supervisor") == ["sign_out"])
    asked = request_refund(
        books.app.uow(),
        actor=shell.controller.session.actor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="my own",
    )
    with pytest.raises(Refused) as refused:
        decide_request(
            books.app.uow(),
            actor=supervisor,
            workstation="WS01",
            request_id=asked.request_id,
            approve=True,
            key=new_key(),
        )
    assert refused.value.code == "session_ended"
    assert books.item_status(items[0]) == "paid"


def test_the_next_session_hears_the_banner_and_the_old_dialogs_do_not(
    qtbot, shell, gui_books, database
):
    gui_books.patient("P1", balance="100.00")
    sign_in(qtbot, shell, "cashier")
    controller = shell.controller
    controller.open_patient("P1")
    qtbot.waitUntil(lambda: controller.detail is not None)
    top_up = controller.flows.start_top_up(controller.detail)
    qtbot.waitUntil(top_up.isVisible)
    controller.window.actions_by_name["sign_out"].trigger()
    gone(qtbot, [top_up, controller.window])
    sign_in(qtbot, shell, "cashier")

    database.down = True  # the old top-up dialog must not be told: it is deleted

    qtbot.waitUntil(shell.controller.window.banner.isVisible)


def test_answers_of_an_ended_session_are_dropped_but_the_tills_own_arrive(qtbot):
    ops, release, seen = Operations(new_uow=lambda: "uow"), threading.Event(), []

    def slow(_uow):
        release.wait(10)
        return "late"

    ops.run(slow, on_success=lambda out: seen.append(("session", out)))
    ops.run(slow, on_success=lambda out: seen.append(("till", out)), outlives_session=True)
    ops.end_session()
    ops.run(lambda _uow: "new", on_success=lambda out: seen.append(("next", out)))
    release.set()
    qtbot.waitUntil(lambda: ops.idle)
    assert sorted(seen) == [("next", "new"), ("till", "late")]
    assert not ops.busy


def test_the_idle_lock_closes_the_window_and_the_login_says_why(qtbot, make_shell, gui_books):
    shell = make_shell(idle_ms=300)
    sign_in(qtbot, shell, "cashier")
    window = shell.controller.window
    shell.controller.show_help()
    old = [window, shell.controller.help_sheet]

    qtbot.waitUntil(lambda: shell.controller is None, timeout=5000)

    assert visible_windows() == [shell.login]
    assert shell.login.notice_label.text() == "Locked after 0.3 seconds without use: sign in again."
    assert shell.login.user_edit.text() == "cashier"
    gone(qtbot, old)
    qtbot.waitUntil(lambda: ended_sessions(gui_books.app, "cashier") == ["idle_lock"])


def test_the_lock_ends_a_modal_prompt_waiting_in_its_own_loop(qtbot, make_shell):
    shell = make_shell(idle_ms=300)
    sign_in(qtbot, shell, "cashier")
    window, answers = shell.controller.window, []
    QTimer.singleShot(0, lambda: answers.append(ask_reprint_reason(window, "WS01-000001")))
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)  # exec() returned: cancelled
    assert answers == [None]
    gone(qtbot, [window])
    assert visible_windows() == [shell.login]


def test_keys_keep_the_till_awake_and_it_locks_once_they_stop(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    lock, fired = IdleLock(timeout_ms=200), []
    lock.idle.connect(lambda: fired.append(time.monotonic()))
    lock.start()
    typing_until = time.monotonic() + 0.8

    def typing() -> bool:
        qtbot.keyClick(edit, Qt.Key.Key_A)
        return time.monotonic() > typing_until

    qtbot.waitUntil(typing, timeout=3000)
    assert fired == []
    with qtbot.waitSignal(lock.idle, timeout=2000):
        pass
    assert not lock.running


@pytest.mark.parametrize(
    ("local", "ms"),
    [({}, 300_000), ({"idle_lock_minutes": 2}, 120_000), ({"idle_lock_minutes": 1.5}, 90_000)],
)
def test_the_idle_time_is_a_workstation_setting_of_five_minutes_by_default(local, ms):
    assert idle_lock_ms(local) == ms


@pytest.mark.parametrize("minutes", [0, -1, "5", True, 10_000, None])
def test_a_nonsense_idle_time_is_refused_with_a_code(minutes):
    with pytest.raises(BadInput) as refused:
        idle_lock_ms({"idle_lock_minutes": minutes})
    assert refused.value.code == "invalid_config"


def test_only_an_admin_window_has_the_users_screen(qtbot, shell):
    sign_in(qtbot, shell, "cashier")
    menus = [a.text() for a in shell.controller.window.menuBar().actions()]
    assert "A&dmin" not in menus
    shell.controller.window.actions_by_name["sign_out"].trigger()
    sign_in(qtbot, shell, "admin")
    window = shell.controller.window
    assert "A&dmin" in [a.text() for a in window.menuBar().actions()]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(
        lambda: isinstance(shell.users_dialog, UsersDialog) and shell.users_dialog.isVisible()
    )
    dialog = shell.users_dialog
    qtbot.waitUntil(lambda: len(dialog.rows) == 4)
    window.actions_by_name["sign_out"].trigger()
    gone(qtbot, [dialog, window])
