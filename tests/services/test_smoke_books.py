from decimal import Decimal

from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def test_wallet_payment_debits_the_wallet_and_marks_items_paid(books):
    mrn = books.patient("P1", balance="1500.00")
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 2))
    result = pay(books.app.uow(), actor=books.cashier, workstation="WS01", mrn=mrn,
                 item_ids=items, tenders=[TenderRequest("wallet", "1200.00")], key=new_key())
    assert result.amount == Decimal("1200.00")
    assert books.balance(mrn) == Decimal("300.00")
    assert [books.item_status(i) for i in items] == ["paid", "paid"]
    assert books.stock_on_hand() == 8
