"""Migration 0006 turns the refund requests of the first release into approval requests."""

import json

from sqlalchemy import text

from pos_app.adapters import grants
from pos_app.adapters.migrate import downgrade, upgrade
from pos_app.services import approvals
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key
from tests.helpers.postgres import APP_ROLE, as_owner


def test_refund_requests_become_refund_approvals_with_their_ids_items_and_state(books):
    books.patient("P1", balance="2000.00")
    items = books.bill("P1", ("CONS", 1), ("DRUG", 2))
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("wallet", "1200.00")],
    )
    with as_owner(books.app) as owner:
        downgrade(owner, "0005")
        with owner.begin() as conn:  # as the first release stored them
            payment_id = conn.execute(text("SELECT id FROM payments")).scalar_one()
            for request_id, status, decided in (
                (7, "rejected", books.supervisor.user_id),
                (9, "pending", None),
            ):
                conn.execute(
                    text(
                        "INSERT INTO refund_requests (id, payment_id, requested_by, workstation, "
                        "reason, status, created_at, decided_by) VALUES (:id, :p, :by, 'WS01', "
                        "'Double charge', :status, '2026-11-01 10:00:00', :decided)"
                    ),
                    {
                        "id": request_id,
                        "p": payment_id,
                        "by": books.cashier.user_id,
                        "status": status,
                        "decided": decided,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO refund_request_items (request_id, bill_item_id) VALUES (9, :item)"
                ),
                {"item": items[1]},
            )
        upgrade(owner)
        if owner.dialect.name == "postgresql":  # the grant is run again after every upgrade
            grants.grant(owner, APP_ROLE)
        with owner.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, kind, subject, amount_minor, status, payload "
                    "FROM approval_requests ORDER BY id"
                )
            ).all()
    assert [tuple(r[:5]) for r in rows] == [
        (7, "refund", paid.receipt_no, 120000, "rejected"),
        (9, "refund", paid.receipt_no, 20000, "pending"),
    ]
    assert json.loads(rows[1][5]) == {
        "receipt_no": paid.receipt_no,
        "mrn": "P1",
        "items": [items[1]],
    }
    decided = approvals.approve(
        books.app.uow(), actor=books.supervisor, workstation="WS01", request_id=9, key=new_key()
    )
    assert decided.result["items"] == [items[1]]
    asked = approvals.request(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        kind="withdrawal",
        subject="P1",
        amount="10.00",
        reason="Rest",
        payload={"mrn": "P1"},
        key=new_key(),
    )
    assert asked.id == 10, "new requests number on after the migrated ones"
