"""The SQL behind `caretill check`: its rules scoped to what changed since the last clean
check, the chains read in order, the enrolled keys, the witnesses and the checkpoints.

A rule marks where its rows may be narrowed with `{scope:column}` (e.g. `{wallets:w.id}`):
a full check renders it `1 = 1`; an incremental one renders `column IN (...)`, the keys
written or changed since the marks a clean check stored (each table's highest id, the
oldest shift still open, the last closed day). Ids are handed out in insert order, so
every row a command writes after a check has an id above that check's mark.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, Row, bindparam, insert, or_, select, text, update

from pos_app.adapters import tables as t
from pos_app.adapters.database import sqlite_path
from pos_app.adapters.ledger import ENROLLED, REVOKED
from pos_app.adapters.replay_queries import driver_rows
from pos_app.adapters.uow import UnitOfWork

Marks = dict[str, int]
ROWS, RULE, CHAIN = "rows:", "rule:", "chain:"  # checkpoint names: per table, rule, chain

# Tables whose mark is their highest id; `shifts` marks its oldest open shift instead and
# `day_closes` its last business date (an ordinal), as those rows change after insert.
ID_TABLES = (
    "wallets",
    "wallet_entries",
    "stock_items",
    "stock_movements",
    "bills",
    "bill_items",
    "payments",
    "reversals",
    "deposits",
    "withdrawals",
    "lab_results",
    "adjustments",
    "audit_events",
)
_MARKS = ", ".join(
    [
        *(f"(SELECT COALESCE(MAX(id), 0) FROM {name}) AS {name}" for name in ID_TABLES),
        "(SELECT COALESCE(MIN(id), (SELECT COALESCE(MAX(id), 0) + 1 FROM shifts))"
        " FROM shifts WHERE status = 'open') AS shifts",
        "(SELECT MAX(business_date) FROM day_closes) AS day_closes",
    ]
)

# scope -> the keys written or changed since the marks (`:m_<table>`)
SCOPES: dict[str, str] = {
    "wallets": "SELECT id FROM wallets WHERE id > :m_wallets "
    "UNION SELECT wallet_id FROM wallet_entries WHERE id > :m_wallet_entries",
    "wallet_entries": "SELECT id FROM wallet_entries WHERE id > :m_wallet_entries",
    "stock_items": "SELECT id FROM stock_items WHERE id > :m_stock_items "
    "UNION SELECT stock_item_id FROM stock_movements "
    "WHERE id > :m_stock_movements",
    "bill_items": "SELECT id FROM bill_items WHERE id > :m_bill_items "
    "UNION SELECT bill_item_id FROM payment_items WHERE payment_id > :m_payments "
    "UNION SELECT bill_item_id FROM reversal_items "
    "WHERE reversal_id > :m_reversals "
    "UNION SELECT bill_item_id FROM adjustments WHERE id > :m_adjustments "
    "UNION SELECT bill_item_id FROM lab_results WHERE id > :m_lab_results",
    "bills": "SELECT id FROM bills WHERE id > :m_bills "
    "UNION SELECT i.bill_id FROM bill_items i WHERE i.id > :m_bill_items "
    "UNION SELECT i.bill_id FROM payment_items x JOIN bill_items i "
    "ON i.id = x.bill_item_id WHERE x.payment_id > :m_payments "
    "UNION SELECT i.bill_id FROM reversal_items x JOIN bill_items i "
    "ON i.id = x.bill_item_id WHERE x.reversal_id > :m_reversals "
    "UNION SELECT i.bill_id FROM adjustments x JOIN bill_items i "
    "ON i.id = x.bill_item_id WHERE x.id > :m_adjustments",
    "payments": "SELECT id FROM payments WHERE id > :m_payments "
    "UNION SELECT payment_id FROM reversals WHERE id > :m_reversals",
    "reversals": "SELECT id FROM reversals WHERE id > :m_reversals",
    "deposits": "SELECT id FROM deposits WHERE id > :m_deposits",
    "withdrawals": "SELECT id FROM withdrawals WHERE id > :m_withdrawals",
    "receipts": "SELECT receipt_no FROM audit_events WHERE id > :m_audit_events "
    "AND receipt_no IS NOT NULL",
    "shifts": "SELECT id FROM shifts WHERE id >= :m_shifts "
    "UNION SELECT shift_id FROM payments WHERE id > :m_payments "
    "UNION SELECT shift_id FROM deposits WHERE id > :m_deposits "
    "UNION SELECT shift_id FROM reversals WHERE id > :m_reversals "
    "UNION SELECT shift_id FROM withdrawals WHERE id > :m_withdrawals",
    "day_closes": "SELECT business_date FROM day_closes WHERE business_date > :m_day_closes",
}


class _Scope:
    """One `{name:column}` of a rule: everything, or the keys changed since the marks."""

    def __init__(self, name: str, incremental: bool) -> None:
        self.name, self.incremental = name, incremental

    def __format__(self, column: str) -> str:
        return f"{column} IN ({SCOPES[self.name]})" if self.incremental else "1 = 1"


def rule_rows(uow: UnitOfWork, sql: str, *, since: Marks | None, limit: int) -> list[Mapping]:
    """The first `limit` rows breaking one rule, over everything or (with `since`) over
    what changed after those marks."""
    scoped = sql.format(**{name: _Scope(name, since is not None) for name in SCOPES})
    statement = text(f"SELECT * FROM ({scoped}) q LIMIT {int(limit)}")
    params: dict[str, Any] = {}
    if since is not None:
        params = {f"m_{name}": since.get(name, 0) for name in (*ID_TABLES, "shifts")}
        day = since.get("day_closes", 0)
        params["m_day_closes"] = date.fromordinal(day) if day else date.min
        if ":m_day_closes" in scoped:
            statement = statement.bindparams(bindparam("m_day_closes", type_=Date))
    return [row._mapping for row in uow.execute(statement, params)]


def marks(uow: UnitOfWork) -> Marks:
    """Where the books stand now: what the next incremental check starts after."""
    row = uow.execute(text(f"SELECT {_MARKS}").columns(day_closes=Date)).one()._mapping
    found = {name: int(row[name]) for name in (*ID_TABLES, "shifts")}
    found["day_closes"] = row["day_closes"].toordinal() if row["day_closes"] else 0
    return found


def checkpoints(uow: UnitOfWork) -> dict[str, tuple[int, str]]:
    """Every stored checkpoint: name -> (seq or mark, hash)."""
    return {row.name: (row.seq, row.hash) for row in uow.execute(select(t.check_checkpoints))}


def store_checkpoints(
    uow: UnitOfWork, points: Mapping[str, tuple[int, str]], now: datetime
) -> None:
    """Remember how far a clean check verified (insert or move each checkpoint)."""
    table = t.check_checkpoints
    for name, (seq, digest) in points.items():
        values = {"seq": seq, "hash": digest, "checked_at": now}
        if not uow.execute(update(table).where(table.c.name == name).values(**values)).rowcount:
            uow.execute(insert(table).values(name=name, **values))


def chains(uow: UnitOfWork) -> Sequence[Row]:
    """Each workstation's chain: id, unsigned_through and audit_seq."""
    w = t.workstations
    return uow.execute(select(w.c.id, w.c.unsigned_through, w.c.audit_seq).order_by(w.c.id)).all()


