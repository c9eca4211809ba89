"""Where CareTill finds its database and who this workstation is.

Order of precedence: command-line option, environment variable, the local
configuration file, then a default (an SQLite file in the user's data folder).
The configuration folder is private to the user, and a database password is never
written to it in clear (see `pos_app.adapters.secrets`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from pos_app.adapters import secrets
from pos_app.adapters.database import Timeouts, sqlite_file_url
from pos_app.domain.errors import BadInput

APP_NAME = "CareTill"
DEFAULT_WORKSTATION = "WS01"
_WORKSTATION = re.compile(r"^[A-Z0-9]{2,12}$")
_URL_KEYS = ("db_url", "report_db_url")  # local settings that may carry a password


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to reach the database and stamp its receipts."""

    db_url: str = field(repr=False)  # may hold the password the engine needs
    workstation: str
    timeouts: Timeouts
    config_path: Path
    local: Mapping[str, Any]
    # A read-only copy (streaming replica) that reports may read; money never does.
    report_db_url: str | None = field(default=None, repr=False)


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The local configuration file (CARETILL_CONFIG overrides, e.g. in tests)."""
    if env.get("CARETILL_CONFIG"):
        return Path(env["CARETILL_CONFIG"])
    return platformdirs.user_config_path(APP_NAME) / "config.json"


def default_db_url() -> str:
    return sqlite_file_url(platformdirs.user_data_path(APP_NAME) / "caretill.sqlite3")


def load_local_config(path: Path) -> dict[str, Any]:
    """The saved local settings, or {} on a workstation that was never set up."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(
            f"The configuration file {path} cannot be read: {exc}", code="invalid_config"
        ) from exc
    if not isinstance(data, dict):
        raise BadInput(
            f"The configuration file {path} is not a JSON object.", code="invalid_config"
        )
    return data


def save_local_config(path: Path, data: Mapping[str, Any]) -> None:
    """Write the local settings atomically (a crash never leaves half a file), private to
    the user, with the database password moved to the keyring or libpq's password file."""
    data = dict(data)
    for key in _URL_KEYS:
        if data.get(key):
            data[key] = secrets.keep_password(str(data[key]), folder=path.parent)
    secrets.write_private(path, json.dumps(data, indent=2, sort_keys=True))


def check_workstation(value: str) -> str:
    """A workstation id is the receipt-number prefix: 2 to 12 capitals or digits."""
    workstation = value.strip().upper()
    if not _WORKSTATION.match(workstation):
        raise BadInput(
            f"Workstation id {value!r} must be 2 to 12 letters or digits, e.g. WS01.",
            code="invalid_workstation",
        )
    return workstation


def resolve(
    *, db: str | None = None, workstation: str | None = None, env: Mapping[str, str] = os.environ
) -> Settings:
    """Settings from options, environment and local file, in that order."""
    path = config_path(env)
    local = load_local_config(path)
    if any(local.get(key) and secrets.has_password(str(local[key])) for key in _URL_KEYS):
        # Written in clear by an older version: move the password out now. A read-only
        # configuration still works; it is moved on the next save that can write.
        with suppress(OSError):
            save_local_config(path, local)
            local = load_local_config(path)
    db_url = db or env.get("CARETILL_DB") or local.get("db_url") or default_db_url()
    db_url = secrets.with_password(db_url, folder=path.parent)
    report_url = env.get("CARETILL_REPORT_DB") or local.get("report_db_url")
    ws = workstation or env.get("CARETILL_WORKSTATION") or local.get("workstation")
    lock_wait = float(env.get("CARETILL_LOCK_TIMEOUT") or local.get("lock_timeout_s") or 5.0)
    return Settings(
        db_url=db_url,
        workstation=check_workstation(ws or DEFAULT_WORKSTATION),
        timeouts=Timeouts(lock_wait_s=lock_wait),
        config_path=path,
        local=local,
        report_db_url=secrets.with_password(report_url, folder=path.parent) if report_url else None,
    )
