"""A real pgbouncer in transaction pooling mode in front of the test server.

It runs as the `postgres` user when the tests run as root (pgbouncer refuses root), on a
free loopback port, and lets the application role in with the role's own SCRAM secret
read from the server: pgbouncer checks the till's password against it and logs in to the
server with the same proof, as a production pooler does. Every database of the server
is reachable under its own name.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers.postgres import APP_ROLE, _free_port


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None
    )
    if not found:
        raise RuntimeError(
            "pgbouncer is not installed: apt-get install pgbouncer "
            "(scripts/test.sh does it when run as root)."
        )
    return found


@dataclass(frozen=True)
class Bouncer:
    """A running pgbouncer: `through(url)` is `url` sent via the pooler instead."""

    host: str
    port: int
    pool_size: int
    root: Path

    def through(self, url: str) -> str:
        return (
            make_url(url).set(host=self.host, port=self.port).render_as_string(hide_password=False)
        )

    def log(self) -> str:
        path = self.root / "pgbouncer.log"
        return path.read_text() if path.exists() else ""


def _scram_secret(admin_url: str, role: str) -> str:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            secret = conn.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": role}
            ).scalar_one()
    finally:
        engine.dispose()
    if not secret or not secret.startswith("SCRAM-SHA-256$"):
        raise RuntimeError(f"role {role} has no SCRAM secret (password_encryption?)")
    return secret


def _config(server_host: str, server_port: int, port: int, root: Path, pool_size: int) -> str:
    return f"""\
[databases]
* = host={server_host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {root / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
server_round_robin = 0
logfile = {root / "pgbouncer.log"}
pidfile =
"""


@contextmanager
def running_pgbouncer(admin_url: str, *, pool_size: int = 4) -> Iterator[Bouncer]:
    """Start pgbouncer in front of the server `admin_url` (a superuser URL) names; stop it."""
    server = make_url(admin_url)
    root = Path(tempfile.mkdtemp(prefix="caretill-pgbouncer-"))
    port = _free_port()
    (root / "userlist.txt").write_text(f'"{APP_ROLE}" "{_scram_secret(admin_url, APP_ROLE)}"\n')
    (root / "pgbouncer.ini").write_text(
        _config(server.host or "127.0.0.1", server.port or 5432, port, root, pool_size)
    )
    try:
        for path in (root, root / "userlist.txt", root / "pgbouncer.ini"):
            os.chmod(path, 0o700 if path == root else 0o600)
            _give_to_server_user(path)
        with pgbouncer_process(root / "pgbouncer.ini", port=port, log=root / "pgbouncer.log"):
            yield Bouncer("127.0.0.1", port, pool_size, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _server_user() -> pwd.struct_passwd | None:
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _give_to_server_user(path: Path) -> None:
    user = _server_user()
    if user:
        os.chown(path, user.pw_uid, user.pw_gid)


@contextmanager
def pgbouncer_process(ini: Path, *, port: int, log: Path) -> Iterator[None]:
    """Run pgbouncer with `ini` (as `postgres` when root) until it listens on `port`; stop
    it on the way out. The files it reads must be readable by that user."""
    user = _server_user()
    process = subprocess.Popen(
        [pgbouncer_binary(), "-q", str(ini)],
        user=user.pw_uid if user else None,
        group=user.pw_gid if user else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_listening(process, port, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            logged = log.read_text() if log.exists() else ""
            raise RuntimeError(f"pgbouncer exited: {stderr}{logged}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer is not listening on port {port}") from exc
            time.sleep(0.05)
