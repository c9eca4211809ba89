"""Receivable accounts: what a payer or a patient owes the facility, and its entries.

One account per debtor, made the first time it is needed. Entries are append-only:
each one changes the balance by its signed amount (+ owed, - paid back) and records
the balance after it, so the balance is always the sum of the entries (`check`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ReceivableEntry

KINDS = ("payer_share", "credit", "settlement", "reversal")


@dataclass(frozen=True)
class Account:
    id: int
    payer_id: int | None
    patient_id: int | None
    balance_minor: int
    credit_limit_minor: int


def lock_payer_account(uow: UnitOfWork, payer_id: int, *, at: datetime) -> Account:
    """The payer's account, made if it has none yet, locked for this transaction."""
    return _lock(uow, t.receivable_accounts.c.payer_id, payer_id, at)


def lock_patient_account(uow: UnitOfWork, patient_id: int, *, at: datetime) -> Account:
    """The patient's credit account, made if it has none yet, locked for this transaction."""
    return _lock(uow, t.receivable_accounts.c.patient_id, patient_id, at)


def post(
    uow: UnitOfWork,
    account: Account,
    *,
    kind: str,
    amount_minor: int,
    receipt_no: str | None,
    at: datetime,
) -> int:
    """Append one entry and move the balance by it; returns the entry's id.

    The balance after is read back from the row, not from `account`, so two entries
    on one account in one transaction both record the right running balance.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown receivable entry kind {kind!r}")
    if amount_minor == 0:
        raise ValueError("a receivable entry moves some money")
    accounts = t.receivable_accounts
    uow.execute(
        update(accounts)
        .where(accounts.c.id == account.id)
        .values(balance_minor=accounts.c.balance_minor + amount_minor)
    )
    balance_after = uow.execute(
        select(accounts.c.balance_minor).where(accounts.c.id == account.id)
    ).scalar_one()
    return uow.execute(
        insert(t.receivable_entries)
        .values(
            account_id=account.id,
            kind=kind,
            amount_minor=amount_minor,
            balance_after_minor=balance_after,
            receipt_no=receipt_no,
            created_at=at,
        )
        .returning(t.receivable_entries.c.id)
    ).scalar_one()


def post_entry(uow: UnitOfWork, entry: ReceivableEntry, at: datetime) -> int:
    """Apply a money command's receivable entry; its recorded balance after must be the
    one the account reaches (the command computed it from the account it locked)."""
    entry_id = post(
        uow,
        Account(entry.account_id, None, None, 0, 0),
        kind=entry.kind,
        amount_minor=entry.amount_minor,
        receipt_no=entry.receipt_no,
        at=at,
    )
    reached = uow.execute(
        select(t.receivable_entries.c.balance_after_minor).where(
            t.receivable_entries.c.id == entry_id
        )
    ).scalar_one()
    if reached != entry.balance_after_minor:
        raise AssertionError(
            f"receivable account {entry.account_id} reached {reached}, "
            f"the event says {entry.balance_after_minor}"
        )
    return entry_id


def _lock(uow: UnitOfWork, column: Column, debtor_id: int, at: datetime) -> Account:
    """Get or create, then SELECT ... FOR UPDATE: two tills making the same account at
    once both end up on the one row (the insert that loses does nothing)."""
    accounts = t.receivable_accounts
    query = (
        select(
            accounts.c.id,
            accounts.c.payer_id,
            accounts.c.patient_id,
            accounts.c.balance_minor,
            accounts.c.credit_limit_minor,
        )
        .where(column == debtor_id)
        .with_for_update()
    )
    row = uow.execute(query).first()
    if row is None:
        dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
        uow.execute(
            dialect_insert(accounts)
            .values({column.name: debtor_id, "created_at": at})
            .on_conflict_do_nothing(index_elements=[column.name])
        )
        row = uow.execute(query).one()
    return Account(row.id, row.payer_id, row.patient_id, row.balance_minor, row.credit_limit_minor)
