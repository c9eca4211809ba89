"""Backups: a consistent copy taken while the books are live restores to books that check clean."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pos_app.adapters import backup as files
from pos_app.domain.errors import BadInput, Refused
from pos_app.services.backup import create_backup
from pos_app.services.check import run_check
from tests.conftest import make_app
from tests.helpers.books import Books
from tests.helpers.money import pay_items, tender

COUNTED = ("payments", "tenders", "wallet_entries", "audit_events", "receipts", "stock_movements")


def _busy(books: Books) -> None:
    mrn = books.patient("P1", balance="3000.00")
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 2))
    pay_items(books, mrn, items, tender("wallet", "1000.00"), tender("cash", "200.00"))


@pytest.fixture
def empty_target(request: pytest.FixtureRequest, books: Books, tmp_path: Path):
    """An empty database of the same kind as the books' one."""
    if books.app.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_backup_restores_to_books_that_check_clean_with_every_row(books, empty_target, tmp_path):
    _busy(books)
    before = {table: books.count(table) for table in COUNTED}
    out = tmp_path / "backup.bin"
    written = create_backup(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        url=books.app.settings.db_url,
        out=out,
    )
    assert out.stat().st_size == written.size > 0 and len(written.sha256) == 64
    assert out.stat().st_mode & 0o077 == 0, "a backup holds patient data: owner-only"

    files.restore(out, empty_target)
    # Checked on the same till: its witness remembers the backup's own event, which the copy
    # (taken before it) lacks; the copy is a database of its own, so it is not called rewound.
    restored = make_app(empty_target, tmp_path)
    try:
        copy = Books(
            restored, books.currency, books.cashier, books.cashier2, books.supervisor, books.admin
        )
        # The backup's own audit event is written after the copy was taken.
        assert {table: copy.count(table) for table in COUNTED} == before
        assert run_check(restored.uow(), actor=books.supervisor) == []
        original, copied = _settings(books.app), _settings(restored)
        assert copied["database_id"] != original["database_id"]
        assert json.loads(copied["restored_from"])["database_id"] == original["database_id"]
        assert json.loads(copied["restored_from"])["backup_sha256"] == written.sha256
    finally:
        restored.close()
    assert books.count("audit_events") == before["audit_events"] + 1, "the backup is audited"


def _settings(app) -> dict[str, str]:
    with app.uow(write=False) as uow:
        return dict(uow.execute(text("SELECT key, value FROM settings")).all())


def test_a_cashier_may_not_take_a_backup_and_nothing_is_written(books, tmp_path):
    out = tmp_path / "backup.bin"
    with pytest.raises(Refused) as refused:
        create_backup(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            url=books.app.settings.db_url,
            out=out,
        )
    assert refused.value.code == "permission_denied"
    assert not out.exists()


def test_restore_never_overwrites_a_database_that_has_books(books, tmp_path):
    out = tmp_path / "backup.bin"
    create_backup(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        url=books.app.settings.db_url,
        out=out,
    )
    with pytest.raises(Refused) as refused:
        files.restore(out, books.app.settings.db_url)
    assert refused.value.code == "database_not_empty"


def test_backup_refuses_to_overwrite_an_existing_file(books, tmp_path):
    out = tmp_path / "backup.bin"
    out.write_bytes(b"keep me")
    with pytest.raises(BadInput) as bad:
        create_backup(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            url=books.app.settings.db_url,
            out=out,
        )
    assert bad.value.code == "file_exists" and out.read_bytes() == b"keep me"


def test_a_damaged_sqlite_backup_is_refused_on_restore(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(Refused) as refused:
        files.restore(damaged, f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert refused.value.code == "backup_damaged"
    assert not (tmp_path / "new.sqlite3").exists()
