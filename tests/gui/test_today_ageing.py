"""The dashboard's Today view shows what each receivable account owes by age."""

from __future__ import annotations

from datetime import timedelta

from pos_app.gui.supervisor.today_view import TodayView
from pos_app.services.reports import daily_report
from tests.helpers.clock import SteppingClock, clock_of
from tests.services.test_reports_ageing import CHARGED, owing


def test_today_shows_each_accounts_owing_by_age(gui_books, qtbot):
    view = TodayView(currency=gui_books.currency)
    qtbot.addWidget(view)
    view.set_report(daily_report(gui_books.app.uow(write=False), actor=gui_books.supervisor))
    assert view.ageing_label.text() == "Receivables owed — none"
    mrn = owing(gui_books)
    with clock_of(gui_books.app, SteppingClock(CHARGED + timedelta(days=45))):
        view.set_report(daily_report(gui_books.app.uow(write=False), actor=gui_books.supervisor))
    assert view.ageing_label.text() == (
        f"Receivables owed — patient {mrn}: 0–30 d 100.00, 31–60 d 300.00, 61–90 d 0.00, "
        "> 90 d 0.00 (total 400.00)"
    )
