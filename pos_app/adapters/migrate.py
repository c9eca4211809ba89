"""Schema migrations: `caretill db upgrade` and the test fixtures both come through here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from pos_app.adapters.database import create_missing_file, translate
from pos_app.domain.errors import Refused

MIGRATIONS = Path(__file__).with_name("migrations")
_INSUFFICIENT_PRIVILEGE = "42501"  # a till's application role reaching for the schema


def alembic_config(connection: object | None = None) -> Config:
    """An Alembic configuration that needs no alembic.ini on the workstation."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head", *, create_file: bool = True) -> None:
    """Create or migrate the schema to `revision` in one transaction (and a new SQLite file,
    unless `create_file` is False: a till whose file vanished must say so, not start empty)."""
    if create_file:
        create_missing_file(engine)
    try:
        _migrate(engine, command.upgrade, revision)
    except DBAPIError as exc:
        if getattr(exc.orig, "pgcode", None) == _INSUFFICIENT_PRIVILEGE:
            raise Refused(
                "This database role may not change the schema: the owner runs "
                "`caretill db upgrade`, then `caretill db grant ROLE`.",
                code="permission_denied",
            ) from exc
        raise (translate(exc) or exc) from exc


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to `revision` (tests and a release rollback), like `upgrade`."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    with engine.connect() as connection, _sqlite_rebuilds_allowed(connection), connection.begin():
        step(alembic_config(connection), revision)
        _foreign_keys_hold(connection)


@contextmanager
def _sqlite_rebuilds_allowed(connection: Connection) -> Iterator[None]:
    """SQLite can only change a constraint by rebuilding the table, which drops a table other
    tables point at: foreign keys are off during the migration (a pragma that only works
    outside a transaction) and checked before its commit."""
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection if sqlite else None
    if raw is not None:
        raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = ON")


def _foreign_keys_hold(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
        if broken is not None:
            raise RuntimeError(f"migration left a broken foreign key: {tuple(broken)}")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
