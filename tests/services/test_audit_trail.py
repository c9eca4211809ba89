"""The supervisor's audit trail: filtered events and a chain verification."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pos_app.domain.errors import Refused
from pos_app.services.audit_trail import audit_events, verify_chain
from pos_app.services.pay import pay
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def test_events_filter_by_action_and_user_and_the_chain_verifies(books):
    books.patient("P1", balance="1000.00")
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=books.bill("P1", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("wallet", "1000.00")],
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS02",
        receipt_no=paid.receipt_no,
        reason="Test",
        key=new_key(),
    )
    reversals = audit_events(
        books.app.uow(write=False), actor=books.supervisor, action="payment.rev"
    )
    assert [(e.workstation, e.user, e.action) for e in reversals] == [
        ("WS02", "supervisor", "payment.reverse")
    ]
    by_cashier = audit_events(books.app.uow(write=False), actor=books.supervisor, user="cashier")
    # The cashier's first money command enrolled the workstation's key, naming them.
    assert {e.action for e in by_cashier} == {"workstation.enrolled", "deposit", "payment"}
    assert verify_chain(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_cashier_may_not_read_the_audit_trail(books):
    with pytest.raises(Refused):
        audit_events(books.app.uow(write=False), actor=books.cashier)


def test_verify_chain_reports_a_missing_event(sqlite_url, tmp_path):
    from tests.conftest import make_app
    from tests.helpers.books import Books

    app = make_app(sqlite_url, tmp_path)
    books = Books.open(app)
    books.patient("P1", balance="10.00")
    books.top_up("P1", "5.00")
    with app.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        conn.execute(text("DELETE FROM audit_events WHERE seq = 1"))
    findings = verify_chain(app.uow(write=False), actor=books.supervisor)
    app.close()
    assert {f.rule for f in findings} >= {"audit_chain_linked", "audit_chain_complete"}
