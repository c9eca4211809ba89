"""Where a workstation keeps its database password: the OS keyring, else libpq's password file.

`config.json` holds the URL without its password, so a copy of the file (or another
local user reading it) learns nothing. Only the engine gets the password back: from the
keyring into the URL, or as libpq's own `passfile` that psycopg2 reads. Every file
CareTill writes in the config folder is private to the user (folder 0700, file 0600).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from pos_app.adapters.database import redact
from pos_app.domain.errors import BadInput

SERVICE = "CareTill"
PASSFILE = "pgpass.conf"


def write_private(path: Path, text: str) -> None:
    """Write `path` atomically, readable by this user only, in a folder only it may enter;
    a folder or file left looser by an older version is tightened."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.chmod(temporary, 0o600)  # mkstemp makes it 0600 already; say so on every OS
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def keep_password(url: str, *, folder: Path) -> str:
    """`url` without its password, which goes to the keyring (or the password file in
    `folder`). A URL without a password leaves what is stored as it is."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BadInput(f"{redact(url)!r} is not a database URL.", code="invalid_db_url") from exc
    if parsed.get_backend_name() != "postgresql" or not parsed.password:
        return url
    password = str(parsed.password)
    backend = usable_keyring()
    try:
        if backend is None:
            raise KeyringError("no usable keyring")
        backend.set_password(SERVICE, _account(parsed), password)
    except KeyringError:  # a locked or absent keyring: libpq's own file, private to the user
        _write_passfile(folder / PASSFILE, parsed, password)
    return parsed._replace(password=None).render_as_string(hide_password=False)


def with_password(url: str, *, folder: Path) -> str:
    """The URL the engine connects with: the stored password put back (keyring), or
    libpq's password file named (`passfile`); a URL that has a password is kept."""
    try:
        parsed = make_url(url)
    except ArgumentError:  # the engine refuses it, with the password hidden
        return url
    if parsed.get_backend_name() != "postgresql" or parsed.password is not None:
        return url
    backend = usable_keyring()
    try:
        password = backend.get_password(SERVICE, _account(parsed)) if backend else None
    except KeyringError:
        password = None
    if password:
        return parsed.set(password=password).render_as_string(hide_password=False)
    passfile = folder / PASSFILE
    if passfile.exists() and "passfile" not in parsed.query:
        return parsed.update_query_dict({"passfile": str(passfile)}).render_as_string(
            hide_password=False
        )
    return url


def has_password(url: str) -> bool:
    """Whether `url` carries a database password (which config.json must not)."""
    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False


def usable_keyring() -> KeyringBackend | None:
    """The OS keyring, or None where there is none (a server without a desktop session)."""
    backend = keyring.get_keyring()
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def _account(url: URL) -> str:
    servers = ",".join(f"{host}:{port}" for host, port in _servers(url))
    return f"{url.username}@{servers}/{url.database}"


def _servers(url: URL) -> list[tuple[str, str]]:
    """(host, port) of each server: one, or several in libpq's failover form
    `?host=db1:5432&host=db2:5432` (the first that is read-write is used)."""
    listed = url.query.get("host")
    if not listed:
        return [(url.host or "localhost", str(url.port or 5432))]
    entries = (listed,) if isinstance(listed, str) else listed
    return [
        (host, port) if colon else (entry, "5432")
        for entry in entries
        for host, colon, port in [entry.rpartition(":")]
    ]


def _escape(field: str) -> str:
    return field.replace("\\", "\\\\").replace(":", "\\:")


def _write_passfile(path: Path, url: URL, password: str) -> None:
    """Add or replace each server's line (host:port:database:user:password) in the file."""
    prefixes = [
        ":".join(_escape(field) for field in (host, port, url.database or "*", url.username or "*"))
        + ":"
        for host, port in _servers(url)
    ]
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if not line.startswith(tuple(prefixes))]
    write_private(path, "\n".join([*kept, *(p + _escape(password) for p in prefixes)]) + "\n")
