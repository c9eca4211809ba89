"""The wallet ledger: lock a patient's wallet, and debit or credit it with its entry.

A wallet never goes below zero: `debit` refuses an entry that would take it there
(the domain rule checked it already; this is the ledger's own guard, and the
database's CHECK is the last one). Every change is one balance update and one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import WalletEntry
from pos_app.domain.errors import NotFound, Refused


@dataclass(frozen=True)
class LockedWallet:
    wallet_id: int
    patient_id: int
    mrn: str
    name: str
    balance_minor: int


def lock(uow: UnitOfWork, mrn: str) -> LockedWallet:
    """The patient's wallet, locked; `unknown_patient` if the MRN is not registered."""
    found = uow.rows(_LOCK, {"mrn": mrn})
    if not found:
        raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
    wallet_id, patient_id, balance_minor, mrn_, name = found[0]
    return LockedWallet(wallet_id, patient_id, mrn_, name, balance_minor)


def debit(uow: UnitOfWork, entry: WalletEntry, at: datetime) -> None:
    """Take money out of a wallet (a negative entry); refused if it would go below zero."""
    if entry.amount_minor >= 0 or entry.balance_after_minor < 0:
        raise Refused("A wallet never goes below zero.", code="insufficient_wallet_balance")
    _write(uow, entry, at)


def credit(uow: UnitOfWork, entry: WalletEntry, at: datetime) -> None:
    """Put money into a wallet (a positive entry)."""
    if entry.amount_minor <= 0:
        raise ValueError("a credit is a positive amount")
    _write(uow, entry, at)


def post(uow: UnitOfWork, entry: WalletEntry, at: datetime) -> None:
    """Apply a wallet entry: a debit or a credit by its sign."""
    (debit if entry.amount_minor < 0 else credit)(uow, entry, at)


def _write(uow: UnitOfWork, entry: WalletEntry, at: datetime) -> None:
    uow.write(_MOVE, {"wallet_id": entry.wallet_id, "delta": entry.amount_minor})
    uow.write(
        _ENTRY,
        {
            "wallet_id": entry.wallet_id,
            "kind": entry.kind,
            "amount_minor": entry.amount_minor,
            "balance_after_minor": entry.balance_after_minor,
            "receipt_no": entry.receipt_no,
            "created_at": at,
        },
    )


_LOCK = (
    select(
        t.wallets.c.id,
        t.wallets.c.patient_id,
        t.wallets.c.balance_minor,
        t.patients.c.mrn,
        t.patients.c.name,
    )
    .join(t.patients, t.patients.c.id == t.wallets.c.patient_id)
    .where(t.patients.c.mrn == bindparam("mrn"))
    .with_for_update(of=t.wallets)
)
_MOVE = (
    update(t.wallets)
    .where(t.wallets.c.id == bindparam("wallet_id"))
    .values(balance_minor=t.wallets.c.balance_minor + bindparam("delta"))
)
_ENTRY = insert(t.wallet_entries).inline()
