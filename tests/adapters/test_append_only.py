"""SPEC rule 8: the database itself refuses edits to the audit trail and the ledgers."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.helpers.money import top_up
from tests.helpers.postgres import as_owner


@pytest.mark.parametrize("table", ["audit_events", "wallet_entries", "stock_movements"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
def test_the_database_refuses_to_update_or_delete_append_only_rows(books, table, statement):
    top_up(books, books.patient("P1"), "100.00")
    before = books.count(table)
    # As the owner: the application role is stopped sooner, by its grants (test_grants.py).
    with (
        pytest.raises(DBAPIError, match="append-only"),
        as_owner(books.app) as owner,
        owner.begin() as conn,
    ):
        conn.execute(text(statement.format(t=table)))
    assert books.count(table) == before > 0
