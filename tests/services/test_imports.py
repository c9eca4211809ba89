"""Admin imports: each kind lands whole and consistent, re-runs are harmless, bad files fail."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.errors import Refused
from pos_app.services.check import run_check
from pos_app.services.imports import InvalidImport, import_csv
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def run(books, kind, text, *, bom=False, actor=None, repeat=False):
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    return import_csv(
        books.app.uow(),
        actor=actor or books.admin,
        workstation="WS01",
        kind=kind,
        data=data,
        source=f"{kind}.csv",
        repeat=repeat,
    )


def refused_lines(books, kind, text):
    """Import a bad file; assert nothing changed; return {line: problem}."""
    before = books.snapshot()
    with pytest.raises(InvalidImport) as caught:
        run(books, kind, text)
    assert books.snapshot() == before
    assert caught.value.code == "invalid_import" and caught.value.exit_status == 2
    return {f["line"]: f["problem"] for f in caught.value.findings}


def check_clean(books):
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def audit_details(books, action):
    with books.app.uow(write=False) as uow:
        rows = (
            uow.execute(select(t.audit_events.c.details).where(t.audit_events.c.action == action))
            .scalars()
            .all()
        )
    return [json.loads(row) for row in rows]


PATIENTS = (
    "mrn,name,phone,dob\n"
    "H001,Wanjirũ Kamau,0711000001,1980-05-17\n"
    "H002,Zoë Müller,,\n"
    "H003,  Otieno   Omondi ,0722000003,2001-01-01\n"
)


def test_patients_are_registered_with_wallets_and_found_by_name(books):
    result = run(books, "patients", PATIENTS, bom=True)
    assert (result.added, result.updated, result.skipped, result.rows) == (3, 0, 0, 3)
    assert books.balance("H001") == Decimal("0.00")
    with books.app.uow(write=False) as uow:
        names = dict(uow.execute(select(t.patients.c.mrn, t.patients.c.name)).all())
        terms = set(uow.execute(select(t.patient_search_terms.c.term)).scalars())
    assert names["H003"] == "Otieno Omondi" and {"wanjiru", "muller"} <= terms
    [event] = audit_details(books, "import.patients")
    assert (event["added"], event["source"], len(event["sha256"])) == (3, "patients.csv", 64)
    check_clean(books)


def test_importing_patients_again_skips_them_and_a_changed_name_is_refused(books):
    run(books, "patients", PATIENTS)
    again = run(books, "patients", PATIENTS.replace("Zoë Müller", "ZOË  MÜLLER"))
    assert (again.added, again.skipped) == (0, 3)
    bad = refused_lines(books, "patients", "mrn,name\nH009,New Person\nH002,Someone Else\n")
    assert list(bad) == [3] and "already registered as 'Zoë Müller'" in bad[3]
    check_clean(books)


SERVICES = (
    "code,name,kind,department,unit_price,stock_code,lab_test_code\n"
    'XCON,Night consultation,consultation,Casualty,"1,800.50",,\n'
    "XLAB,Widal test,lab_test,Laboratory,350,,WIDAL\n"
    "XDRUG,Amoxicillin syrup,pharmacy,Pharmacy,220.00,AMOX,\n"
    "CONS,CONS service,consultation,Outpatients,1200.00,,\n"
)


def test_price_list_adds_new_codes_and_a_price_change_leaves_old_bill_items_alone(books):
    books.patient("P1")
    [old_item] = books.bill("P1", ("CONS", 1))
    result = run(books, "services", SERVICES)
    assert (result.added, result.updated, result.skipped) == (3, 1, 0)
    assert result.extra["price_changes"] == [{"code": "CONS", "old": "1000.00", "new": "1200.00"}]
    with books.app.uow(write=False) as uow:
        prices = dict(uow.execute(select(t.services.c.code, t.services.c.unit_price_minor)).all())
        kept = uow.execute(
            select(t.bill_items.c.unit_price_minor).where(t.bill_items.c.id == old_item)
        ).scalar_one()
    assert (prices["XCON"], prices["CONS"], kept) == (180050, 120000, 100000)
    assert audit_details(books, "import.services")[0]["price_changes"][0]["code"] == "CONS"
    again = run(books, "services", SERVICES)
    assert (again.added, again.updated, again.skipped) == (0, 0, 4)
    check_clean(books)


def test_a_service_can_be_switched_off_and_is_then_not_billable(books):
    result = run(
        books,
        "services",
        "code,name,kind,department,unit_price,active\n"
        "PROC,PROC service,procedure,General,2500.00,no\n",
    )
    assert result.updated == 1
    books.patient("P1")
    bad = refused_lines(books, "bills", "bill_no,mrn,service_code,quantity\nB1,P1,PROC,1\n")
    assert "no longer on the price list" in bad[2]


def test_stock_import_adds_items_and_receives_deliveries_through_movements(books):
    text = "code,name,quantity,unit\nAMOX,AMOX pack,15,\nORS,ORS sachet,200,sachet\nNEW0,Gauze,0,\n"
    result = run(books, "stock", text)
    assert (result.added, result.updated, result.skipped) == (2, 1, 0)
    assert (books.stock_on_hand("AMOX"), books.stock_on_hand("ORS")) == (25, 200)
    check_clean(books)
    again = run(books, "stock", text)
    assert again.already_imported and books.stock_on_hand("AMOX") == 25, "not counted twice"
    second_delivery = run(books, "stock", text, repeat=True)
    assert not second_delivery.already_imported and books.stock_on_hand("AMOX") == 40
    check_clean(books)


BILLS = (
    "bill_no,mrn,service_code,quantity,unit_price\n"
    "IMP-1,P1,CONS,1,\n"
    "IMP-1,P1,DRUG,3,\n"
    "IMP-1,P1,LAB,1,450.00\n"
    "IMP-2,P2,MISC,5,\n"
)


def test_bills_are_grouped_priced_and_can_be_paid(books):
    books.patient("P1", balance="5000.00")
    books.patient("P2")
    result = run(books, "bills", BILLS)
    assert (result.added, result.skipped, result.extra["items"]) == (2, 0, 4)
    with books.app.uow(write=False) as uow:
        items = uow.execute(
            select(
                t.bill_items.c.quantity,
                t.bill_items.c.unit_price_minor,
                t.bill_items.c.amount_minor,
                t.bills.c.status,
            )
            .join(t.bills, t.bills.c.id == t.bill_items.c.bill_id)
            .order_by(t.bill_items.c.id)
        ).all()
    assert [tuple(i) for i in items] == [
        (1, 100000, 100000, "open"),
        (3, 10000, 30000, "open"),
        (1, 45000, 45000, "open"),
        (5, 10, 50, "open"),
    ]
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        bill_no="IMP-1",
        key=new_key(),
        tenders=[TenderRequest("wallet", "1750.00")],
    )
    assert paid.amount == Decimal("1750.00") and books.stock_on_hand("AMOX") == 7
    assert run(books, "bills", BILLS).skipped == 2, "a bill already in CareTill is skipped"
    check_clean(books)


@pytest.mark.parametrize(
    ("kind", "text", "bad_lines"),
    [
        (
            "patients",
            "mrn,name,dob\nOK1,Fine,\nOK2,Bad Date,1990-02-30\nOK3,Later,2999-01-01\n"
            "bad mrn!,X,\nOK5,,\n",
            {3, 4, 5, 6},
        ),
        ("patients", "mrn,name\nDUP,One\nDUP,Two\n", {3}),
        (
            "services",
            "code,name,kind,department,unit_price,stock_code,lab_test_code\n"
            "S1,Neg,other,Gen,-5,,\nS2,NaN,other,Gen,NaN,,\nS3,Cents,other,Gen,1.005,,\n"
            "S4,Drug,pharmacy,Pharm,10,,\nS5,Drug,pharmacy,Pharm,10,NOSUCH,\n"
            "S6,Lab,lab_test,Lab,10,,\nS7,Odd,surgery,Gen,10,,\nS8,Ok,other,Gen,1e3,,\n"
            "S9,Fine,other,Gen,10.50,,\n",
            {2, 3, 4, 5, 6, 7, 8, 9},
        ),
        ("services", "code,name,kind,department,unit_price\nDRUG,Drug,other,Gen,10\n", {2}),
        ("stock", "code,name,quantity\nAMOX,AMOX pack,-3\nORS,ORS,2.5\nGZ,Gauze,12\n", {2, 3}),
        (
            "bills",
            "bill_no,mrn,service_code,quantity,unit_price\nB1,P1,CONS,1,\nB1,P2,CONS,1,\n"
            "B2,NOBODY,CONS,1,\nB3,P1,NOSUCH,1,\nB4,P1,CONS,0,\nB5,P1,CONS,1,0.001\n"
            "B6,P1,CONS,1,\n",
            {3, 4, 5, 6, 7},
        ),
        ("patients", "name,mrn,extra\nA,B,C\n", {1}),
        ("patients", "", {1}),
        ("stock", "code,name,quantity\nA,B,1,too,many\n", {2}),
    ],
)
def test_a_file_with_bad_lines_is_refused_with_their_numbers_and_nothing_written(
    books, kind, text, bad_lines
):
    books.patient("P1")
    books.patient("P2")
    assert set(refused_lines(books, kind, text)) == bad_lines


def test_a_file_that_is_not_utf8_is_refused_at_its_line(books):
    before = books.snapshot()
    with pytest.raises(InvalidImport) as caught:
        import_csv(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            kind="patients",
            data="mrn,name\nA1,Ok\nA2,Zo\xeb\n".encode("latin-1"),
        )
    assert caught.value.findings[0]["line"] == 3 and books.snapshot() == before


def test_the_message_names_at_most_twenty_lines(books):
    text = "mrn,name,dob\n" + "".join(f"M{i},N,1990-99-99\n" for i in range(50))
    with pytest.raises(InvalidImport) as caught:
        run(books, "patients", text)
    assert len(caught.value.findings) == 50
    assert "line 21:" in caught.value.message and "line 22:" not in caught.value.message
    assert "and 30 more" in caught.value.message


@pytest.mark.parametrize("who", ["cashier", "supervisor"])
def test_only_an_admin_may_import(books, who):
    before = books.snapshot()
    with pytest.raises(Refused) as caught:
        run(books, "patients", PATIENTS, actor=getattr(books, who))
    assert caught.value.code == "permission_denied" and books.snapshot() == before
