"""Exactly once: a money command claims its idempotency key first, inside its transaction.

The claim is an insert that does nothing on conflict. A second request with the
same key waits on the first one's claim (PostgreSQL) or on the write lock
(SQLite), then finds the first one's stored result and replays it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pos_app.adapters import tables as t
from pos_app.adapters.ledger import canonical
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.errors import BadInput, Busy, Conflict

_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,80}$")


def check_key(key: str) -> str:
    """Refuse keys that are too short to be unique or carry odd characters."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise BadInput(
            "The idempotency key must be 8 to 80 letters, digits or . _ : -",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(command: str, request: dict[str, Any]) -> str:
    """A hash of what the request asks for, to tell a true retry from a reused key."""
    return hashlib.sha256(canonical({"command": command, **request}).encode()).hexdigest()


def claim(uow: UnitOfWork, key: str, command: str, request: dict[str, Any]) -> dict | None:
    """Claim `key` for this request; return the stored result if it was already done.

    Raises `Conflict` (idempotency_conflict) when the key was used for something else.
    """
    digest = fingerprint(command, request)
    if uow.rows(
        _CLAIM[uow.dialect],
        {
            "key": key,
            "command": command,
            "request_hash": digest,
            "created_at": uow.clock(),
        },
    ):
        return None
    used_by, used_hash, result = uow.rows(_CLAIMED, {"k": key})[0]
    if used_by != command or used_hash != digest:
        raise Conflict(
            f"The idempotency key {key} was already used for a different request; "
            "nothing was done. Start a new request.",
            code="idempotency_conflict",
        )
    if result is None:
        raise Busy("The same request is still being processed. Try again.", code="busy")
    return json.loads(result)


# built once: every money command claims its key
_CLAIM = {
    name: dialect_insert(t.idempotency_keys)
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(t.idempotency_keys.c.key)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_CLAIMED = select(
    t.idempotency_keys.c.command, t.idempotency_keys.c.request_hash, t.idempotency_keys.c.result
).where(t.idempotency_keys.c.key == bindparam("k"))


def store(uow: UnitOfWork, key: str, result: dict[str, Any]) -> None:
    """Keep the result with the key, in the same transaction as the money it moved."""
    uow.write(_STORE, {"k": key, "r": json.dumps(result)})


_STORE = (
    update(t.idempotency_keys)
    .where(t.idempotency_keys.c.key == bindparam("k"))
    .values(result=bindparam("r"))
)
