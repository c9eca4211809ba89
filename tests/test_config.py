"""Secrets on the workstation: a private config folder, and no database password in it in clear.

The password goes to the OS keyring when there is one, else to libpq's password file;
either way the engine still connects to a server that asks for the password (the test
server's application role authenticates with scram).
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import null
from sqlalchemy import text
from sqlalchemy.engine import make_url

from pos_app import config
from pos_app.adapters import secrets
from pos_app.adapters.database import create_database_engine, redact
from pos_app.bootstrap import build
from pos_app.domain.errors import BadInput, Unavailable
from pos_app.services import health
from tests.helpers.postgres import APP_PASSWORD, APP_ROLE

URL = "postgresql://till:s3cret@db.example:5433/caretill"


class MemoryKeyring(KeyringBackend):
    """A keyring that works, as on a desktop session."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A machine without a keyring (a till with no desktop session): the password file."""
    before = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def saved_text(path: Path) -> str:
    return "".join(p.read_text() for p in path.parent.iterdir())


def test_the_config_folder_and_files_are_private_even_if_they_were_loose(tmp_path, no_keyring):
    folder = tmp_path / "CareTill"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "config.json"
    path.write_text("{}")
    path.chmod(0o644)
    config.save_local_config(path, {"db_url": URL, "workstation": "WS01"})
    assert mode(folder) == 0o700
    assert {p.name: mode(p) for p in folder.iterdir()} == {
        "config.json": 0o600,
        secrets.PASSFILE: 0o600,
    }
    fresh = tmp_path / "new" / "deeper" / "config.json"
    config.save_local_config(fresh, {"workstation": "WS02"})
    assert mode(fresh.parent) == 0o700 and mode(fresh) == 0o600


def test_without_a_keyring_the_password_goes_to_a_libpq_password_file(tmp_path, no_keyring):
    path = tmp_path / "config.json"
    config.save_local_config(path, {"db_url": URL})
    assert json.loads(path.read_text())["db_url"] == "postgresql://till@db.example:5433/caretill"
    passfile = tmp_path / secrets.PASSFILE
    assert passfile.read_text() == "db.example:5433:caretill:till:s3cret\n"
    config.save_local_config(path, {"db_url": URL.replace("s3cret", "n:ew\\")})
    assert passfile.read_text() == "db.example:5433:caretill:till:n\\:ew\\\\\n"
    config.save_local_config(path, {"db_url": "postgresql://till@db.example:5433/caretill"})
    assert "n\\:ew" in passfile.read_text()  # saving the URL again keeps the password
    settings = config.resolve(env={"CARETILL_CONFIG": str(path)})
    url = make_url(settings.db_url)
    assert url.password is None and url.query["passfile"] == str(passfile)
    assert "n:ew" not in repr(settings)


def test_with_a_keyring_the_password_goes_there_and_back_to_the_engine_only(
    tmp_path, memory_keyring
):
    path = tmp_path / "config.json"
    config.save_local_config(path, {"db_url": URL, "workstation": "WS03"})
    assert "s3cret" not in saved_text(path)
    assert memory_keyring.saved == {("CareTill", "till@db.example:5433/caretill"): "s3cret"}
    settings = config.resolve(env={"CARETILL_CONFIG": str(path)})
    assert make_url(settings.db_url).password == "s3cret"
    assert "s3cret" not in repr(settings)


def test_a_password_an_older_version_wrote_in_clear_is_moved_out(tmp_path, no_keyring):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"db_url": URL}))
    path.chmod(0o644)
    config.resolve(env={"CARETILL_CONFIG": str(path)})
    assert "s3cret" not in path.read_text() and mode(path) == 0o600
    assert "s3cret" in (tmp_path / secrets.PASSFILE).read_text()


def test_the_engine_connects_with_the_password_from_the_password_file(pg_url, tmp_path, no_keyring):
    bare = make_url(pg_url)._replace(password=None).render_as_string(hide_password=False)
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"db_url": bare}))
    unsaved = build(config.resolve(env={"CARETILL_CONFIG": str(path)}))
    with pytest.raises(Unavailable):  # the server asks the application role for a password
        health.ping(unsaved.uow(write=False))
    unsaved.close()
    config.save_local_config(path, {"db_url": pg_url})
    assert APP_PASSWORD not in path.read_text()
    app = build(config.resolve(env={"CARETILL_CONFIG": str(path)}))
    try:
        with app.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == APP_ROLE
    finally:
        app.close()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "postgresql://till:***@db.example:5433/caretill"),
        ("postgresql://till@db/caretill", "postgresql://till@db/caretill"),
        ("sqlite:////var/lib/caretill.sqlite3", "sqlite:////var/lib/caretill.sqlite3"),
        ("not a url://till:s3cret@db/x", "not a url://till:***@db/x"),
    ],
)
def test_redact_hides_the_password(url, shown):
    assert redact(url) == shown


def test_a_bad_url_is_refused_without_showing_its_password(tmp_path, no_keyring):
    for attempt in (
        lambda: create_database_engine("no such://till:s3cret@db/x"),
        lambda: config.save_local_config(
            tmp_path / "c.json", {"db_url": "no such://till:s3cret@db/x"}
        ),
    ):
        with pytest.raises(BadInput) as refused:
            attempt()
        assert refused.value.code == "invalid_db_url" and "s3cret" not in refused.value.message


FAILOVER_URL = (
    "postgresql://till:s3cret@/caretill?host=db1:5432&host=db2:5433&target_session_attrs=read-write"
)


def test_a_failover_url_keeps_its_hosts_and_the_password_once_per_host(tmp_path, no_keyring):
    path = tmp_path / "config.json"
    config.save_local_config(path, {"db_url": FAILOVER_URL})
    saved = make_url(json.loads(path.read_text())["db_url"])
    assert saved.password is None and saved.query["host"] == ("db1:5432", "db2:5433")
    assert (tmp_path / secrets.PASSFILE).read_text() == (
        "db1:5432:caretill:till:s3cret\ndb2:5433:caretill:till:s3cret\n"
    )
    url = make_url(config.resolve(env={"CARETILL_CONFIG": str(path)}).db_url)
    assert url.query["target_session_attrs"] == "read-write" and "passfile" in url.query
    assert "s3cret" not in redact(FAILOVER_URL)


def test_the_report_replica_url_comes_from_the_environment_or_the_local_file(
    tmp_path, memory_keyring
):
    path = tmp_path / "config.json"
    replica = "postgresql://reader:r3ad@db2:5432/caretill"
    config.save_local_config(path, {"db_url": URL, "report_db_url": replica})
    assert "r3ad" not in saved_text(path) and "s3cret" not in saved_text(path)
    settings = config.resolve(env={"CARETILL_CONFIG": str(path)})
    assert settings.report_db_url == replica and "r3ad" not in repr(settings)
    other = "sqlite:////srv/copy.sqlite3"
    assert (
        config.resolve(
            env={"CARETILL_CONFIG": str(path), "CARETILL_REPORT_DB": other}
        ).report_db_url
        == other
    )
    assert (
        config.resolve(env={"CARETILL_CONFIG": str(tmp_path / "none.json")}).report_db_url is None
    )
