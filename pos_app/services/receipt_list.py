"""The receipts list: today's receipts at a workstation or a patient's, found by number,
by its last digits or by a scanned QR code, so a cashier can reprint or refund one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput
from pos_app.receipts.model import QR_PREFIX, parse_qr_payload
from pos_app.services import reports, sessions

LIST_LIMIT = 50
_DIGITS = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class ReceiptRow:
    """One line of the receipts list: enough to recognise it, reprint or refund it."""

    receipt_no: str
    kind: str
    at: str
    workstation: str
    cashier: str
    patient_name: str
    mrn: str
    amount: Decimal
    status: str  # "", "reversed" or "partly refunded" (payments only)
    reprints: int

    def to_json(self) -> dict:
        return {**self.__dict__, "amount": str(self.amount)}


def find_receipts(uow: UnitOfWork, *, actor: Actor, workstation: str, text: str = "",
                  mrn: str | None = None, now: datetime | None = None,
                  limit: int = LIST_LIMIT) -> list[ReceiptRow]:
    """Receipts newest first: the patient's (`mrn`) or today's at `workstation`.

    `text` narrows the list: a full receipt number or a scanned QR code finds that
    receipt whatever its day; digits find the receipts of the list ending in them and,
    in the day's list, the receipt with that number at any workstation and on any day
    ("132" -> WS01-000132).
    """
    text = " ".join(text.split())
    with uow:
        sessions.authorize(uow, actor, Role.CASHIER, "list receipts")
        r = t.receipts
        if mrn:
            scope = r.c.patient_id == (select(t.patients.c.id)
                                       .where(t.patients.c.mrn == mrn.strip().upper())
                                       .scalar_subquery())
        else:
            zone = reports.facility_zone(uow)
            moment = now or utcnow()
            start, end = reports.day_window(uow, reports.business_date_of(uow, moment, zone),
                                            zone)
            scope = and_(r.c.workstation == workstation, r.c.created_at >= start,
                         r.c.created_at < end)
        where = _matching(uow, text, scope, patient=bool(mrn))
        rows = uow.execute(_list_query(where, limit)).all()
        currency = uow.facility().currency
    return [ReceiptRow(row.receipt_no, row.kind, row.created_at.isoformat(), row.workstation,
                       row.cashier, row.patient_name or "", row.mrn or "",
                       currency.from_minor(row.amount_minor or 0), _status(row),
                       row.reprints) for row in rows]


def _matching(uow: UnitOfWork, text: str, scope, *, patient: bool):
    """The WHERE clause for what was typed or scanned (see `find_receipts`)."""
    r = t.receipts
    if not text:
        return scope
    if text.upper().startswith(QR_PREFIX + ":"):
        parsed = parse_qr_payload(text)
        if parsed is None:
            raise BadInput("This is not a CareTill receipt code: scan it again or type the "
                           "receipt number.", code="invalid_receipt_code")
        return r.c.receipt_no == parsed[0]
    if not _DIGITS.fullmatch(text):
        return r.c.receipt_no == text.upper()
    ending = and_(scope, r.c.receipt_no.endswith(text, autoescape=True))
    if patient:  # the patient's receipts only: the cashier unticks the box to look wider
        return ending
    stations = uow.execute(select(t.workstations.c.id)).scalars().all()
    numbers = [ledger.receipt_number(ws, int(text)) for ws in stations if int(text) > 0]
    return or_(ending, r.c.receipt_no.in_(numbers))


def _list_query(where, limit: int):
    r, p = t.receipts, t.payments
    amount = func.coalesce(p.c.amount_minor, t.deposits.c.amount_minor,
                           t.reversals.c.amount_minor, t.withdrawals.c.amount_minor)
    refunds = t.reversals.alias("refunds")  # the payment's refunds, not this receipt's row
    refunded = select(refunds.c.id).where(refunds.c.payment_id == p.c.id).exists()
    return (
        select(r.c.receipt_no, r.c.kind, r.c.created_at, r.c.workstation, r.c.reprints,
               func.coalesce(func.nullif(t.users.c.full_name, ""), t.users.c.username)
               .label("cashier"),
               t.patients.c.name.label("patient_name"), t.patients.c.mrn,
               amount.label("amount_minor"), p.c.status.label("payment_status"),
               refunded.label("refunded"))
        .join(t.users, t.users.c.id == r.c.cashier_id)
        .outerjoin(t.patients, t.patients.c.id == r.c.patient_id)
        .outerjoin(p, p.c.receipt_no == r.c.receipt_no)
        .outerjoin(t.deposits, t.deposits.c.receipt_no == r.c.receipt_no)
        .outerjoin(t.reversals, t.reversals.c.receipt_no == r.c.receipt_no)
        .outerjoin(t.withdrawals, t.withdrawals.c.receipt_no == r.c.receipt_no)
        .where(where)
        .order_by(r.c.created_at.desc(), r.c.receipt_no.desc())
        .limit(max(1, min(limit, LIST_LIMIT))))


def _status(row) -> str:
    if row.payment_status == "reversed":
        return "reversed"
    return "partly refunded" if row.refunded else ""
