"""Bills at the till (issue 12 point 1): priced from the active price list, audited once,
exactly once by key; bad lines, unknown or inactive services write nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update

from pos_app.adapters import tables as t
from pos_app.domain.clock import system_clock
from pos_app.domain.errors import BadInput, Conflict, NotFound, Refused
from pos_app.services import auth, check
from pos_app.services.billing import BillLine, new_bill, parse_line, search_services
from pos_app.services.patients import show_patient
from tests.helpers.books import PASSWORD, new_key
from tests.helpers.money import pay_items, tender


def _bill(books, mrn: str, *lines: str, key: str | None = None, actor=None):
    return new_bill(
        books.app.uow(),
        actor=actor or books.cashier,
        workstation="WS01",
        mrn=mrn,
        lines=[parse_line(text) for text in lines],
        key=key or new_key(),
    )


def _events(books, action: str = "bill.new") -> list[dict]:
    with books.app.uow(write=False) as uow:
        return [
            json.loads(d)
            for d in uow.execute(
                select(t.audit_events.c.details)
                .where(t.audit_events.c.action == action)
                .order_by(t.audit_events.c.id)
            ).scalars()
        ]


def test_a_bill_at_the_till_prices_each_line_from_the_list_and_shows_unpaid(books):
    mrn = books.patient("WALK1", name="Zawadi Mwangi")
    bill = _bill(books, mrn, "CONS", "LAB:2", "DRUG:3")
    assert bill.bill_no.startswith("TWS01-") and bill.patient_name == "Zawadi Mwangi"
    assert [(i.service_code, i.quantity, i.unit_price, i.amount) for i in bill.items] == [
        ("CONS", 1, Decimal("1000.00"), Decimal("1000.00")),
        ("LAB", 2, Decimal("500.00"), Decimal("1000.00")),
        ("DRUG", 3, Decimal("100.00"), Decimal("300.00")),
    ]
    assert bill.total == Decimal("2300.00") and not bill.replayed
    shown = show_patient(books.app.uow(), actor=books.cashier, mrn=mrn).unpaid_items
    assert [(i.id, i.bill_no, i.amount) for i in shown] == [
        (i.id, bill.bill_no, i.amount) for i in bill.items
    ]
    assert books.stock_on_hand("AMOX") == 10, "stock moves when the item is paid, not billed"
    assert books.count("lab_results") == 0
    assert _events(books) == [
        {
            "bill_no": bill.bill_no,
            "mrn": mrn,
            "total": "2300.00",
            "currency": "KES",
            "idempotency_key": bill.idempotency_key,
            "lines": [
                {
                    "item_id": i.id,
                    "code": i.service_code,
                    "quantity": i.quantity,
                    "unit_price": str(i.unit_price),
                    "amount": str(i.amount),
                }
                for i in bill.items
            ],
        }
    ]
    assert bill.to_json()["total"] == "2300.00"
    assert {"bill_no", "mrn", "items", "total"} <= set(bill.to_json())
    assert {"id", "service_code", "quantity", "amount"} <= set(bill.to_json()["items"][0])
    assert check.run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_the_billed_items_pay_through_the_cascade_like_any_other(books):
    mrn = books.patient("WALK1")
    bill = _bill(books, mrn, "LAB", "DRUG:3")
    paid = pay_items(books, mrn, [i.id for i in bill.items], tender("cash", "800.00", "1000"))
    assert paid.change == Decimal("200.00")
    assert books.stock_on_hand("AMOX") == 7 and books.count("lab_results") == 1
    with books.app.uow(write=False) as uow:
        status = uow.execute(
            select(t.bills.c.status).where(t.bills.c.bill_no == bill.bill_no)
        ).scalar_one()
    assert status == "paid"
    assert check.run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_the_same_code_twice_is_one_item_with_the_quantities_added(books):
    mrn = books.patient("P1")
    bill = _bill(books, mrn, "LAB", "CONS", "LAB:2")
    assert [(i.service_code, i.quantity, i.amount) for i in bill.items] == [
        ("LAB", 3, Decimal("1500.00")),
        ("CONS", 1, Decimal("1000.00")),
    ]


def test_each_bill_gets_its_own_number(books):
    mrn = books.patient("P1")
    numbers = {_bill(books, mrn, "CONS").bill_no for _ in range(3)}
    assert len(numbers) == 3


def test_the_same_key_and_lines_return_the_first_bill_and_write_nothing_more(books):
    mrn = books.patient("P1")
    first = _bill(books, mrn, "LAB:2", "CONS", key="bill-key-0001")
    before = books.snapshot()
    again = _bill(books, mrn, "LAB", "CONS", "LAB", key="bill-key-0001")  # the same content
    assert again.replayed and again.bill_no == first.bill_no
    assert [i.id for i in again.items] == [i.id for i in first.items]
    assert again.total == first.total
    assert books.snapshot() == before


def test_the_same_key_with_other_lines_is_a_conflict_and_writes_nothing(books):
    mrn = books.patient("P1")
    _bill(books, mrn, "LAB", key="bill-key-0002")
    before = books.snapshot()
    with pytest.raises(Conflict) as caught:
        _bill(books, mrn, "LAB:2", key="bill-key-0002")
    assert caught.value.code == "idempotency_conflict"
    assert books.snapshot() == before


def _deactivate(books, code: str) -> None:
    with books.app.uow() as uow:
        uow.execute(update(t.services).where(t.services.c.code == code).values(active=False))
        uow.commit()


@pytest.mark.parametrize(
    ("mrn", "lines", "error", "code"),
    [
        ("P1", ["CONS", "GONE"], BadInput, "service_inactive"),
        ("P1", ["CONS", "NOPE"], NotFound, "unknown_service"),
        ("NOBODY", ["CONS"], NotFound, "unknown_patient"),
        ("P1", [], BadInput, "invalid_line"),
        ("P1", ["CONS;DROP"], BadInput, "invalid_line"),
        ("P1", [":2"], BadInput, "invalid_line"),
        ("P1", ["CONS:0"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:10001"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:9999", "CONS:2"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:\u0663"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:1_0"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:-1"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:1.5"], BadInput, "invalid_quantity"),
        ("P1", ["CONS:"], BadInput, "invalid_quantity"),
    ],
)
def test_bad_bills_are_refused_and_write_nothing(books, mrn, lines, error, code):
    books.patient("P1")
    with books.app.uow() as uow:
        uow.execute(
            insert(t.services).values(
                code="GONE", name="Retired test", kind="other", unit_price_minor=100, active=False
            )
        )
        uow.commit()
    before = books.snapshot()
    with pytest.raises(error) as caught:
        _bill(books, mrn, *lines)
    assert caught.value.code == code
    assert books.snapshot() == before


def test_a_service_taken_off_the_list_cannot_be_billed_but_its_old_items_stay(books):
    mrn = books.patient("P1")
    old = _bill(books, mrn, "PROC")
    _deactivate(books, "PROC")
    with pytest.raises(BadInput) as caught:
        _bill(books, mrn, "PROC")
    assert caught.value.code == "service_inactive"
    assert books.item_status(old.items[0].id) == "unpaid"


def test_a_signed_out_session_cannot_raise_a_bill(books):
    mrn = books.patient("P1")
    actor = auth.sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    _bill(books, mrn, "CONS", actor=actor)  # the live session may
    auth.sign_out(books.app.uow(), actor, workstation="WS01")
    before = books.snapshot()
    with pytest.raises(Refused) as caught:
        _bill(books, mrn, "CONS", actor=actor)
    assert caught.value.code == "session_ended"
    assert books.snapshot() == before


def test_a_bill_number_an_import_already_holds_is_skipped(books):
    mrn = books.patient("P1")
    _bill(books, mrn, "CONS")  # the workstation's counter row exists from here on
    with books.app.uow() as uow:
        seq = uow.execute(
            select(t.workstations.c.audit_seq).where(t.workstations.c.id == "WS01")
        ).scalar_one()
        patient_id = uow.execute(select(t.patients.c.id)).scalar_one()
        taken = f"TWS01-{seq + 1:06d}"
        uow.execute(
            insert(t.bills).values(bill_no=taken, patient_id=patient_id, created_at=system_clock())
        )
        uow.commit()
    assert _bill(books, mrn, "CONS").bill_no == f"{taken}-2"


def test_a_bill_too_large_to_be_real_is_refused(books):
    mrn = books.patient("P1")
    with books.app.uow() as uow:
        uow.execute(
            insert(t.services).values(
                code="HUGE", name="Typo price", kind="other", unit_price_minor=10**13
            )
        )
        uow.commit()
    with pytest.raises(BadInput) as caught:
        _bill(books, mrn, "HUGE:10000")
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LAB", BillLine("LAB", 1)),
        (" LAB:3 ", BillLine("LAB", "3")),
        ("LAB:", BillLine("LAB", "")),
    ],
)
def test_lines_as_typed_on_the_command_line(text, expected):
    assert parse_line(text) == expected


def _codes(books, text: str, limit: int = 20) -> list[str]:
    return [
        e.code
        for e in search_services(
            books.app.uow(write=False), actor=books.cashier, text=text, limit=limit
        )
    ]


def test_the_price_list_search_finds_codes_and_names_active_only_exact_first(books):
    with books.app.uow() as uow:
        uow.execute(
            insert(t.services),
            [
                {
                    "code": "LAB2",
                    "name": "Malaria smear",
                    "kind": "other",
                    "unit_price_minor": 1,
                    "active": True,
                },
                {
                    "code": "XRAY",
                    "name": "Chest x-ray 100% digital",
                    "kind": "other",
                    "unit_price_minor": 1,
                    "active": True,
                },
                {
                    "code": "OLD",
                    "name": "Lab of old",
                    "kind": "other",
                    "unit_price_minor": 1,
                    "active": False,
                },
            ],
        )
        uow.commit()
    assert _codes(books, "lab") == ["LAB", "LAB2"], "code first, inactive never"
    assert _codes(books, "LAB2") == ["LAB2"]
    assert _codes(books, "malaria") == ["LAB2"]
    assert _codes(books, "chest digital") == ["XRAY"], "every word must match"
    assert _codes(books, "100%") == ["XRAY"] and _codes(books, "%") == ["XRAY"]
    assert _codes(books, "_") == [], "LIKE wildcards are taken literally"
    assert _codes(books, "service", limit=2) == ["CONS", "DRUG"]
    assert _codes(books, "   ") == []
    found = search_services(books.app.uow(write=False), actor=books.cashier, text="MISC")
    assert [(e.code, e.kind, e.unit_price) for e in found] == [("MISC", "other", Decimal("0.10"))]
