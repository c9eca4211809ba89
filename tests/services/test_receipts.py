from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, NotFound
from pos_app.receipts.model import qr_payload
from pos_app.receipts.text import render_text
from pos_app.services.check import run_check
from pos_app.services.deposit import deposit
from pos_app.services.pay import pay
from pos_app.services.receipts import get_receipt, verify_receipt
from pos_app.services.refund_requests import decide_request, request_refund
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from pos_app.services.withdrawal import withdraw
from tests.helpers.books import new_key
from tests.helpers.postgres import as_owner


def _paid(books, *, name="Zoë Müller"):
    mrn = books.patient("P1", balance="500.00", name=name)
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 2))
    result = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        key=new_key(),
        tenders=[
            TenderRequest("wallet", "200.00"),
            TenderRequest("cash", "1000.00", cash_tendered="1100.00"),
        ],
    )
    return result


def _receipt(books, receipt_no, reason=None):
    return get_receipt(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=receipt_no,
        reprint_reason=reason,
    )


def _reprint_events(books, receipt_no):
    with books.app.uow(write=False) as uow:
        return (
            uow.execute(
                select(t.audit_events.c.details)
                .where(
                    t.audit_events.c.action == "receipt.reprint",
                    t.audit_events.c.receipt_no == receipt_no,
                )
                .order_by(t.audit_events.c.seq)
            )
            .scalars()
            .all()
        )


def test_a_payment_receipt_is_built_from_the_database(books):
    result = _paid(books)
    receipt = _receipt(books, result.receipt_no)
    assert (receipt.kind, receipt.receipt_no, receipt.copy_number) == (
        "payment",
        result.receipt_no,
        0,
    )
    assert (receipt.facility_name, receipt.workstation, receipt.cashier) == (
        "Test Hospital",
        "WS01",
        "cashier",
    )
    assert (receipt.patient_name, receipt.mrn) == ("Zoë Müller", "P1")
    assert [
        (line.description, line.quantity, line.unit_price, line.amount) for line in receipt.lines
    ] == [
        ("CONS service", 1, Decimal("1000.00"), Decimal("1000.00")),
        ("DRUG service", 2, Decimal("100.00"), Decimal("200.00")),
    ]
    assert receipt.total == Decimal("1200.00")
    assert [(x.method, x.amount, x.cash_tendered, x.change) for x in receipt.tenders] == [
        ("wallet", Decimal("200.00"), None, Decimal("0.00")),
        ("cash", Decimal("1000.00"), Decimal("1100.00"), Decimal("100.00")),
    ]
    assert receipt.change == Decimal("100.00")
    assert receipt.wallet_balance_after == Decimal("300.00")
    assert receipt.audit_hash == result.audit_hash
    assert receipt.at.utcoffset() is not None and receipt.currency.code == "KES"


def test_a_deposit_receipt_shows_the_top_up_and_the_balance_after(books):
    books.patient("P2", name="Wanjirũ Kamau")
    result = deposit(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P2",
        amount="750.50",
        method="mobile_money",
        reference="MPESA123",
        key=new_key(),
    )
    receipt = _receipt(books, result.receipt_no.lower())
    assert (receipt.kind, receipt.patient_name, receipt.total) == (
        "deposit",
        "Wanjirũ Kamau",
        Decimal("750.50"),
    )
    assert [(x.method, x.reference) for x in receipt.tenders] == [("mobile_money", "MPESA123")]
    assert receipt.wallet_balance_after == Decimal("750.50")


def test_viewing_a_receipt_is_not_a_reprint(books):
    result = _paid(books)
    _receipt(books, result.receipt_no)
    assert _reprint_events(books, result.receipt_no) == []


