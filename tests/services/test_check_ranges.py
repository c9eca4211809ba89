"""A chain walked in ranges by worker processes finds exactly what one walk finds."""

from __future__ import annotations

import pytest

from pos_app.adapters.witness import Head
from pos_app.services.check import run_check
from pos_app.services.check_ranges import Range, plan
from tests.helpers.books import Books
from tests.helpers.tamper import tamper
from tests.services.test_replay_chains import events, forge_event
from tests.services.test_replay_rows import CHANGED, DELETED, INSERTED, a_day

__all__ = ["a_day"]  # the fixture, shared with the replay tests


def both_ways(books: Books) -> list[tuple[str, str]]:
    """The findings of one walk in this process; asserts two workers find the same."""
    found = [
        (f.rule, f.detail)
        for f in run_check(books.app.uow(), actor=books.supervisor, full=True, workers=1)
    ]
    assert [
        (f.rule, f.detail)
        for f in run_check(books.app.uow(), actor=books.supervisor, full=True, workers=2)
    ] == found
    return found


def test_ranges_cover_each_chain_once_from_its_checkpoint():
    start = Head("WS01", 5, "h5")
    assert plan(
        [("WS01", 0, 12), ("WS02", 3, 2)], {"WS01": start, "WS02": Head("WS02", 0, "")}, size=3
    ) == [
        Range("WS01", 5, 8, 0, start),
        Range("WS01", 8, 11, 0),
        Range("WS01", 11, None, 0),
        Range("WS02", 0, None, 3, Head("WS02", 0, "")),
    ]
    assert plan([("WS01", 0, 5)], {"WS01": start}) == [Range("WS01", 5, None, 0, start)]


def test_clean_books_are_clean_in_ranges_and_the_next_check_starts_at_their_end(a_day):
    assert run_check(a_day.app.uow(), actor=a_day.supervisor, full=True, workers=2) == []
    assert run_check(a_day.app.uow(), actor=a_day.supervisor) == []


@pytest.mark.parametrize(("statement", "named"), [CHANGED[1], CHANGED[4], DELETED[0], INSERTED[0]])
def test_an_edited_row_is_named_the_same_in_ranges(a_day, statement, named):
    tamper(a_day.app, *statement.split("; "))
    found = both_ways(a_day)
    assert any(named in detail for rule, detail in found if rule == "events_match_rows"), found


def test_an_event_deleted_at_a_cut_and_a_forged_one_are_named_the_same_in_ranges(a_day):
    chain = events(a_day)
    middle = chain[len(chain) // 2]
    tamper(a_day.app, "DELETE FROM audit_events WHERE id = :id", id=middle.id)
    forge_event(a_day, action="deposit", details={"amount": "50000.00", "mrn": "P1"})
    found = both_ways(a_day)
    details = " ".join(detail for _, detail in found)
    assert f"audit event {middle.seq + 1} of WS01 does not follow" in details
    assert f"audit event {chain[-1].seq + 1} of WS01 has a forged signature" in details
