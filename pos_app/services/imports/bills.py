"""`import bills`: bill_no,mrn,service_code,quantity[,unit_price], one line per item.

Lines are grouped by bill_no into one open bill; the unit price is the price
list's unless the line gives one, and amount = quantity x unit price. A bill_no
already in CareTill is skipped, so importing the same file again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pos_app.adapters import bills_repo, patients_repo, price_list_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.money import Currency
from pos_app.services.imports import csvfile as f
from pos_app.services.imports.plan import Plan

HEADER = f.Header(required=("bill_no", "mrn", "service_code", "quantity"), optional=("unit_price",))
ADDS_UP = False
MAX_ITEM_QUANTITY = 100_000


@dataclass
class _Bill:
    mrn: str
    line: int
    # (line, service code, quantity, unit price in minor units or None for the list price)
    lines: list[tuple[int, str, int, int | None]] = field(default_factory=list)


def plan(uow: UnitOfWork, rows: list[f.Row], findings: f.Findings, currency: Currency) -> Plan:
    """Open bills with their items; each line's patient and service must exist."""
    wanted = _group(rows, findings, currency)
    patient_ids = patients_repo.ids_of(uow, {bill.mrn for bill in wanted.values()})
    services = price_list_repo.by_codes(
        uow, {line[1] for bill in wanted.values() for line in bill.lines}
    )
    existing = bills_repo.owners(uow, wanted)
    result = Plan()
    bill_rows: list[tuple[str, int]] = []
    items: list[bills_repo.NewItem] = []
    for bill_no, bill in wanted.items():
        if bill_no in existing:
            if existing[bill_no] == bill.mrn:
                result.skipped += 1
            else:
                findings.add(bill.line, f"bill {bill_no} already exists for another patient")
            continue
        patient_id = patient_ids.get(bill.mrn)
        for line, code, quantity, price in bill.lines:
            if patient_id is None:
                findings.add(line, f"no patient has MRN {bill.mrn} (import patients first)")
            service = services.get(code)
            if service is None or not service.active:
                findings.add(
                    line,
                    f"service {code} is {'not' if service is None else 'no longer'}"
                    " on the price list",
                )
                continue
            unit_price = service.unit_price_minor if price is None else price
            if not f.amount_ok(quantity * unit_price, currency):
                findings.add(line, f"{quantity} x {currency.text(unit_price)} is too large")
                continue
            if patient_id is not None:
                items.append(
                    bills_repo.NewItem(bill_no, patient_id, service.id, quantity, unit_price)
                )
        if patient_id is not None:
            bill_rows.append((bill_no, patient_id))
    result.added = len(bill_rows)
    result.extra["items"] = len(items)
    result.steps.append(lambda uow: bills_repo.add(uow, bill_rows, items, uow.clock()))
    return result


def _group(rows: list[f.Row], findings: f.Findings, currency: Currency) -> dict[str, _Bill]:
    """Lines by bill_no; every line of one bill must name the same patient."""
    wanted: dict[str, _Bill] = {}
    for row in rows:
        before = len(findings)
        bill_no = f.code(row, "bill_no", findings)
        mrn = f.code(row, "mrn", findings)
        code = f.code(row, "service_code", findings)
        quantity = f.whole_number(row, "quantity", findings, minimum=1, maximum=MAX_ITEM_QUANTITY)
        price = f.money(row, "unit_price", findings, currency) if row.get("unit_price") else None
        if (
            len(findings) > before
            or bill_no is None
            or mrn is None
            or code is None
            or quantity is None
        ):
            continue
        bill = wanted.setdefault(bill_no, _Bill(mrn, row.line))
        if bill.mrn != mrn:
            findings.add(
                row.line,
                f"bill {bill_no} is for MRN {bill.mrn} on line {bill.line}, here for {mrn}",
            )
            continue
        bill.lines.append((row.line, code, quantity, price))
    return wanted
