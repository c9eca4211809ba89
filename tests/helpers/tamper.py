"""An insider with full SQL access: triggers and checks off, statements run as the owner."""

from __future__ import annotations

from sqlalchemy import text

from pos_app.bootstrap import App
from tests.helpers.postgres import as_owner


def tamper(app: App, *statements: str, **params: object) -> None:
    """Run `statements` as the database owner with every user trigger off (and on SQLite
    the CHECK constraints too), as someone editing the books behind the services' back."""
    with as_owner(app) as insider, insider.begin() as conn:
        if conn.dialect.name == "sqlite":
            for (name,) in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).all():
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            conn.execute(text("PRAGMA ignore_check_constraints = ON"))
        else:
            for (table,) in conn.execute(
                text(
                    "SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c "
                    "ON c.oid = g.tgrelid WHERE NOT g.tgisinternal"
                )
            ).all():
                conn.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))
        for statement in statements:
            conn.execute(text(statement), params)
