"""A wallet's statement: its append-only ledger, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.adapters import statement_queries
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import NotFound
from pos_app.services import sessions
from pos_app.services.results import JsonResult


@dataclass(frozen=True)
class StatementEntry(JsonResult):
    kind: str
    amount: Decimal
    balance_after: Decimal
    receipt_no: str | None
    at: str


@dataclass(frozen=True)
class Statement(JsonResult):
    mrn: str
    name: str
    balance: Decimal
    entries: list[StatementEntry]


def wallet_statement(uow: UnitOfWork, *, actor: Actor, mrn: str, limit: int = 500) -> Statement:
    """The newest `limit` ledger lines of the patient's wallet and its balance."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see wallet statements")
        currency = uow.facility().currency
        wallet = statement_queries.wallet_of(uow, mrn)
        if wallet is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
        rows = statement_queries.newest_entries(uow, wallet.wallet_id, limit)
    return Statement(
        mrn,
        wallet.patient_name,
        currency.from_minor(wallet.balance_minor),
        [
            StatementEntry(
                row.kind,
                currency.from_minor(row.amount_minor),
                currency.from_minor(row.balance_after_minor),
                row.receipt_no,
                row.created_at.isoformat(),
            )
            for row in rows
        ],
    )
