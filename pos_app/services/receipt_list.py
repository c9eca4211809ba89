"""The receipts list: today's receipts at a workstation or a patient's, found by number,
by its last digits or by a scanned QR code, so a cashier can reprint or refund one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_app.adapters import ledger
from pos_app.adapters import receipt_list_queries as queries
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import PaymentStatus
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


def find_receipts(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    text: str = "",
    mrn: str | None = None,
    now: datetime | None = None,
    limit: int = LIST_LIMIT,
) -> list[ReceiptRow]:
    """Receipts newest first: the patient's (`mrn`) or today's at `workstation`.

    `text` narrows the list: a full receipt number or a scanned QR code finds that
    receipt whatever its day; digits find the receipts of the list ending in them and,
    in the day's list, the receipt with that number at any workstation and on any day
    ("132" -> WS01-000132).
    """
    text = " ".join(text.split())
    with uow:
        sessions.authorize(uow, actor, Role.CASHIER, "list receipts")
        scope: queries.PatientScope | queries.WindowScope
        if mrn:
            scope = queries.PatientScope(mrn.strip().upper())
        else:
            zone = reports.facility_zone(uow)
            moment = now or uow.clock()
            start, end = reports.day_window(uow, reports.business_date_of(uow, moment, zone), zone)
            scope = queries.WindowScope(workstation, start, end)
        rows = _matching(uow, text, scope, limit=max(1, min(limit, LIST_LIMIT)))
        currency = uow.facility().currency
    return [
        ReceiptRow(
            row.receipt_no,
            row.kind,
            row.created_at.isoformat(),
            row.workstation,
            row.cashier,
            row.patient_name or "",
            row.mrn or "",
            currency.from_minor(row.amount_minor or 0),
            _status(row),
            row.reprints,
        )
        for row in rows
    ]


def _matching(
    uow: UnitOfWork, text: str, scope: queries.PatientScope | queries.WindowScope, *, limit: int
) -> list[queries.ListedReceipt]:
    """The receipts for what was typed or scanned (see `find_receipts`)."""
    if not text:
        return queries.find(uow, scope, limit=limit)
    if text.upper().startswith(QR_PREFIX + ":"):
        parsed = parse_qr_payload(text)
        if parsed is None:
            raise BadInput(
                "This is not a CareTill receipt code: scan it again or type the receipt number.",
                code="invalid_receipt_code",
            )
        return queries.find(uow, scope, receipt_no=parsed[0], limit=limit)
    if not _DIGITS.fullmatch(text):
        return queries.find(uow, scope, receipt_no=text.upper(), limit=limit)
    if isinstance(scope, queries.PatientScope):
        # The patient's receipts only: the cashier unticks the box to look wider.
        return queries.find(uow, scope, ending=text, limit=limit)
    numbers = [
        ledger.receipt_number(ws, int(text)) for ws in queries.workstation_ids(uow) if int(text) > 0
    ]
    return queries.find(uow, scope, ending=text, also=numbers, limit=limit)


def _status(row: queries.ListedReceipt) -> str:
    if row.payment_status == PaymentStatus.REVERSED:
        return "reversed"
    return "partly refunded" if row.refunded else ""
