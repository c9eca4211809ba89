"""The replay reads a batch's rows as ranges of receipt numbers on SQLite: the same rows as
looking each number up, and key by key where a range would span other receipts."""

from __future__ import annotations

from pos_app.adapters import replay_queries as rq
from tests.helpers.books import Books
from tests.helpers.money import top_up

RECEIPTS = [f"WS01-00000{n}" for n in range(1, 7)]
TABLES = {table.name for table in rq.BY_OWNER[rq.RECEIPT]}


def _sorted(found: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {table: sorted(rows, key=repr) for table, rows in found.items()}


def test_a_run_of_receipts_reads_the_same_rows_as_a_range_as_key_by_key(books: Books):
    mrn = books.patient("P1")
    for n in range(1, 7):
        top_up(books, mrn, f"{n}.00")
    with books.app.uow(write=False) as uow:
        by_key = rq.read(uow, rq.RECEIPT, RECEIPTS, TABLES)
        as_run = rq.read(uow, rq.RECEIPT, RECEIPTS, TABLES, dense=RECEIPTS)
        ranges, single = rq._ranges(uow, RECEIPTS, RECEIPTS)
        sparse = [RECEIPTS[0], RECEIPTS[5]]  # four receipts between them are not keys
        sparse_ranges, _ = rq._ranges(uow, sparse, sparse)
        sparse_read = rq.read(uow, rq.RECEIPT, sparse, TABLES, dense=sparse)
        dialect = uow.dialect
    assert len(by_key["deposits"]) == 6 and len(by_key["wallet_entries"]) == 6
    assert _sorted(as_run) == _sorted(by_key)
    assert sparse_ranges == []
    assert _sorted(sparse_read) == _sorted(
        {table: [row for row in rows if row[0] in sparse] for table, rows in by_key.items()}
    )
    if dialect == "sqlite":  # PostgreSQL may collate by locale: key by key there
        assert (ranges, single) == ([(RECEIPTS[0], RECEIPTS[5], True)], [])
    else:
        assert (ranges, single) == ([], RECEIPTS)


def test_numbers_whose_digits_widened_are_read_as_a_range_each(books: Books):
    keys = ["WS01-999999", "WS01-1000000", "WS01-1000001", "OLD-000001"]
    with books.app.uow(write=False) as uow:
        ranges, single = rq._ranges(uow, keys, keys[:3])
        dialect = uow.dialect
    if dialect == "sqlite":
        # no such receipts are held, so what a range reads is sifted by key
        assert (sorted(ranges), single) == (
            [("WS01-1000000", "WS01-1000001", False), ("WS01-999999", "WS01-999999", False)],
            ["OLD-000001"],
        )
    else:
        assert (ranges, single) == ([], keys)
