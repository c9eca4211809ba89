"""SPEC rule 11: discounts, waivers and price corrections of unpaid items, and paying the due."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, Refused
from pos_app.receipts.text import render_text
from pos_app.services import approvals
from pos_app.services.adjustments import adjust, set_reason_codes
from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.receipts import get_receipt
from pos_app.services.reversal import reverse_payment
from tests.helpers.books import new_key
from tests.helpers.money import pay_items, tender
from tests.helpers.tamper import tamper


def _adjust(books, item_id, kind, *, actor=None, approver=None, reason="staff", key=None, **how):
    return adjust(
        books.app.uow(),
        actor=actor or books.admin,
        workstation="WS01",
        item_id=item_id,
        kind=kind,
        reason_code=reason,
        key=key or new_key(),
        approver=approver,
        **how,
    )


def _lines(books):
    with books.app.uow(write=False) as uow:
        return uow.execute(
            select(
                t.adjustments.c.bill_item_id,
                t.adjustments.c.kind,
                t.adjustments.c.amount_minor,
                t.adjustments.c.reason_code,
                t.adjustments.c.requested_by,
                t.adjustments.c.approved_by,
                t.adjustments.c.request_id,
            ).order_by(t.adjustments.c.id)
        ).all()


def test_a_cashier_discount_waits_for_approval_and_an_approver_on_the_spot_applies_it(books):
    mrn = books.patient("P1")
    asked, item = books.bill(mrn, ("CONS", 1), ("LAB", 2))
    pending = _adjust(books, asked, "discount", actor=books.cashier, percent="10")
    assert (pending.status, pending.amount, pending.amount_due) == (
        "pending",
        Decimal("100.00"),
        Decimal("1000.00"),
    )
    assert pending.request_id is not None and _lines(books) == []
    with pytest.raises(Refused) as twice:
        _adjust(books, asked, "waiver", actor=books.cashier)
    assert twice.value.code == "already_requested"

    done = _adjust(
        books,
        item,
        "discount",
        actor=books.cashier,
        approver=books.supervisor,
        amount="250.00",
        reason="indigent",
    )
    assert (done.status, done.amount, done.amount_due, done.approved_by) == (
        "applied",
        Decimal("250.00"),
        Decimal("750.00"),
        books.supervisor.username,
    )
    (line,) = _lines(books)
    assert line[:4] == (item, "discount", 25000, "indigent")
    assert line[4:6] == (books.cashier.user_id, books.supervisor.user_id)
    assert line.request_id == done.request_id


def test_an_approved_request_makes_the_line_once_and_the_net_is_paid(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    pending = _adjust(books, item, "discount", actor=books.cashier, percent="10")
    with pytest.raises(Refused) as own:
        approvals.approve(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            request_id=pending.request_id,
            key=new_key(),
        )
    assert own.value.code in ("permission_denied", "same_person")
    decided = approvals.approve(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS02",
        request_id=pending.request_id,
        key=new_key(),
    )
    assert decided.status == "approved" and decided.result["status"] == "applied"
    with pytest.raises(Refused) as again:
        approvals.approve(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            request_id=pending.request_id,
            key=new_key(),
        )
    assert again.value.code == "request_decided"  # A2 names it; nothing ran twice
    (line,) = _lines(books)
    assert line[:6] == (
        item,
        "discount",
        10000,
        "staff",
        books.cashier.user_id,
        books.supervisor.user_id,
    )
    assert line.request_id == pending.request_id
    paid = pay_items(books, mrn, [item], tender("cash", "900.00"))
    text = "\n".join(
        render_text(
            get_receipt(
                books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=paid.receipt_no
            )
        )
    )
    assert "Discount (staff)" in text and "-100.00" in text and "900.00" in text
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_a_supervisor_adjusts_alone_within_the_limit_and_asks_above_it(books):
    mrn = books.patient("P1")
    small, large = books.bill(mrn, ("PROC", 1), ("PROC", 3))
    alone = _adjust(books, small, "discount", actor=books.supervisor, amount="500.00")
    assert (alone.status, alone.approved_by) == ("applied", books.supervisor.username)
    above = _adjust(books, large, "waiver", actor=books.supervisor)  # 7,500 > 5,000
    assert above.status == "pending"
    with pytest.raises(Refused) as own:
        approvals.approve(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            request_id=above.request_id,
            key=new_key(),
        )
    assert own.value.code == "same_person"
    with pytest.raises(Refused) as limited:
        _adjust(
            books,
            large,
            "discount",
            actor=books.cashier,
            amount="6000.00",
            approver=books.supervisor,
        )
    assert limited.value.code in ("over_limit", "already_requested")


def test_the_same_key_replays_and_moves_nothing_more(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    key = new_key()
    first = _adjust(books, item, "discount", amount="100.00", key=key)
    again = _adjust(books, item, "discount", amount="100.00", key=key)
    assert again.replayed and (again.amount_due, again.audit_hash) == (
        first.amount_due,
        first.audit_hash,
    )
    assert len(_lines(books)) == 1


def test_paying_charges_the_due_and_the_receipt_shows_gross_each_adjustment_and_net(books):
    mrn = books.patient("P1")
    cons, lab = books.bill(mrn, ("CONS", 1), ("LAB", 1))
    _adjust(books, cons, "discount", percent="12.5", reason="staff")
    _adjust(books, lab, "price", amount="400.00", reason="price_error")
    paid = pay_items(books, mrn, [cons, lab], tender("cash", "1275.00"))
    assert paid.amount == Decimal("1275.00")  # 1000 - 125 + 400
    with books.app.uow(write=False) as uow:
        assert sorted(
            uow.execute(
                select(t.payment_items.c.bill_item_id, t.payment_items.c.amount_minor)
            ).all()
        ) == [(cons, 87500), (lab, 40000)]
    text = "\n".join(
        render_text(
            get_receipt(
                books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=paid.receipt_no
            )
        )
    )
    assert "Discount (staff)" in text and "-125.00" in text
    assert "Price correction (price error)" in text and "-100.00" in text
    assert "Gross" in text and "1,500.00" in text and "-225.00" in text
    assert "TOTAL KES" in text and "1,275.00" in text
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_tenders_must_add_up_to_the_due_not_the_gross(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    _adjust(books, item, "discount", amount="300.00")
    with pytest.raises(BadInput) as refused:
        pay_items(books, mrn, [item], tender("cash", "1000.00"))
    assert refused.value.code == "tenders_mismatch"
    assert books.item_status(item) == "unpaid"


def test_adjusting_a_paid_item_is_refused_and_nothing_is_written(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    pay_items(books, mrn, [item], tender("cash", "1000.00"))
    before = books.snapshot()
    for kind, how in (("discount", {"amount": "1.00"}), ("waiver", {})):
        with pytest.raises(Refused) as refused:
            _adjust(books, item, kind, **how)
        assert refused.value.code == "item_not_adjustable"
    assert books.snapshot() == before


def test_a_waived_lab_test_and_drug_are_released_by_the_cascade(books):
    mrn = books.patient("P1")
    cons, lab, drug = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    for item in (lab, drug):
        _adjust(books, item, "waiver", reason="exemption_scheme")
    paid = pay_items(books, mrn, [cons, lab, drug], tender("cash", "1000.00"))
    assert paid.amount == Decimal("1000.00")
    assert books.stock_on_hand() == 8
    with books.app.uow(write=False) as uow:
        assert uow.execute(
            select(t.lab_results.c.status).where(t.lab_results.c.bill_item_id == lab)
        ).scalars().all() == ["pending"]
    text = "\n".join(
        render_text(
            get_receipt(
                books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=paid.receipt_no
            )
        )
    )
    assert text.count("Waiver (exemption scheme)") == 2
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_a_full_waiver_is_settled_with_no_tender_stock_taken_and_the_lab_test_released(books):
    mrn = books.patient("P1")
    lab, drug = books.bill(mrn, ("LAB", 1), ("DRUG", 2))
    for item in (lab, drug):
        waived = _adjust(books, item, "waiver", reason="exemption_scheme")
        assert waived.amount_due == 0
    settled = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=[lab, drug],
        tenders=[],
        key=new_key(),
    )
    assert (settled.amount, settled.tenders) == (Decimal("0.00"), [])
    assert [books.item_status(i) for i in (lab, drug)] == ["paid", "paid"]
    assert books.stock_on_hand() == 8
    with books.app.uow(write=False) as uow:
        assert uow.execute(
            select(t.lab_results.c.status).where(t.lab_results.c.bill_item_id == lab)
        ).scalars().all() == ["pending"]
    text = "\n".join(
        render_text(
            get_receipt(
                books.app.uow(),
                actor=books.cashier,
                workstation="WS01",
                receipt_no=settled.receipt_no,
            )
        )
    )
    assert "Waiver (exemption scheme)" in text and "Nothing to pay" in text
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_no_tender_is_refused_while_something_is_due(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    with pytest.raises(BadInput) as refused:
        pay(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            mrn=mrn,
            item_ids=[item],
            tenders=[],
            key=new_key(),
        )
    assert refused.value.code == "invalid_tender"


def test_a_refund_gives_back_what_was_paid_not_the_gross(books):
    mrn = books.patient("P1", balance="2000.00")
    (item,) = books.bill(mrn, ("CONS", 1))
    _adjust(books, item, "discount", amount="400.00")
    paid = pay_items(books, mrn, [item], tender("wallet", "600.00"))
    refund = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="wrong patient",
        key=new_key(),
    )
    assert refund.amount == Decimal("600.00")
    assert books.balance(mrn) == Decimal("2000.00")
    assert run_check(books.app.uow(), actor=books.supervisor) == []


@pytest.mark.parametrize(
    ("kind", "how", "code"),
    [
        ("discount", {}, "invalid_amount"),
        ("discount", {"amount": "1.00", "percent": "5"}, "invalid_amount"),
        ("discount", {"amount": "0.001"}, "invalid_amount"),
        ("discount", {"percent": "101"}, "invalid_amount"),
        ("discount", {"amount": "1000.01"}, "item_not_adjustable"),
        ("waiver", {"amount": "5.00"}, "invalid_amount"),
        ("price", {"percent": "5"}, "invalid_amount"),
        ("price", {"amount": "1000.00"}, "item_not_adjustable"),
        ("rebate", {"amount": "1.00"}, "invalid_kind"),
    ],
)
def test_bad_adjustments_are_refused_with_a_code_and_nothing_written(books, kind, how, code):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    before = books.snapshot()
    with pytest.raises((BadInput, Refused)) as refused:
        _adjust(books, item, kind, **how)
    assert refused.value.code == code
    assert books.snapshot() == before


def test_an_unknown_reason_code_is_refused_and_the_admin_sets_the_list(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    with pytest.raises(BadInput) as refused:
        _adjust(books, item, "discount", amount="1.00", reason="birthday")
    assert refused.value.code == "invalid_reason_code"
    with pytest.raises(Refused):
        set_reason_codes(
            books.app.uow(), actor=books.supervisor, workstation="WS01", codes="birthday"
        )
    set_reason_codes(
        books.app.uow(), actor=books.admin, workstation="WS01", codes="birthday, staff"
    )
    assert _adjust(books, item, "discount", amount="1.00", reason="birthday").status == "applied"


def test_a_price_correction_may_raise_what_is_due(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("DRUG", 2))
    _adjust(books, item, "discount", amount="20.00")
    raised = _adjust(books, item, "price", amount="120.00", reason="price_error")
    assert (raised.amount, raised.amount_due) == (Decimal("-40.00"), Decimal("220.00"))
    pay_items(books, mrn, [item], tender("cash", "220.00"))
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_check_finds_an_adjustment_edited_behind_the_books_back(books):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    _adjust(books, item, "discount", amount="100.00")
    pay_items(books, mrn, [item], tender("cash", "900.00"))
    tamper(books.app, "UPDATE adjustments SET amount_minor = 50000")
    rules = {f.rule for f in run_check(books.app.uow(), actor=books.supervisor)}
    assert "item_due_adds_up" in rules


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE adjustments SET reason_code = 'other'",  # a column no invariant rule reads
        "UPDATE adjustments SET approved_by = requested_by",
        "DELETE FROM adjustments",
        "INSERT INTO adjustments (bill_item_id, kind, amount_minor, reason_code, requested_by, "
        "workstation, created_at) SELECT bill_item_id, kind, amount_minor, reason_code, "
        "requested_by, workstation, created_at FROM adjustments",
    ],
)
def test_an_adjustment_line_differing_from_its_event_is_a_finding_naming_the_item(books, sql):
    mrn = books.patient("P1")
    (item,) = books.bill(mrn, ("CONS", 1))
    _adjust(books, item, "discount", amount="100.00", approver=books.supervisor)
    assert run_check(books.app.uow(), actor=books.supervisor, full=True) == []
    tamper(books.app, sql)
    found = [
        f.detail
        for f in run_check(books.app.uow(), actor=books.supervisor, full=True)
        if f.rule == "events_match_rows"
    ]
    assert any(f.startswith(f"adjustment of item {item} at ") for f in found), found