def test_each_reprint_counts_is_audited_and_keeps_the_books_consistent(books):
    result = _paid(books)
    first = _receipt(books, result.receipt_no, "patient lost it")
    second = _receipt(books, result.receipt_no, "  insurer   wants a copy ")
    assert (first.copy_number, second.copy_number) == (1, 2)
    with books.app.uow(write=False) as uow:
        reprints = uow.execute(
            select(t.receipts.c.reprints).where(t.receipts.c.receipt_no == result.receipt_no)
        ).scalar_one()
    assert reprints == 2
    assert _reprint_events(books, result.receipt_no) == [
        '{"copy":1,"reason":"patient lost it"}',
        '{"copy":2,"reason":"insurer wants a copy"}',
    ]
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_reprint_without_a_reason_is_refused_and_not_counted(books):
    result = _paid(books)
    with pytest.raises(BadInput) as error:
        _receipt(books, result.receipt_no, "   ")
    assert error.value.code == "missing_reason"
    assert _reprint_events(books, result.receipt_no) == []


def test_an_unknown_receipt_number_is_unknown_receipt(books):
    with pytest.raises(NotFound) as error:
        _receipt(books, "WS01-999999", "lost")
    assert error.value.code == "unknown_receipt"


def test_the_qr_payload_of_a_receipt_and_its_reprints_is_genuine(books):
    result = _paid(books)
    receipt = _receipt(books, result.receipt_no, "lost")
    verdict = verify_receipt(
        books.app.uow(write=False), actor=books.cashier, payload=qr_payload(receipt)
    )
    assert (verdict.genuine, verdict.receipt_no) == (True, result.receipt_no)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p[:-1] + ("0" if p[-1] != "0" else "1"),
        lambda p: p.replace("WS01-000002", "WS01-000001"),
        lambda p: p.replace("WS01-000002", "WS01-000777"),
        lambda p: "CARETILL:1:WS01-000002",
    ],
)
def test_a_tampered_payload_is_not_genuine(books, tamper):
    result = _paid(books)
    assert result.receipt_no == "WS01-000002"  # the top-up was WS01-000001
    payload = tamper(qr_payload(_receipt(books, result.receipt_no)))
    verdict = verify_receipt(books.app.uow(write=False), actor=books.cashier, payload=payload)
    assert not verdict.genuine and verdict.reason


def test_an_edited_audit_event_makes_its_receipt_not_genuine(books):
    result = _paid(books)
    with as_owner(books.app) as insider, insider.begin() as conn:  # behind the append-only guard
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        conn.execute(
            update(t.audit_events)
            .where(t.audit_events.c.receipt_no == result.receipt_no)
            .values(details="{}")
        )
    payload = qr_payload(_receipt(books, result.receipt_no))
    verdict = verify_receipt(books.app.uow(write=False), actor=books.cashier, payload=payload)
    assert not verdict.genuine
    assert "audit trail" in verdict.reason


# --- refunds and withdrawals ---------------------------------------------------------------


def _refunded(books):
    """The split payment refunded: cashier2 asks, the supervisor approves."""
    paid = _paid(books)
    request = request_refund(
        books.app.uow(),
        actor=books.cashier2,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Patient billed twice",
    )
    refund = decide_request(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS02",
        request_id=request.request_id,
        approve=True,
        key=new_key(),
    )
    return paid, refund


def test_a_refund_receipt_lists_the_items_each_payout_the_reason_and_both_names(books):
    paid, refund = _refunded(books)
    receipt = _receipt(books, refund.receipt_no)
    assert (receipt.kind, receipt.receipt_no, receipt.reverses_receipt_no) == (
        "refund",
        refund.receipt_no,
        paid.receipt_no,
    )
    assert (receipt.cashier, receipt.requested_by, receipt.approved_by) == (
        "cashier",
        "cashier2",
        "supervisor",
    )
    assert receipt.reason == "Patient billed twice"
    assert (receipt.patient_name, receipt.mrn) == ("Zoë Müller", "P1")
    assert [(line.description, line.amount) for line in receipt.lines] == [
        ("CONS service", Decimal("1000.00")),
        ("DRUG service", Decimal("200.00")),
    ]
    assert receipt.total == Decimal("1200.00")
    assert [(x.method, x.amount, x.cash_tendered) for x in receipt.tenders] == [
        ("wallet", Decimal("200.00"), None),
        ("cash", Decimal("1000.00"), None),
    ]
    assert receipt.wallet_balance_after == Decimal("500.00") == books.balance("P1")
    assert receipt.audit_hash == refund.audit_hash
    text = "\n".join(render_text(receipt, columns=32))
    for expected in (
        "REFUND",
        f"Reverses  {paid.receipt_no}",
        "Cashier   cashier",
        "Requested cashier2",
        "Approved  supervisor",
        "Reason    Patient billed",
        "Paid back as",
        "REFUNDED KES",
    ):
        assert expected in text


