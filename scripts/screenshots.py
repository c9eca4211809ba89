"""Save a picture of each main screen of the cashier window to docs/screenshots/.

Runs headless on a throwaway SQLite demo database:
    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [NAME ...]
Names (e.g. 15_cash_out) save only those pictures; without any, all are saved.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from pos_app.adapters.database import Timeouts  # noqa: E402
from pos_app.bootstrap import build  # noqa: E402
from pos_app.config import Settings  # noqa: E402
from pos_app.domain.adjustments import DEFAULT_REASON_CODES  # noqa: E402
from pos_app.domain.errors import Unavailable  # noqa: E402
from pos_app.domain.kinds import ServiceKind  # noqa: E402
from pos_app.gui.adjust_dialog import AdjustDialog  # noqa: E402
from pos_app.gui.app import style  # noqa: E402
from pos_app.gui.controller import CashierController  # noqa: E402
from pos_app.gui.health import ConnectionMonitor  # noqa: E402
from pos_app.gui.login import LoginDialog  # noqa: E402
from pos_app.gui.operations import Operations  # noqa: E402
from pos_app.gui.payers_dialog import PayersDialog  # noqa: E402
from pos_app.gui.reason_dialog import reprint_reason_dialog  # noqa: E402
from pos_app.gui.session import Session  # noqa: E402
from pos_app.gui.supervisor.dashboard import SupervisorDashboard  # noqa: E402
from pos_app.gui.users_dialog import UsersDialog  # noqa: E402
from pos_app.services import (  # noqa: E402
    auth,
    demo,
    facility,
    health,
    patients,
    pay,
    payers,
    refund_requests,
    shifts,
    withdrawal,
)
from pos_app.services.tenders import TenderRequest  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ONLY = set(sys.argv[1:])


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def shoot(widget: QWidget, name: str) -> None:
    if ONLY and name not in ONLY:
        return
    for _ in range(5):
        QApplication.processEvents()
    widget.grab().save(str(OUT / f"{name}.png"))
    print(f"saved {name}.png")


def main() -> int:
    qapp = QApplication.instance() or QApplication(sys.argv)
    style(qapp)
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="caretill-shots-"))
    app = build(
        Settings(
            db_url=f"sqlite:///{folder / 'demo.sqlite3'}",
            workstation="WS01",
            timeouts=Timeouts(),
            config_path=folder / "config.json",
            local={},
        )
    )
    app.upgrade_schema()
    demo.load_demo(app.uow, workstation="WS01", patients=40, seed=3)
    down = {"now": False}

    def ping(uow: object) -> None:
        if down["now"]:
            raise Unavailable("The database cannot be reached.")
        health.ping(uow)  # type: ignore[arg-type]

    ops = Operations(new_uow=app.uow)
    monitor = ConnectionMonitor(operations=ops, ping=ping, interval_ms=200)
    login = LoginDialog(operations=ops, workstation="WS01", title="CareTill")
    login.user_edit.setText("cashier")
    login.password_edit.setText("cashier")
    login.show()
    shoot(login, "01_login")
    login.close()

    actor = auth.sign_in(app.uow(), "cashier", "cashier", workstation="WS01")
    session = Session(actor, "WS01", facility.get_facility(app.uow(write=False)))
    controller = CashierController(operations=ops, monitor=monitor, session=session)
    window = controller.window
    window.resize(1366, 768)
    window.show()
    monitor.start()
    controller.shifts.refresh()
    wait_until(lambda: controller.shifts.current is None and not ops.busy)
    opening = controller.shifts.start_open()
    opening.float_edit.setText("5,000")
    shoot(opening, "09_open_shift")
    opening.confirm_button.click()
    wait_until(lambda: controller.shifts.current is not None)
    mrn = pick_patient(app, actor)
    name = patients.show_patient(app.uow(), actor=actor, mrn=mrn).patient.name
    window.search_edit.setText(name.split()[0])
    wait_until(lambda: window.results_model.rowCount() > 0)
    controller.open_patient(mrn)
    wait_until(lambda: controller.detail is not None and not ops.busy)
    shoot(window, "02_main_window")

    admin = auth.sign_in(app.uow(), "admin", "admin", workstation="WS01")
    users = UsersDialog(operations=ops, actor=admin, workstation="WS01", parent=window)
    users.show()
    wait_until(lambda: len(users.rows) >= 3 and not ops.busy)
    users.select("cashier")
    users.new_name_edit.setText("nurse.wanjiku")
    shoot(users, "16_users")
    users.close()

    dialog = controller.flows.start_pay(controller.detail, controller.items.selected())
    dialog.fill_rest("wallet")
    dialog.fill_rest("cash")
    dialog.tendered_edit.setText("6000")
    shoot(dialog, "03_pay_dialog")
    dialog.confirm_button.click()
    wait_until(lambda: controller.receipts.preview is not None)
    shoot(controller.receipts.preview, "04_receipt_preview")
    reason = reprint_reason_dialog(controller.receipts.preview, controller.receipts.last_receipt_no)
    reason.reason_edit.setText("patient lost the original")
    reason.show()
    shoot(reason, "13_reprint_reason")
    reason.close()
    controller.receipts.preview.close()
    wait_until(lambda: not ops.busy)

    top_up = controller.flows.start_top_up(controller.detail)
    top_up.amount_edit.setText("2,000")
    top_up.method_combo.setCurrentIndex(top_up.method_combo.findData("mobile_money"))
    top_up.reference_edit.setText("MPESA-QX81K2")
    shoot(top_up, "05_top_up")
    top_up.close()

    controller.show_statement()
    wait_until(lambda: controller.statement_dialog.model.rowCount() > 0)
    shoot(controller.statement_dialog, "06_statement")
    controller.statement_dialog.close()

    controller.show_help()
    shoot(controller.help_sheet, "07_help_sheet")
    controller.help_sheet.close()

    window.search_edit.setText("Zawadi Mwangi")  # nobody of that name: register a walk-in
    wait_until(lambda: window.search_hint.isVisible() and not ops.busy)
    controller.register_walk_in()
    controller.register_dialog.edits["mrn"].setText("WALK0001")
    controller.register_dialog.edits["phone"].setText("0722 555 010")
    controller.register_dialog.edits["dob"].setText("14/03/2019")
    shoot(controller.register_dialog, "20_register_walk_in")
    controller.register_dialog.close()

    controller.new_bill()  # for the patient still open: three lines, the last one searched
    bill = controller.new_bill_dialog
    for text in ("general consult", "full blood", "amox", "malaria"):
        bill.search_edit.setText(text)
        wait_until(lambda: bill.results_model.rowCount() > 0 and not ops.busy)
        if text != "malaria":
            QTest.keyClick(bill.search_edit, Qt.Key.Key_Return)
    bill.lines_table.item(2, 2).setText("2")
    shoot(bill, "21_new_bill")
    bill.close()

    adjusting = AdjustDialog(
        currency=session.facility.currency,
        item="Full blood count (FBC)",
        where="Item 812 of bill TWS01-000214",
        due=Decimal("1500.00"),
        reason_codes=DEFAULT_REASON_CODES,
        parent=window,
    )
    adjusting.percent_edit.setText("10")
    adjusting.reason_box.setCurrentIndex(adjusting.reason_box.findData("indigent"))
    adjusting.approver_edit.setText("supervisor")
    adjusting.password_edit.setText("supervisor")
    adjusting.show()
    shoot(adjusting, "22_adjust_item")
    adjusting.close()

    controller.show_receipts()
    listing = controller.receipts.receipts_list
    wait_until(lambda: bool(listing.rows) and not ops.busy)
    listing.patient_box.setChecked(False)  # today at WS01, then the last digits "2"
    listing.search_edit.setText("2")
    wait_until(
        lambda: (
            not ops.busy
            and len(listing.rows) > 1
            and all(r.receipt_no.endswith("2") for r in listing.rows)
        )
    )
    shoot(listing, "17_receipts_list")
    listing.close()

    closing = controller.shifts.start_close()
    for (_value, count), how_many in zip(closing.note_rows, (2, 1, 3, 4, 1), strict=False):
        count.setText(str(how_many))
    closing.amount_edits["card"].setText("0")
    closing.count_edits["card"].setText("0")
    shoot(closing, "10_close_shift_count")
    closing.submit_button.click()
    wait_until(closing.signoff_box.isVisible)
    closing.supervisor_edit.setText("supervisor")
    closing.password_edit.setText("supervisor")
    shoot(closing, "11_close_shift_signoff")
    closing.submit_button.click()
    wait_until(lambda: closing.pages.currentIndex() == 1, seconds=20)
    shoot(closing, "12_close_shift_result")
    closing.close()

    shifts.open_shift(app.uow(), actor=actor, workstation="WS01", opening_float="3000")
    take_a_morning(app, actor)  # in the new shift: the X report has figures so far
    ask_approvals(app, actor, controller.receipts.last_receipt_no, pick_patient(app, actor))
    supervisor = auth.sign_in(app.uow(), "supervisor", "supervisor", workstation="WS01")
    board = SupervisorDashboard(
        operations=ops, actor=supervisor, workstation="WS01", currency=session.facility.currency
    )
    board.show()
    board.start()
    wait_until(lambda: board.today.report is not None and not ops.busy)
    shoot(board, "14_supervisor_dashboard")
    board.tabs.setCurrentWidget(board.audit)
    shoot(board, "18_audit_trail")
    board.tabs.setCurrentWidget(board.variances)
    board.load_x_report()
    wait_until(lambda: not ops.busy and board.variances.open_table.isVisible())
    shoot(board, "19_variances_x_report")
    board.tabs.setCurrentWidget(board.approvals)
    wait_until(lambda: len(board.approvals.requests) >= 2 and not ops.busy)
    shoot(board, "23_approvals")
    board.close()
    controller.my_requests.show_dialog()
    wait_until(lambda: controller.my_requests.dialog.table.rowCount() >= 2 and not ops.busy)
    controller.my_requests.dialog.resize(1100, 420)
    shoot(controller.my_requests.dialog, "24_my_requests")
    controller.my_requests.dialog.close()

    other = pick_patient(app, actor, skip=mrn)
    controller.open_patient(other)
    wait_until(lambda: controller.detail.patient.mrn == other and not ops.busy)
    cash_out = controller.flows.start_cash_out(controller.detail)
    balance = controller.detail.patient.wallet_balance
    cash_out.amount_edit.setText(f"{min(balance, Decimal(500)):,.2f}")
    cash_out.reason_edit.setText("patient discharged, asked for the rest in cash")
    cash_out.supervisor_edit.setText("supervisor")
    cash_out.password_edit.setText("supervisor")
    shoot(cash_out, "15_cash_out")
    cash_out.close()
    shoot_pay_with_payer(app, admin, controller, other)
    shoot_payers(app, admin, ops, window, other)
    down["now"] = True
    wait_until(window.banner.isVisible)
    shoot(window, "08_lost_connection")
    monitor.stop()
    ops.wait()
    QApplication.processEvents()
    app.close()
    return 0


def shoot_pay_with_payer(
    app: object, admin: object, controller: CashierController, mrn: str
) -> None:
    """The Pay dialog with an insurer chosen: its share shown, the patient's share tendered."""
    if ONLY and "25_pay_with_payer" not in ONLY:
        return
    payers.add_payer(
        app.uow(),
        actor=admin,
        workstation="WS01",
        code="NHIF",
        name="National Health Insurance Fund",
        kind="insurer",
    )
    for kind in ServiceKind:
        payers.set_cover(
            app.uow(),
            actor=admin,
            workstation="WS01",
            code="NHIF",
            service_kind=kind.value,
            percent="80",
        )
    payers.cover_patient(
        app.uow(),
        actor=admin,
        workstation="WS01",
        mrn=mrn,
        payer_code="NHIF",
        member_no="NHIF-0042-7731",
    )
    dialog = controller.flows.start_pay(controller.detail, controller.items.selected())
    wait_until(lambda: dialog.payer_combo.count() == 2)
    dialog.payer_combo.setCurrentIndex(1)
    wait_until(lambda: "Patient share" in dialog.split_label.text())
    dialog.fill_rest("cash")
    dialog.payer_combo.setFocus()
    shoot(dialog, "25_pay_with_payer")
    dialog.close()


