"""Schema migrations: `caretill db upgrade` and the test fixtures both come through here."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
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
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except DBAPIError as exc:
        if getattr(exc.orig, "pgcode", None) == _INSUFFICIENT_PRIVILEGE:
            raise Refused("This database role may not change the schema: the owner runs "
                          "`caretill db upgrade`, then `caretill db grant ROLE`.",
                          code="permission_denied") from exc
        raise (translate(exc) or exc) from exc


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
