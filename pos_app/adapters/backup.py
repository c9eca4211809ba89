"""Backups of the whole database: an online SQLite copy for a single till, `pg_dump` for a server.

Both are consistent snapshots taken while tills keep working: SQLite's backup API
copies pages under a read transaction, and `pg_dump` reads one snapshot. A restore
only ever goes into an empty target, so a drill can never overwrite live books.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.engine import URL, make_url

from pos_app.adapters import tables as t
from pos_app.adapters.trust import DATABASE_ID
from pos_app.domain.errors import BadInput, Refused, Unavailable

RESTORED_FROM = "restored_from"


@dataclass(frozen=True)
class BackupFile:
    """What was written, so the audit event and the administrator can name it exactly."""

    path: Path
    size: int
    sha256: str
    kind: str  # "sqlite" or "pg_dump"


def describe(path: Path, kind: str) -> BackupFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return BackupFile(path, path.stat().st_size, digest.hexdigest(), kind)


def backup(url: str, out: Path) -> BackupFile:
    """Write a consistent copy of the database at `url` to `out` (which must not exist)."""
    if out.exists():
        raise BadInput(f"{out} already exists: choose a new file name.", code="file_exists")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_backup(_sqlite_path(parsed), out)
    return _pg_dump(parsed, out)


def restore(backup_file: Path, url: str) -> BackupFile:
    """Load `backup_file` into the empty database at `url` (an SQLite file that does not exist
    yet, or a PostgreSQL database without tables)."""
    if not backup_file.is_file():
        raise BadInput(f"No backup file {backup_file}.", code="not_found")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = _sqlite_path(parsed)
        if target.exists():
            raise Refused(
                f"{target} exists: restore into a new file, then move it into place "
                "while the till is closed.",
                code="database_not_empty",
            )
        _sqlite_verify(backup_file)
        _sqlite_copy(backup_file, target)
        written = describe(target, "sqlite")
    else:
        _pg_restore(parsed, backup_file)
        written = describe(backup_file, "pg_dump")
    _new_identity(url, describe(backup_file, written.kind))
    return written


def _new_identity(url: str, source: BackupFile) -> None:
    """A restored copy is a database of its own: it gets a new `database_id`, so the witnesses
    tills keep of the original (their last chain heads) never call the copy rewound, and
    `restored_from` says which database and which backup file it came from."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            rows = dict(conn.execute(select(t.settings.c.key, t.settings.c.value)).all())
            origin = {
                "database_id": rows.get(DATABASE_ID),
                "backup_sha256": source.sha256,
                "restored_at": datetime.now(UTC).isoformat(),
            }
            conn.execute(
                delete(t.settings).where(t.settings.c.key.in_([DATABASE_ID, RESTORED_FROM]))
            )
            conn.execute(
                insert(t.settings),
                [
                    {"key": DATABASE_ID, "value": uuid.uuid4().hex},
                    {"key": RESTORED_FROM, "value": json.dumps(origin, sort_keys=True)},
                ],
            )
    finally:
        engine.dispose()


def _sqlite_path(parsed: URL) -> Path:
    if not parsed.database or parsed.database == ":memory:":
        raise BadInput("An in-memory database has nothing to back up.", code="invalid_db_url")
    return Path(parsed.database)


def _sqlite_backup(source: Path, out: Path) -> BackupFile:
    if not source.is_file():
        raise Unavailable(f"The database file {source} does not exist.")
    _sqlite_copy(source, out)
    _sqlite_verify(out)
    return describe(out, "sqlite")


def _sqlite_copy(source: Path, out: Path) -> None:
    """Page-by-page copy under a read transaction: tills may keep writing meanwhile."""
    out.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(out))
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        out.unlink(missing_ok=True)
        raise Unavailable(f"Backup of {source} failed: {exc}.") from exc
    finally:
        dst.close()
        src.close()
    os.chmod(out, 0o600)


def _sqlite_verify(path: Path) -> None:
    """A backup is only a backup if SQLite itself finds it whole."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Refused(
            f"{path} is not a readable SQLite database: {exc}.", code="backup_damaged"
        ) from exc
    if result != "ok":
        raise Refused(f"{path} fails SQLite's integrity check: {result}.", code="backup_damaged")


def _pg_tool(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    tool = found[-1] if found else shutil.which(name)
    if tool is None:
        raise Unavailable(f"{name} is not installed: install the PostgreSQL client tools.")
    return tool


def _libpq(parsed: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise Unavailable(f"{what} failed: {first}")


def _pg_dump(parsed: URL, out: Path) -> BackupFile:
    conninfo, env = _libpq(parsed)
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={out}",
            f"--dbname={conninfo}",
        ],
        env,
        "pg_dump",
    )
    os.chmod(out, 0o600)
    return describe(out, "pg_dump")


def _pg_restore(parsed: URL, backup_file: Path) -> None:
    conninfo, env = _libpq(parsed)
    check = subprocess.run(
        [
            _pg_tool("psql"),
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            f"--dbname={conninfo}",
            "--command=SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        first = (check.stderr.strip().splitlines() or ["no message"])[0]
        raise Unavailable(f"The target database cannot be reached: {first}")
    if check.stdout.strip() != "0":
        raise Refused(
            "The target database is not empty: restore into a new, empty database.",
            code="database_not_empty",
        )
    _run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(backup_file),
        ],
        env,
        "pg_restore",
    )
