"""Patients: registration opens a wallet; search finds by MRN, phone or any name word."""

from decimal import Decimal

import pytest

from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.services.patients import add_patient, search_patients, search_terms, show_patient


@pytest.fixture
def registry(books):
    for mrn, name, phone in [
        ("MRN000123", "Nakato Ssewanyana", "0772123456"),
        ("MRN000124", "Zoë Müller", "0722000111"),
        ("MRN001230", "Wanjirũ Kamau", "0711999888"),
    ]:
        add_patient(books.app.uow(), actor=books.cashier, mrn=mrn, name=name, phone=phone)
    return books


def search(books, text):
    return [p.mrn for p in search_patients(books.app.uow(), actor=books.cashier, text=text)]


def test_registering_a_patient_opens_an_empty_wallet(registry):
    detail = show_patient(registry.app.uow(), actor=registry.cashier, mrn="MRN000123")
    assert detail.patient.wallet_balance == Decimal("0.00")
    assert detail.unpaid_items == []


def test_an_exact_mrn_comes_first(registry):
    assert search(registry, "MRN000123")[0] == "MRN000123"
    assert search(registry, "MRN00012") == ["MRN000123", "MRN000124"]


def test_search_finds_by_phone_and_by_any_name_word_without_accents(registry):
    assert search(registry, "0722 000") == ["MRN000124"]
    assert search(registry, "sse") == ["MRN000123"]
    assert search(registry, "wanjiru") == ["MRN001230"]
    assert search(registry, "zoe mul") == ["MRN000124"]
    assert search(registry, "nobody") == []


def test_search_terms_fold_case_and_accents():
    assert search_terms("Wanjirũ Müller-Kamau") == {"wanjiru", "muller", "kamau"}


def test_unpaid_items_are_listed_with_their_bill(books):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 3))
    detail = show_patient(books.app.uow(), actor=books.cashier, mrn=mrn)
    assert [(i.id, i.kind, i.quantity, i.amount) for i in detail.unpaid_items] == [
        (items[0], "consultation", 1, Decimal("1000.00")),
        (items[1], "pharmacy", 3, Decimal("300.00")),
    ]


def test_unknown_and_duplicate_patients_are_refused(registry):
    with pytest.raises(NotFound):
        show_patient(registry.app.uow(), actor=registry.cashier, mrn="NOPE")
    with pytest.raises(Refused):
        add_patient(registry.app.uow(), actor=registry.cashier, mrn="MRN000123", name="X")
    with pytest.raises(BadInput):
        add_patient(registry.app.uow(), actor=registry.cashier, mrn="bad mrn!", name="X")
