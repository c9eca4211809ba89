"""`check` reads the chains as the driver gives them and spells each event's time as the
hash covers it, without SQLAlchemy converting it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from pos_app.adapters import check_queries
from pos_app.adapters import tables as t
from tests.conftest import make_app
from tests.helpers.books import Books
from tests.helpers.money import top_up
from tests.helpers.tamper import tamper


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC), datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)],
)
def test_an_events_time_is_spelled_as_its_datetime_isoformat(books: Books, at):
    top_up(books, books.patient("P1"), "1.00")
    tamper(books.app, "UPDATE audit_events SET at = :at WHERE seq = 2", at=at)
    with books.app.uow(write=False) as uow:
        read = list(check_queries.chain_events(uow, "WS01", after=0, through=None, batch=1))
        stored = uow.execute(
            select(t.audit_events.c.seq, t.audit_events.c.at).order_by(t.audit_events.c.seq)
        ).all()
    assert [(e.seq, e.at_iso, e.at) for e in read] == [
        (seq, when.isoformat(), when) for seq, when in stored
    ]
    assert read[1].at_iso == at.isoformat()


@pytest.mark.parametrize("text", ["2026-03-04 05:06:07", "2026-03-04T05:06:07.5", "not a time"])
def test_a_time_stored_in_another_spelling_is_read_as_sqlalchemy_would(sqlite_url, tmp_path, text):
    app = make_app(sqlite_url, tmp_path)  # only SQLite keeps times as text
    books = Books.open(app)
    top_up(books, books.patient("P1"), "1.00")
    tamper(app, "UPDATE audit_events SET at = :at WHERE seq = 2", at=text)
    with app.uow(write=False) as uow:
        event = list(check_queries.chain_events(uow, "WS01", after=1, through=2, batch=5))[0]
    app.close()
    try:
        expected = datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()
    except ValueError:
        expected = text  # no time: the hash cannot match, and the check says so
    assert event.at_iso == expected
