"""Bills at the till: a walk-in's bill from the active price list, audited and exactly once.

The same service code twice on one bill is one item with the quantities added, so
`--line LAB --line LAB` and `--line LAB:2` are the same bill (and the same request for
the idempotency key). Nothing moves stock or creates lab work here: paying does.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pos_app.adapters import billing_repo, idempotency, ledger, patients_repo, price_list_repo
from pos_app.adapters.ledger import Slot
from pos_app.adapters.price_list_repo import ServiceRow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound
from pos_app.domain.money import MAX_MAJOR_UNITS, Currency
from pos_app.domain.numbers import whole_number
from pos_app.services import sessions
from pos_app.services.results import JsonResult

COMMAND = "bill.new"
MAX_QUANTITY = 10_000
MAX_LINES = 100
MAX_SEARCH_LIMIT = 50
SEARCH_WORDS = 5
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")  # as the price list's codes


@dataclass(frozen=True)
class BillLine:
    """A line as asked for: a service code and how many (digits as typed, or an int)."""

    code: str
    quantity: int | str = 1


@dataclass(frozen=True)
class PriceListEntry:
    """An active service as the New bill dialog offers it."""

    code: str
    name: str
    kind: str
    department: str
    unit_price: Decimal


@dataclass(frozen=True)
class BilledItem(JsonResult):
    id: int
    service_code: str
    service_name: str
    kind: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BillResult(JsonResult):
    bill_no: str
    mrn: str
    patient_name: str
    items: list[BilledItem]
    total: Decimal
    idempotency_key: str
    audit_hash: str
    at: str
    workstation: str
    cashier: str
    currency: str
    replayed: bool = False


def parse_line(text: str) -> BillLine:
    """`CODE[:QTY]` as typed on the command line; without a quantity it is 1."""
    code, colon, quantity = text.strip().partition(":")
    return BillLine(code.strip(), quantity.strip() if colon else 1)


def new_bill(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    lines: Sequence[BillLine],
    key: str,
) -> BillResult:
    """Raise an open bill for the patient, each item at today's list price.

    Unknown or inactive codes are refused (`unknown_service`, `service_inactive`) and
    nothing is written; the same key with the same lines returns the first bill.
    """
    idempotency.check_key(key)
    wanted = _vet_lines(lines)
    mrn = mrn.strip()
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "raise bills")
        currency = uow.facility().currency
        stored = idempotency.claim(
            uow,
            key,
            COMMAND,
            {"mrn": mrn, "lines": [[line.code, line.quantity] for line in wanted]},
        )
        if stored is not None:
            return BillResult.from_json(stored, replayed=True)
        patient = patients_repo.by_mrn(uow, mrn)
        if patient is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
        services = price_list_repo.by_codes(uow, [line.code for line in wanted])
        priced = [
            (_billable(services.get(line.code), line.code), int(line.quantity)) for line in wanted
        ]
        total_minor = sum(s.unit_price_minor * quantity for s, quantity in priced)
        if currency.from_minor(total_minor) >= MAX_MAJOR_UNITS:
            raise BadInput(
                f"A bill of {currency.display(total_minor)} is too large.", code="invalid_amount"
            )
        slot = ledger.take_slot(uow, workstation, with_receipt=False)
        bill_no = _bill_no(uow, slot)
        ids = billing_repo.add_bill(
            uow,
            bill_no=bill_no,
            patient_id=patient.id,
            now=slot.at,
            lines=[billing_repo.NewLine(s.id, q, s.unit_price_minor) for s, q in priced],
        )
        result = BillResult(
            bill_no=bill_no,
            mrn=patient.mrn,
            patient_name=patient.name,
            items=[
                _item(currency, item_id, s, q) for item_id, (s, q) in zip(ids, priced, strict=True)
            ],
            total=currency.from_minor(total_minor),
            idempotency_key=key,
            audit_hash="",
            at=slot.at.isoformat(),
            workstation=workstation,
            cashier=actor.username,
            currency=currency.code,
        )
        digest = ledger.append_event(
            uow, slot, actor=actor, action=COMMAND, receipt_no=None, details=_details(result)
        )
        result = replace(result, audit_hash=digest)
        idempotency.store(uow, key, result.to_json())
        uow.commit()
    return result


def search_services(
    uow: UnitOfWork, *, actor: Actor, text: str, limit: int = 20
) -> list[PriceListEntry]:
    """Active services whose code starts with, or name holds, each word typed; exact code
    first. At most `limit` (up to 50): it runs on each keystroke of the New bill dialog."""
    words = [word[:64] for word in text.split()[:SEARCH_WORDS]]
    if not words:
        return []
    with uow:
        sessions.authorize(uow, actor, Role.CASHIER, "see the price list")
        currency = uow.facility().currency
        rows = billing_repo.search_active(uow, words, max(1, min(limit, MAX_SEARCH_LIMIT)))
    return [
        PriceListEntry(
            row.code, row.name, row.kind, row.department, currency.from_minor(row.unit_price_minor)
        )
        for row in rows
    ]


def _vet_lines(lines: Sequence[BillLine]) -> list[BillLine]:
    """Well-formed codes and quantities of 1 to MAX_QUANTITY, one line per code."""
    if not lines:
        raise BadInput(
            "A bill needs at least one line: a service code and a quantity.", code="invalid_line"
        )
    if len(lines) > MAX_LINES:
        raise BadInput(f"A bill has at most {MAX_LINES} lines; split it.", code="invalid_line")
    merged: dict[str, int] = {}
    for line in lines:
        if not _CODE.match(line.code):
            raise BadInput(
                f"{line.code[:40]!r} is not a service code (CODE[:QTY], e.g. LAB01:2).",
                code="invalid_line",
            )
        quantity = whole_number(
            line.quantity,
            what=f"quantity of {line.code}",
            minimum=1,
            maximum=MAX_QUANTITY,
            code="invalid_quantity",
        )
        merged[line.code] = merged.get(line.code, 0) + quantity
        if merged[line.code] > MAX_QUANTITY:
            raise BadInput(
                f"The quantity of {line.code} adds up to more than {MAX_QUANTITY}.",
                code="invalid_quantity",
            )
    return [BillLine(code, quantity) for code, quantity in merged.items()]


def _billable(service: ServiceRow | None, code: str) -> ServiceRow:
    if service is None:
        raise NotFound(f"No service on the price list has the code {code}.", code="unknown_service")
    if not service.active:
        raise BadInput(
            f"{code} ({service.name}) is no longer on the active price list.",
            code="service_inactive",
        )
    return service


def _bill_no(uow: UnitOfWork, slot: Slot) -> str:
    """`TWS01-000123`: T for till, the workstation and the audit position this bill takes,
    unique without a counter of its own. Should imported bills hold that number already,
    the bill gets `-2`, `-3`, ... after it (a random tail once those are taken too)."""
    base = f"T{slot.workstation}-{slot.audit_seq:06d}"
    candidates = [base, *(f"{base}-{n}" for n in range(2, 10))]
    return (
        billing_repo.first_free_bill_no(uow, candidates) or f"{base}-{uuid.uuid4().hex[:8].upper()}"
    )


def _item(currency: Currency, item_id: int, service: ServiceRow, quantity: int) -> BilledItem:
    return BilledItem(
        item_id,
        service.code,
        service.name,
        service.kind,
        quantity,
        currency.from_minor(service.unit_price_minor),
        currency.from_minor(service.unit_price_minor * quantity),
    )


def _details(result: BillResult) -> dict:
    """The audit event: the bill, its patient, each line as priced, and the total."""
    return {
        "bill_no": result.bill_no,
        "mrn": result.mrn,
        "total": str(result.total),
        "lines": [
            {
                "item_id": i.id,
                "code": i.service_code,
                "quantity": i.quantity,
                "unit_price": str(i.unit_price),
                "amount": str(i.amount),
            }
            for i in result.items
        ],
        "idempotency_key": result.idempotency_key,
        "currency": result.currency,
    }
