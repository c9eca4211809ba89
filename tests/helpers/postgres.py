"""A throwaway PostgreSQL server for the test suite, so PostgreSQL tests never skip.

`initdb` refuses to run as root, so as root the server runs as the `postgres` user
in a temporary folder that user owns. `CARETILL_TEST_PG_URL` skips all of this.
The server has the two roles of SPEC rule 10: an owner that migrates and an
application role that the money tests connect as, with a password (scram) as a
till would.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from pos_app.bootstrap import App

OWNER, OWNER_PASSWORD = "caretill_owner", "owner-secret"
APP_ROLE, APP_PASSWORD = "caretill_app", "app-secret"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError(
        "No PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin and PATH). "
        "Install Debian's postgresql package or set CARETILL_TEST_PG_URL."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


# Speed over durability: a throwaway server's crash loses nothing anyone needs.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class ThrowawayServer:
    """A private server on a free loopback port that a test may also stop and start again.

    `settings` replace the fast defaults (a replication pair wants durable commits);
    `initdb=False` leaves the data folder for the caller to fill (`pg_basebackup`).
    """

    def __init__(self, *, settings: Mapping[str, str] = FAST, initdb: bool = True) -> None:
        self.bin_dir = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="caretill-pg-"))
        self.data = self.root / "data"
        if os.geteuid() == 0:
            server_user = pwd.getpwnam("postgres")
            os.chown(self.root, server_user.pw_uid, server_user.pw_gid)
            self.user = "postgres"
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.port = _free_port()
        self.url = f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/postgres"
        self.settings = {**dict(settings), "max_connections": "200"}
        if not initdb:
            return
        self.run_tool(
            "initdb",
            "--no-sync",
            "-A",
            "trust",
            "-U",
            self.user,
            "-E",
            "UTF8",
            "-D",
            str(self.data),
        )
        hba = self.data / "pg_hba.conf"
        # First match wins: the application role must give its password, as a till does.
        hba.write_text(f"host all {APP_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())

    def run_tool(self, tool: str, *args: str, check: bool = True) -> None:
        """Run one of the server's programs (pg_ctl, pg_basebackup…) as the server's user."""
        subprocess.run(
            _as_server_user([str(self.bin_dir / tool), *args]),
            check=check,
            capture_output=True,
            text=True,
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
                *(f"-c {name}={value}" for name, value in self.settings.items()),
            ]
        )
        self.run_tool(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, *, mode: str = "fast", check: bool = True) -> None:
        """`fast` flushes what was committed (commits here are asynchronous); `immediate`
        is a crash and may lose the last ones."""
        self.run_tool("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=check)

    def remove(self) -> None:
        self.stop(mode="immediate", check=False)
        time.sleep(0.1)  # let the postmaster let go of its files before they are removed
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def throwaway_server() -> Iterator[ThrowawayServer]:
    """Start a private server; yield it (its `url` is a superuser URL); remove it all."""
    server = ThrowawayServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def create_roles(admin_url: str) -> None:
    """The owner and the application role (cluster-wide, so made once, passwords reset)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role, password in ((OWNER, OWNER_PASSWORD), (APP_ROLE, APP_PASSWORD)):
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).first()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(text(f"{verb} ROLE {role} LOGIN NOSUPERUSER PASSWORD '{password}'"))
    admin.dispose()


def as_role(url: str, role: str, *, database: str | None = None) -> str:
    """`url` signed in as one of the two roles (optionally on another database)."""
    password = {OWNER: OWNER_PASSWORD, APP_ROLE: APP_PASSWORD}[role]
    parsed = make_url(url).set(username=role, password=password)
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@contextmanager
def as_owner(app: App) -> Iterator[Engine]:
    """The app's database with the owner's full SQL access: tampering tests act as an
    insider who can disable triggers, which the application role cannot (on SQLite there
    are no roles, so it is the app's own engine)."""
    if app.engine.dialect.name == "sqlite":
        yield app.engine
        return
    engine = create_engine(as_role(app.engine.url.render_as_string(hide_password=False), OWNER))
    try:
        yield engine
    finally:
        engine.dispose()