def shoot_payers(app: object, admin: object, ops: Operations, window: QWidget, mrn: str) -> None:
    """The admin's payers screen: a second payer's scheme, one of its members being typed."""
    if ONLY and "26_payers" not in ONLY:
        return
    payers.add_payer(
        app.uow(),
        actor=admin,
        workstation="WS01",
        code="ACME-STAFF",
        name="Acme Tea Estates staff scheme",
        kind="employer",
    )
    for kind, percent, copay, cap in (
        ("consultation", "100", "100", None),
        ("lab_test", "80", None, "20000"),
        ("pharmacy", "50", "50", "5000"),
    ):
        payers.set_cover(
            app.uow(),
            actor=admin,
            workstation="WS01",
            code="ACME-STAFF",
            service_kind=kind,
            percent=percent,
            copay=copay,
            cap=cap,
        )
    dialog = PayersDialog(operations=ops, actor=admin, workstation="WS01", parent=window)
    dialog.show()
    wait_until(lambda: len(dialog.rows) >= 1)
    dialog.select("ACME-STAFF")
    dialog.mrn_edit.setText(mrn)
    dialog.member_no_edit.setText("ACME-00318")
    dialog.until_edit.setText("2027-06-30")
    shoot(dialog, "26_payers")
    dialog.close()