def test_a_refund_without_a_wallet_payout_shows_the_reference_and_the_balance_then(books):
    books.patient("P3", balance="80.00")
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P3",
        item_ids=books.bill("P3", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("mobile_money", "1000.00", "QK7XH2LMP9")],
    )
    refund = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Wrong patient",
        key=new_key(),
    )
    receipt = _receipt(books, refund.receipt_no)
    assert [(x.method, x.amount, x.reference) for x in receipt.tenders] == [
        ("mobile_money", Decimal("1000.00"), "QK7XH2LMP9")
    ]
    assert receipt.wallet_balance_after == Decimal("80.00")
    # Asked for by the approving supervisor: no separate requester to name.
    assert (receipt.cashier, receipt.requested_by, receipt.approved_by) == (
        "cashier",
        None,
        "supervisor",
    )


def test_a_withdrawal_receipt_shows_the_cash_paid_out_the_balance_after_and_both_names(books):
    books.patient("P2", balance="500.00", name="Wanjirũ Kamau")
    result = withdraw(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        mrn="P2",
        amount="150.00",
        reason="Patient discharged",
        key=new_key(),
        cashier=books.cashier,
    )
    receipt = _receipt(books, result.receipt_no)
    assert (receipt.kind, receipt.total, receipt.wallet_balance_after) == (
        "withdrawal",
        Decimal("150.00"),
        Decimal("350.00"),
    )
    assert [(x.method, x.amount) for x in receipt.tenders] == [("cash", Decimal("150.00"))]
    assert (receipt.cashier, receipt.approved_by, receipt.reason) == (
        "cashier",
        "supervisor",
        "Patient discharged",
    )
    assert (receipt.patient_name, receipt.reverses_receipt_no) == ("Wanjirũ Kamau", None)
    text = "\n".join(render_text(receipt, columns=48))
    for expected in (
        "WALLET WITHDRAWAL",
        "Approved  supervisor",
        "Paid out as",
        "WITHDRAWN KES",
        "Reason    Patient discharged",
    ):
        assert expected in text
    assert verify_receipt(
        books.app.uow(write=False), actor=books.cashier, payload=qr_payload(receipt)
    ).genuine


def test_a_refund_reprint_says_copy_1_and_the_books_still_hold(books):
    _, refund = _refunded(books)
    copy = _receipt(books, refund.receipt_no, "patient lost it")
    assert copy.copy_number == 1
    assert "*** COPY 1 ***" in [line.strip() for line in render_text(copy)]
    assert _reprint_events(books, refund.receipt_no) == ['{"copy":1,"reason":"patient lost it"}']
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_the_qr_code_of_a_refund_receipt_is_genuine(books):
    _, refund = _refunded(books)
    verdict = verify_receipt(
        books.app.uow(write=False),
        actor=books.cashier,
        payload=qr_payload(_receipt(books, refund.receipt_no)),
    )
    assert (verdict.genuine, verdict.receipt_no) == (True, refund.receipt_no)


def test_the_receipt_of_a_reversed_payment_says_which_refund_reversed_it(books):
    paid, refund = _refunded(books)
    receipt = _receipt(books, paid.receipt_no, "insurer wants a copy")
    assert receipt.reversed_by == refund.receipt_no
    lines = [line.strip() for line in render_text(receipt, columns=32)]
    assert f"REVERSED by {refund.receipt_no}" in lines and "*** COPY 1 ***" in lines
    assert _receipt(books, _paid_again(books)).reversed_by is None


def _paid_again(books) -> str:
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=books.bill("P1", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("cash", "1000.00")],
    ).receipt_no
