"""The daily report's receivables ageing: each account's open charges by age on the clock,
in the JSON, the CSV and the PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pos_app.services import report_export
from pos_app.services.reports import daily_report
from tests.helpers.clock import SteppingClock, clock_of
from tests.helpers.money import pay_items, tender
from tests.services.test_credit import give_credit

CHARGED = datetime(2026, 1, 6, 9, tzinfo=UTC)


def owing(books) -> str:
    """Patient P1 owes 300.00 on credit since CHARGED and 100.00 since 31 days later."""
    mrn = books.patient("P1")
    give_credit(books, mrn, "5000.00")
    with clock_of(books.app, SteppingClock(CHARGED)) as clock:
        pay_items(books, mrn, books.bill(mrn, ("DRUG", 3)), tender("credit", "300.00"))
        clock.advance(timedelta(days=31))
        pay_items(books, mrn, books.bill(mrn, ("DRUG", 1)), tender("credit", "100.00"))
    return mrn


def test_a_charge_45_days_old_is_reported_in_31_to_60_days(books, tmp_path):
    mrn = owing(books)
    with clock_of(books.app, SteppingClock(CHARGED + timedelta(days=45))):
        report = daily_report(books.app.uow(write=False), actor=books.supervisor)
    assert report.to_json()["receivables_ageing"] == [
        {
            "account": f"patient {mrn}",
            "days_0_30": "100.00",
            "days_31_60": "300.00",
            "days_61_90": "0.00",
            "over_90": "0.00",
            "total": "400.00",
        }
    ]
    csv_text = report_export.to_csv(report)
    assert f"receivables_ageing,patient {mrn} days_31_60,,300.00" in csv_text
    assert f"receivables_ageing,patient {mrn} total,,400.00" in csv_text
    pdf = tmp_path / "daily.pdf"
    report_export.write_pdf(report, pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_same_charge_moves_to_over_90_days_as_the_clock_goes_on(books):
    mrn = owing(books)
    with clock_of(books.app, SteppingClock(CHARGED + timedelta(days=92))):
        report = daily_report(books.app.uow(write=False), actor=books.supervisor)
    [line] = report.receivables_ageing
    assert (line.account, str(line.days_61_90), str(line.over_90)) == (
        f"patient {mrn}",
        "100.00",
        "300.00",
    )


def test_a_report_without_receivables_has_an_empty_ageing(books):
    report = daily_report(books.app.uow(write=False), actor=books.supervisor)
    assert report.to_json()["receivables_ageing"] == []
