"""Shared fixtures: every money test runs on SQLite and on a real PostgreSQL, migrated.

The PostgreSQL server is a private throwaway one started for the session (or the
one `CARETILL_TEST_PG_URL` names); each test gets its own database cloned from a
migrated template, so tests never see each other's rows. The owner role migrates the
template and grants the application role its privileges (`db grant`); every PostgreSQL
money test then connects as the application role, as a till does.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pos_app.adapters.database import Timeouts, create_database_engine
from pos_app.adapters.grants import grant
from pos_app.adapters.migrate import upgrade
from pos_app.bootstrap import App, build
from pos_app.config import Settings
from tests.helpers.books import Books
from tests.helpers.postgres import APP_ROLE, OWNER, as_role, create_roles, throwaway_server

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TEMPLATE_DB = "caretill_template"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A superuser URL of the server the PostgreSQL tests use."""
    given = os.environ.get("CARETILL_TEST_PG_URL")
    if given:
        yield given
        return
    with throwaway_server() as server:
        yield server.url


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_owner_url(pg_admin_url: str) -> str:
    """The schema owner's URL (the role that migrates and grants); makes both roles."""
    create_roles(pg_admin_url)
    return as_role(pg_admin_url, OWNER)


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str, pg_owner_url: str) -> str:
    """A database the owner migrated and granted, that each PostgreSQL test clones."""
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB} OWNER {OWNER}"))
    admin.dispose()
    engine = create_database_engine(_with_database(pg_owner_url, TEMPLATE_DB))
    upgrade(engine)
    grant(engine, APP_ROLE)
    engine.dispose()
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def pg_url(pg_admin_url: str, pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, reached as the application role
    (the clone keeps the template's owner and grants)."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {pg_template} OWNER {OWNER}"))
    yield as_role(pg_admin_url, APP_ROLE, database=name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite file for one test."""
    path = tmp_path / "caretill.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_url")


def make_app(
    url: str, tmp_path: Path, *, workstation: str = "WS01", lock_wait_s: float = 2.0
) -> App:
    settings = Settings(
        db_url=url,
        workstation=workstation,
        timeouts=Timeouts(lock_wait_s=lock_wait_s),
        config_path=tmp_path / "config.json",
        local={},
    )
    return build(settings)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[App]:
    """CareTill on an empty migrated database (SQLite, then PostgreSQL)."""
    instance = make_app(db_url, tmp_path)
    yield instance
    instance.close()


@pytest.fixture
def pg_app(pg_url: str, tmp_path: Path) -> Iterator[App]:
    """CareTill on PostgreSQL only: for real concurrent connections."""
    instance = make_app(pg_url, tmp_path)
    yield instance
    instance.close()


@pytest.fixture
def books(app: App) -> Books:
    """A facility (KES, 2 decimals) with users, a price list of every kind and stock."""
    return Books.open(app)


@pytest.fixture
def pg_books(pg_app: App) -> Books:
    return Books.open(pg_app)