def unsigned_through(uow: UnitOfWork, workstation: str) -> int:
    w = t.workstations
    return uow.execute(select(w.c.unsigned_through).where(w.c.id == workstation)).scalar() or 0


def event_hash_at(uow: UnitOfWork, workstation: str, seq: int) -> str | None:
    """The stored hash of one event, or None when the chain holds no such event."""
    e = t.audit_events
    return uow.execute(
        select(e.c.hash).where(e.c.workstation == workstation, e.c.seq == seq)
    ).scalar()


class ChainEvent(NamedTuple):
    """One event of a chain as the driver read it (`replay_queries.driver_rows`)."""

    seq: int
    stamp: Any  # `at` as stored: text on SQLite, a datetime on PostgreSQL
    actor_id: int | None
    action: str
    receipt_no: str | None
    details: str
    prev_hash: str
    hash: str
    key_id: str | None
    signature: str | None

    @property
    def at(self) -> datetime:
        stamp = self.stamp
        if isinstance(stamp, str):  # SQLite keeps UTC without a zone
            return datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        return stamp.astimezone(UTC)

    @property
    def at_iso(self) -> str:
        """`at.isoformat()`, the spelling the event's hash covers; from the stored text by
        string work when it is in SQLAlchemy's own format ('YYYY-MM-DD HH:MM:SS.ffffff')."""
        stamp = self.stamp
        if isinstance(stamp, str) and len(stamp) == 26 and stamp[10] == " " and (stamp[19] == "."):
            fraction = "" if stamp.endswith(".000000") else stamp[19:]
            return f"{stamp[:10]}T{stamp[11:19]}{fraction}+00:00"
        try:
            return self.at.isoformat()
        except ValueError:  # not a time at all: it cannot hash as the event did
            return str(stamp)


