"""SPEC rule 10: the tills' role cannot change the ledgers and the audit trail, nor the schema.

Every PostgreSQL money test already runs as this role (tests/conftest.py); here each
statement an insider with the till's credentials might try is shown refused by the
grants themselves ("permission denied", "must be owner"), before any trigger runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ProgrammingError

from pos_app.adapters import grants
from pos_app.adapters.migrate import downgrade, upgrade
from pos_app.adapters.tables import metadata
from pos_app.cli.main import main
from pos_app.domain.errors import BadInput, Refused
from tests.helpers.books import Books
from tests.helpers.money import pay_items, tender
from tests.helpers.postgres import APP_ROLE, OWNER, as_owner, as_role

APPEND_ONLY = [
    "audit_events",
    "wallet_entries",
    "stock_movements",  # revision 0001
    "reversals",
    "reversal_items",
    "refund_payouts",
    "withdrawals",  # 0002
    "shift_tenders",
    "shift_cash_counts",
    "day_closes",
    "adjustments",  # 0006
    "receivable_entries",
    "payer_shares",
    "claim_items",
    "settlement_allocations",
    "settlements",
]  # 0007


@pytest.fixture
def till(pg_books: Books) -> Iterator[Connection]:
    """A transaction as the application role on books with money in them."""
    mrn = pg_books.patient("P1", balance="3000.00")
    pay_items(
        pg_books,
        mrn,
        pg_books.bill(mrn, ("CONS", 1), ("DRUG", 1)),
        tender("wallet", "1000.00"),
        tender("cash", "100.00"),
    )
    with pg_books.app.engine.connect() as conn:
        yield conn


def refused(conn: Connection, statement: str, message: str) -> None:
    with pytest.raises(ProgrammingError, match=message), conn.begin_nested():
        conn.execute(text(statement))


def test_the_tills_connect_as_a_plain_role(till):
    row = till.execute(
        text(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb "
            "FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    assert tuple(row) == (APP_ROLE, False, False, False)


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize("verb", ["UPDATE {t} SET {c} = {c}", "DELETE FROM {t}", "TRUNCATE {t}"])
def test_the_app_role_may_not_change_the_ledgers_and_the_audit_trail(till, table, verb):
    column = next(iter(metadata.tables[table].columns)).name
    refused(till, verb.format(t=table, c=column), f"permission denied for table {table}")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("ALTER TABLE audit_events DISABLE TRIGGER ALL", "must be owner of table audit_events"),
        (
            "ALTER TABLE wallet_entries DISABLE TRIGGER USER",
            "must be owner of table wallet_entries",
        ),
        ("DROP TRIGGER audit_events_append_only ON audit_events", "must be owner of"),
        ("DROP TABLE audit_events", "must be owner of table audit_events"),
        ("ALTER TABLE wallets DROP CONSTRAINT ck_wallets_balance_not_negative", "must be owner"),
        ("CREATE TABLE shadow (id int)", "permission denied for schema public"),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "permission denied for schema public",
        ),
        ("UPDATE alembic_version SET version_num = 'x'", "permission denied for table alembic"),
    ],
)
def test_the_app_role_may_not_alter_drop_or_create(till, statement, message):
    refused(till, statement, message)


def test_a_payment_still_works_as_the_app_role_and_the_grant_is_idempotent(pg_books):
    def privileges() -> set[tuple[str, str]]:
        with pg_books.app.engine.connect() as conn:
            return set(
                conn.execute(
                    text(
                        "SELECT table_name, privilege_type "
                        "FROM information_schema.role_table_grants WHERE grantee = current_user"
                    )
                ).all()
            )

    before = privileges()
    with as_owner(pg_books.app) as owner:
        assert grants.grant(owner, APP_ROLE) == sorted(APPEND_ONLY)
        assert grants.granted_roles(owner) == [APP_ROLE]
    assert privileges() == before
    assert ("wallets", "UPDATE") in before and ("audit_events", "INSERT") in before
    assert not {(t, v) for t, v in before if v in ("UPDATE", "DELETE", "TRUNCATE")} & {
        (t, v) for t in APPEND_ONLY for v in ("UPDATE", "DELETE", "TRUNCATE")
    }
    mrn = pg_books.patient("P2", balance="1000.00")
    pay_items(pg_books, mrn, pg_books.bill(mrn, ("CONS", 1)), tender("wallet", "1000.00"))
    assert pg_books.balance(mrn) == 0
    with pg_books.app.engine.connect() as conn:  # the database-wide part of the grant
        refused(conn, "CREATE TEMP TABLE scratch (id int)", "permission denied to create temp")


def test_the_app_role_cannot_migrate_but_starting_a_current_till_needs_nothing(pg_app):
    upgrade(pg_app.engine)  # the window migrates on start: at head that writes nothing
    with as_owner(pg_app) as owner:
        downgrade(owner, "0002")
    with pytest.raises(Refused) as refused:
        upgrade(pg_app.engine)
    assert refused.value.code == "permission_denied" and "db upgrade" in refused.value.message


@pytest.mark.parametrize(
    ("role", "error", "code"),
    [
        ("app; DROP TABLE audit_events", BadInput, "invalid_role_name"),
        ('"caretill_app"', BadInput, "invalid_role_name"),
        ("", BadInput, "invalid_role_name"),
        ("nobody_here", BadInput, "unknown_role"),
        (OWNER, Refused, "role_too_powerful"),
        ("postgres", Refused, "role_too_powerful"),
    ],
)
def test_a_role_that_is_odd_unknown_or_too_powerful_is_refused(pg_app, role, error, code):
    with as_owner(pg_app) as owner, pytest.raises(error) as raised:
        grants.grant(owner, role)
    assert raised.value.code == code


def test_sqlite_has_no_roles_to_grant(sqlite_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    assert main(["db", "grant", APP_ROLE, "--db", sqlite_url, "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not_postgresql"


def test_db_grant_and_upgrade_on_the_command_line(pg_app, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    owner_url = as_role(pg_app.engine.url.render_as_string(hide_password=False), OWNER)
    assert main(["db", "grant", APP_ROLE, "--db", owner_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["append_only"] == sorted(APPEND_ONLY)
    assert main(["db", "upgrade", "--db", owner_url]) == 0
    assert f"caretill db grant {APP_ROLE}" in capsys.readouterr().out
    app_url = pg_app.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CARETILL_DB", app_url)
    assert main(["db", "grant", APP_ROLE, "--json"]) == 3  # the till cannot grant itself
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "permission_denied"


def test_the_grant_sets_the_tills_timeouts_as_database_defaults_as_the_database_owner(
    pg_app, pg_admin_url
):
    database = pg_app.engine.url.database
    with as_owner(pg_app) as owner:
        grants.grant(owner, APP_ROLE)
        with owner.connect() as conn:
            defaults = conn.execute(
                text(
                    "SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d "
                    "ON d.oid = s.setdatabase WHERE d.datname = :d AND s.setrole = 0"
                ),
                {"d": database},
            ).scalar_one()
        assert sorted(defaults) == [
            "idle_in_transaction_session_timeout=30000",
            "lock_timeout=5000",
        ]
        admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"ALTER DATABASE {database} OWNER TO CURRENT_USER"))
        admin.dispose()
        with pytest.raises(Refused) as refused:
            grants.grant(owner, APP_ROLE)
    assert refused.value.code == "permission_denied"
