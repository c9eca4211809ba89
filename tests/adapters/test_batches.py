"""Set-based statements in slices: lookups and inserts larger than one slice lose nothing,
and a unique key taken meanwhile surfaces as the service's own error."""

import pytest

from pos_app.adapters import batches, patients_repo
from pos_app.domain.clock import system_clock
from pos_app.domain.errors import Conflict


@pytest.fixture
def tiny_slices(monkeypatch):
    monkeypatch.setattr(batches, "CHUNK", 2)


def people(*mrns):
    return [{"mrn": mrn, "name": f"Name {mrn}", "phone": None, "dob": None} for mrn in mrns]


def test_inserts_and_lookups_over_several_slices_cover_every_row(books, tiny_slices):
    mrns = [f"B{i:03d}" for i in range(5)]
    with books.app.uow() as uow:
        patients_repo.insert_many(
            uow,
            people(*mrns),
            now=system_clock(),
            terms={mrn: {"name", mrn.lower()} for mrn in mrns},
        )
        uow.commit()
    with books.app.uow() as uow:
        ids = patients_repo.ids_of(uow, [*mrns, "NOBODY"])
        assert sorted(ids) == mrns
        assert sorted(patients_repo.with_balances(uow, list(ids.values()))) == sorted(ids.values())
        assert len(patients_repo.ids_by_name_words(uow, ["name"], limit=10)) == 5


def test_a_unique_key_taken_meanwhile_is_raised_as_the_given_error(books):
    books.patient("DUP1")
    conflict = Conflict("taken meanwhile", code="import_conflict")
    with books.app.uow() as uow, pytest.raises(Conflict) as raised, batches.clash_as(conflict):
        patients_repo.insert_many(uow, people("DUP1"), now=system_clock(), terms={"DUP1": set()})
    assert raised.value is conflict
    with books.app.uow() as uow:
        assert list(patients_repo.ids_of(uow, ["DUP1"])) == ["DUP1"]