def chain_events(
    uow: UnitOfWork, workstation: str, *, after: int, through: int | None, batch: int
) -> Iterator[ChainEvent]:
    """One chain's events after seq `after` (up to `through`, or all), in order, read
    `batch` rows at a time (by seq, so no server-side cursor is needed)."""
    while True:
        rows = driver_rows(
            uow,
            _CHAIN_PAGE,
            {"ws": workstation, "after": after, "through": through, "batch": batch},
        )
        yield from map(ChainEvent._make, rows)
        if len(rows) < batch:
            return
        after = rows[-1][0]


_e = t.audit_events
_CHAIN_PAGE = (
    select(*(_e.c.at if name == "stamp" else _e.c[name] for name in ChainEvent._fields))
    .where(
        _e.c.workstation == bindparam("ws"),
        _e.c.seq > bindparam("after"),
        or_(
            bindparam("through", type_=Integer).is_(None),
            _e.c.seq <= bindparam("through", type_=Integer),
        ),
    )
    .order_by(_e.c.seq)
    .limit(bindparam("batch"))
)


def last_event_through(uow: UnitOfWork, workstation: str, seq: int) -> tuple[int, str]:
    """The seq and hash of the chain's last event at or before `seq` ((0, "") if none)."""
    e = t.audit_events
    row = uow.execute(
        select(e.c.seq, e.c.hash)
        .where(e.c.workstation == workstation, e.c.seq <= seq)
        .order_by(e.c.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, "")


def enrolled_through(uow: UnitOfWork, workstation: str, seq: int) -> bool:
    """Whether the chain enrolled a key at or before event `seq`."""
    e = t.audit_events
    return (
        uow.execute(
            select(e.c.id)
            .where(e.c.workstation == workstation, e.c.action == ENROLLED, e.c.seq <= seq)
            .limit(1)
        ).first()
        is not None
    )


def shareable_url(uow: UnitOfWork) -> str | None:
    """The database's URL for another process to open (with its password), or None when
    only this process can reach it (an SQLite database in memory)."""
    url = uow.engine.url
    if url.get_backend_name() == "sqlite" and sqlite_path(url) is None:
        return None
    return url.render_as_string(hide_password=False)


def key_events(uow: UnitOfWork) -> Sequence[Row]:
    """Every key enrolment and revocation of every chain, oldest first."""
    e = t.audit_events
    return uow.execute(
        select(
            e.c.workstation,
            e.c.seq,
            e.c.at,
            e.c.action,
            e.c.details,
            e.c.hash,
            e.c.key_id,
            e.c.signature,
        )
        .where(e.c.action.in_([ENROLLED, REVOKED]))
        .order_by(e.c.at, e.c.id)
    ).all()


def workstation_keys(uow: UnitOfWork) -> dict[str, Row]:
    """The workstation_keys table, by key id."""
    return {row.key_id: row for row in uow.execute(select(t.workstation_keys))}


def day_close_heads(uow: UnitOfWork) -> Iterable[tuple[date, list[dict]]]:
    """Each Z close's recorded chain heads."""
    z = t.day_closes
    for day, heads in uow.execute(
        select(z.c.business_date, z.c.heads).where(z.c.heads.is_not(None))
    ):
        yield day, json.loads(heads)
