"""Migration 0003 keeps every reference already taken, once per method under its key."""

from sqlalchemy import text

from pos_app.adapters.migrate import downgrade, upgrade
from tests.helpers.money import pay_items, tender, top_up
from tests.helpers.postgres import as_owner


def test_references_taken_before_0003_are_kept_under_their_key_first_receipt_first(books):
    books.patient("P1")
    receipts = []
    for method, reference in [
        ("mobile_money", "QK71XR"),
        ("card", "Auth-7"),
        ("insurance", "INS 42"),
        ("card", "AUTH-8"),
    ]:
        (item,) = books.bill("P1", ("CONS", 1))
        receipts.append(
            pay_items(books, "P1", [item], tender(method, "1000.00", reference)).receipt_no
        )
    receipts.append(top_up(books, "P1", "5.00", "card", "Dep 1").receipt_no)
    with as_owner(books.app) as owner:
        downgrade(owner, "0002")
        with owner.begin() as conn:  # as stored before: typed, and a card reference used twice
            conn.execute(text("UPDATE mobile_money_refs SET reference = 'QK71XR\u200b'"))
            conn.execute(text("UPDATE tenders SET reference = 'AUTH-8' WHERE reference = 'Auth-7'"))
        upgrade(owner)
        with owner.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT method, reference_key, receipt_no FROM tender_references ORDER BY 1, 2"
                )
            ).all()
    assert [tuple(row) for row in rows] == [
        ("card", "auth-8", receipts[1]),
        ("card", "dep1", receipts[4]),
        ("insurance", "ins42", receipts[2]),
        ("mobile_money", "qk71xr", receipts[0]),
    ]