def take_a_morning(app: object, actor: object) -> None:
    """A few more payments by every method, so the dashboard has something to chart."""
    methods = [
        ("cash", None),
        ("card", "AUTH-{n}"),
        ("mobile_money", "MPESA-SHOT-{n}"),
        ("insurance", "NHIF-{n}"),
        ("cash", None),
        ("card", "AUTH-{n}"),
    ]
    for n, (method, reference) in enumerate(methods):
        found = patients.search_patients(app.uow(), actor=actor, text=f"MRN0000{n + 1:02d}")
        detail = patients.show_patient(app.uow(), actor=actor, mrn=found[0].mrn)
        if not detail.unpaid_items:
            continue
        item = detail.unpaid_items[0]
        pay.pay(
            app.uow(),
            actor=actor,
            workstation="WS01",
            mrn=found[0].mrn,
            item_ids=[item.id],
            key=f"screenshots-{n:04d}",
            tenders=[
                TenderRequest(
                    method, str(item.amount), reference.format(n=n) if reference else None
                )
            ],
        )


def ask_approvals(app: object, actor: object, receipt_no: str, mrn: str) -> None:
    """Requests of two kinds waiting for the supervisor's Approvals tab."""
    refund_requests.request_refund(
        app.uow(),
        actor=actor,
        workstation="WS01",
        receipt_no=receipt_no,
        reason="Patient charged twice",
    )
    withdrawal.request_withdrawal(
        app.uow(),
        actor=actor,
        workstation="WS01",
        mrn=mrn,
        amount="500.00",
        reason="Discharged, balance back in cash",
        key="screenshots-withdrawal",
    )


def pick_patient(app: object, actor: object, skip: str = "") -> str:
    """A demo patient with money in the wallet and at least two unpaid items."""
    for letter in "aeiou":
        for found in patients.search_patients(app.uow(), actor=actor, text=letter, limit=100):
            detail = patients.show_patient(app.uow(), actor=actor, mrn=found.mrn)
            if found.mrn != skip and found.wallet_balance > 0 and len(detail.unpaid_items) >= 2:
                return found.mrn
    raise SystemExit("no demo patient with a wallet and unpaid items")


if __name__ == "__main__":
    sys.exit(main())
