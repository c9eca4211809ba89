"""A real PostgreSQL outage: the server stops mid-payment, the banner comes, the server
returns, the banner goes, and the payment the cashier had typed goes through once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import create_engine, text

from pos_app.adapters.migrate import upgrade
from tests.conftest import make_app
from tests.gui.conftest import close_till, open_patient, open_till, type_into
from tests.gui.test_cashier_flow import _open_pay
from tests.helpers.books import Books
from tests.helpers.postgres import throwaway_server


def test_the_server_stopping_and_starting_again_raises_and_clears_the_banner(
    qtbot, tmp_path, settle
):
    with throwaway_server() as server:
        admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE outage"))
        admin.dispose()
        app = make_app(server.url.rsplit("/", 1)[0] + "/outage", tmp_path, lock_wait_s=1.0)
        upgrade(app.engine)
        books = Books.open(app)
        books.patient("MRN900", balance="2000.00")
        books.bill("MRN900", ("CONS", 1))
        till = open_till(qtbot, books)
        try:
            open_patient(qtbot, till, "MRN900", "MRN900")
            window = till.controller.window
            dialog = _open_pay(qtbot, till)
            type_into(qtbot, dialog.amounts["wallet"], "1000")

            server.stop()
            qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
            assert not dialog.confirm_button.isEnabled()
            assert not window.buttons["pay"].isEnabled()

            server.start()
            qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
            assert dialog.amounts["wallet"].text() == "1000"
            qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: till.controller.receipts.preview is not None, timeout=10000)
            assert books.count("payments") == 1
        finally:
            close_till(qtbot, till)
            app.close()
