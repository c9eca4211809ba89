"""Failover to a synchronous standby, and reports from a replica (issue 14 point 4).

Tills connect with a URL that lists both servers and asks for the writable one
(`target_session_attrs=read-write`). Payments run while the primary is killed with
`pg_ctl -m immediate` and the standby is promoted: every payment a till was told
about is on the new primary exactly once, the ones left in doubt are settled by
retrying their own keys, and the books stay whole.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import create_engine, select, text

from pos_app.adapters import tables as t
from pos_app.adapters.database import Timeouts, create_database_engine
from pos_app.adapters.grants import grant
from pos_app.adapters.migrate import upgrade
from pos_app.bootstrap import App, build
from pos_app.cli.main import main
from pos_app.config import Settings
from pos_app.domain.errors import OutcomeUnknown, Unavailable
from pos_app.gui.operations import Operations
from pos_app.gui.setup_dialog import check_connection
from pos_app.gui.supervisor.dashboard import SupervisorDashboard
from pos_app.services import reports
from pos_app.services.auth import sign_in
from pos_app.services.check import run_check
from pos_app.services.deposit import deposit
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.conftest import make_app
from tests.gui.conftest import close_till, open_patient, open_till, type_into
from tests.gui.test_cashier_flow import _open_pay
from tests.helpers.books import PASSWORD, Books, new_key
from tests.helpers.postgres import APP_ROLE, OWNER, as_role, create_roles
from tests.helpers.replication import Pair, replication_pair, wait_until

DATABASE = "caretill"
IN_DOUBT = {"outcome_unknown", "database_unavailable"}
ITEMS_PER_TILL = 600
BEFORE_KILL = 25  # payments each till has acknowledged when the primary is killed


@pytest.fixture
def pair() -> Iterator[Pair]:
    with replication_pair() as started:
        yield started


def set_up_books(pair: Pair) -> str:
    """Migrate, grant and create the facility through the primary; returns the till URL
    (application role, both hosts, the writable one)."""
    create_roles(pair.primary.url)
    admin = create_engine(pair.primary.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {DATABASE} OWNER {OWNER}"))
    admin.dispose()
    owner = create_database_engine(as_role(pair.primary.url, OWNER, database=DATABASE))
    upgrade(owner)
    grant(owner, APP_ROLE)
    owner.dispose()
    return pair.failover_url(as_role(pair.primary.url, APP_ROLE, database=DATABASE))


def standby_url(pair: Pair) -> str:
    """The standby alone, as the application role (a hot standby: reads only)."""
    return as_role(pair.standby.url, APP_ROLE, database=DATABASE)


@dataclass
class Attempt:
    key: str
    outcome: str  # "ok" or the error code
    at: float  # time.monotonic() when the answer came
    receipt_no: str | None = None
    replayed: bool = False  # the key had already been paid: the first answer was lost


@dataclass
class Till:
    """One workstation paying one item per payment, one key per item, in a thread."""

    app: App
    books: Books
    mrn: str
    items: list[int]
    attempts: list[Attempt] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    crashed: BaseException | None = None

    def pay(self, item: int, key: str) -> Attempt:
        # Alternate wallet and cash, so both the ledger and the drawer side are exercised.
        tender = (
            TenderRequest("wallet", "1000.00")
            if item % 2
            else TenderRequest("cash", "1000.00", cash_tendered="1000.00")
        )
        try:
            result = pay(
                self.app.uow(),
                actor=self.books.cashier,
                workstation=self.app.workstation,
                mrn=self.mrn,
                item_ids=[item],
                tenders=[tender],
                key=key,
            )
        except (OutcomeUnknown, Unavailable) as exc:
            return Attempt(key, exc.code, time.monotonic())
        return Attempt(key, "ok", time.monotonic(), result.receipt_no, result.replayed)

    def run(self) -> None:
        try:
            for item in self.items:
                if self.stop.is_set():
                    return
                attempt = self.pay(item, f"{self.app.workstation}-item-{item}")
                self.attempts.append(attempt)
                if attempt.outcome != "ok":
                    self.stop.wait(0.05)  # a till retries no faster than a cashier would
        except BaseException as exc:  # noqa: BLE001 - the test thread reports it
            self.crashed = exc

    def ok_after(self, moment: float) -> bool:
        return any(a.outcome == "ok" and a.at > moment for a in list(self.attempts))

    def settle(self, attempt: Attempt, *, deadline: float) -> Attempt:
        """Retry an in-doubt payment with its own key until the database answers."""
        item = int(attempt.key.rsplit("-", 1)[1])
        while True:
            retried = self.pay(item, attempt.key)
            if retried.outcome == "ok" or time.monotonic() > deadline:
                return retried
            time.sleep(0.1)


def test_killing_the_primary_loses_no_acknowledged_payment_and_retries_settle_the_rest(
    pair, tmp_path
):
    url = set_up_books(pair)
    setup = make_app(url, tmp_path)
    books = Books.open(setup)
    tills = []
    for workstation in ("WS01", "WS02"):
        mrn = books.patient(f"MRN-{workstation}", balance=f"{ITEMS_PER_TILL * 1000}.00")
        app = make_app(url, tmp_path, workstation=workstation, lock_wait_s=2.0)
        tills.append(Till(app, books, mrn, books.bill(mrn, *[("CONS", 1)] * ITEMS_PER_TILL)))
    threads = [threading.Thread(target=till.run) for till in tills]
    try:
        for thread in threads:
            thread.start()
        wait_until(
            lambda: all(
                sum(a.outcome == "ok" for a in till.attempts) >= BEFORE_KILL for till in tills
            ),
            120,
            "payments before the kill",
        )
        killed_at = time.monotonic()
        pair.primary.stop(mode="immediate")
        dead_at = time.monotonic()
        wait_until(
            lambda: all(
                any(a.at > dead_at and a.outcome in IN_DOUBT for a in till.attempts)
                for till in tills
            ),
            30,
            "every till to see the primary gone",
        )
        pair.promote()
        wait_until(
            lambda: all(till.ok_after(dead_at) for till in tills),
            60,
            "a payment on the promoted standby",
        )
    finally:
        for till in tills:
            till.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert [till.crashed for till in tills] == [None, None]

    deadline = time.monotonic() + 60
    acknowledged, retried, replayed = {}, {}, 0
    for till in tills:
        for attempt in till.attempts:
            if attempt.outcome == "ok":
                acknowledged[attempt.key] = attempt.receipt_no
            else:
                assert attempt.outcome in IN_DOUBT, attempt
                answer = till.settle(attempt, deadline=deadline)
                assert answer.outcome == "ok", f"{attempt.key} never answered: {answer}"
                retried[attempt.key] = answer.receipt_no
                replayed += answer.replayed

    with setup.uow(write=False) as uow:
        port = uow.execute(text("SELECT inet_server_port()")).scalar_one()
        payments = uow.execute(
            select(t.payments.c.idempotency_key, t.payments.c.receipt_no, t.payments.c.workstation)
        ).all()
        receipts = uow.execute(select(t.receipts.c.workstation, t.receipts.c.seq)).all()
        wallets = uow.execute(
            text(
                "SELECT w.balance_minor, COALESCE(SUM(e.amount_minor), 0) FROM wallets w "
                "LEFT JOIN wallet_entries e ON e.wallet_id = w.id GROUP BY w.id"
            )
        ).all()
    assert port == pair.standby.port  # the tills found the promoted standby by themselves
    per_key = Counter(row.idempotency_key for row in payments)
    by_key = {row.idempotency_key: row.receipt_no for row in payments}
    assert all(
        per_key[key] == 1 and by_key[key] == receipt for key, receipt in acknowledged.items()
    )
    assert all(per_key[key] == 1 and by_key[key] == receipt for key, receipt in retried.items())
    assert set(per_key) == set(acknowledged) | set(retried)
    for workstation in ("WS01", "WS02"):
        seqs = sorted(seq for ws, seq in receipts if ws == workstation)
        assert seqs == list(range(1, len(seqs) + 1)), f"receipts of {workstation} have gaps"
    assert all(balance == ledger for balance, ledger in wallets)
    assert run_check(setup.uow(write=False), actor=books.supervisor) == []

    before = sum(a.outcome == "ok" and a.at < killed_at for till in tills for a in till.attempts)
    first_after = min(
        a.at for till in tills for a in till.attempts if a.outcome == "ok" and a.at > dead_at
    )
    doubts = Counter(a.outcome for till in tills for a in till.attempts if a.outcome != "ok")
    print(
        f"\nFAILOVER: {before} payments acknowledged before the kill, "
        f"{len(retried)} in doubt {dict(doubts)} of which {replayed} had gone through "
        "(their retry replayed), "
        f"first payment on the new primary {first_after - killed_at:.2f} s after the kill; "
        f"{len(per_key)} payments in all"
    )
    for till in tills:
        till.app.close()
    setup.close()


def test_the_window_shows_the_banner_when_the_primary_dies_and_clears_it_after_promotion(
    pair, qtbot, tmp_path
):
    app = make_app(set_up_books(pair), tmp_path, lock_wait_s=1.0)
    books = Books.open(app)
    books.patient("MRN900", balance="2000.00")
    books.bill("MRN900", ("CONS", 1))
    till = open_till(qtbot, books)
    try:
        open_patient(qtbot, till, "MRN900", "MRN900")
        window = till.controller.window
        assert window.buttons["pay"].isEnabled() and not window.banner.isVisible()

        pair.primary.stop(mode="immediate")
        qtbot.waitUntil(window.banner.isVisible, timeout=10000)
        assert not window.buttons["pay"].isEnabled()

        pair.promote()
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
        dialog = _open_pay(qtbot, till)
        type_into(qtbot, dialog.amounts["wallet"], "1000")
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: till.controller.receipts.preview is not None, timeout=10000)
        with app.uow(write=False) as uow:
            assert uow.execute(text("SELECT inet_server_port()")).scalar_one() == pair.standby.port
        assert books.count("payments") == 1
    finally:
        close_till(qtbot, till)
        app.close()


def _report_app(url: str, report_url: str, tmp_path: Path) -> App:
    return build(
        Settings(
            db_url=url,
            workstation="WS01",
            timeouts=Timeouts(lock_wait_s=2.0),
            config_path=tmp_path / "config.json",
            local={},
            report_db_url=report_url,
        )
    )


def test_reports_read_the_replica_while_money_goes_to_the_primary(
    pair, tmp_path, qtbot, monkeypatch, capsys
):
    url = set_up_books(pair)
    app = _report_app(url, standby_url(pair), tmp_path)
    books = Books.open(app)
    books.patient("MRN1", balance="5000.00")
    item = books.bill("MRN1", ("CONS", 1))
    pair.wait_replayed()
    pair.pause_replay(True)  # the standby keeps what it has: a report there misses new money
    try:
        supervisor = sign_in(app.uow(), "supervisor", PASSWORD, workstation="WS01")
        paid = pay(
            app.uow(),
            actor=books.cashier,
            workstation="WS01",
            mrn="MRN1",
            item_ids=item,
            tenders=[TenderRequest("wallet", "1000.00")],
            key=new_key(),
        )
        # The session opened a moment ago is checked on the primary, the figures on the copy.
        on_replica = reports.daily_report(
            app.uow(write=False), actor=supervisor, replica=app.report_uow()
        )
        on_primary = reports.daily_report(app.uow(write=False), actor=supervisor)
        assert (on_replica.counts["payments"], on_primary.counts["payments"]) == (0, 1)

        monkeypatch.setenv("CARETILL_DB", url)
        monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "cli.json"))
        monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
        for report_db, payments in ((standby_url(pair), 0), ("", 1)):
            monkeypatch.setenv("CARETILL_REPORT_DB", report_db)
            capsys.readouterr()
            assert main(["report", "daily", "--user", "supervisor", "--json"]) == 0
            assert json.loads(capsys.readouterr().out)["counts"]["payments"] == payments

        dashboard = SupervisorDashboard(
            operations=Operations(new_uow=app.uow),
            actor=supervisor,
            workstation="WS01",
            currency=books.currency,
            replica=app.report_uow,
        )
        qtbot.addWidget(dashboard)
        with qtbot.waitSignal(dashboard.report_shown, timeout=10000) as shown:
            dashboard.load_report(None)
        assert shown.args[0].counts["payments"] == 0
        dashboard.operations.wait()
    finally:
        pair.pause_replay(False)
    pair.wait_replayed()
    replayed = reports.daily_report(
        app.uow(write=False), actor=supervisor, replica=app.report_uow()
    )
    assert replayed.counts["payments"] == 1 and paid.receipt_no.startswith("WS01-")

    # A hot standby refuses writes: money pointed at it fails and writes nothing.
    standby = make_app(standby_url(pair), tmp_path, workstation="WS09")
    with pytest.raises(Unavailable, match="takes no writes"):
        deposit(
            standby.uow(),
            actor=books.cashier,
            workstation="WS09",
            mrn="MRN1",
            amount="10.00",
            method="cash",
            key=new_key(),
        )
    standby.close()
    assert books.count("deposits") == 1  # the top-up of MRN1 only
    app.close()


def test_test_connection_finds_the_primary_when_the_standby_is_listed_first(pair, tmp_path):
    set_up_books(pair)
    url = as_role(pair.primary.url, APP_ROLE, database=DATABASE)
    reversed_pair = Pair(primary=pair.standby, standby=pair.primary)
    listed = reversed_pair.failover_url(url)
    assert check_connection(listed) == listed
    probe = create_database_engine(listed)
    with probe.connect() as conn:
        assert conn.execute(text("SELECT inet_server_port()")).scalar_one() == pair.primary.port
    probe.dispose()
