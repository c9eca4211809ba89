"""`import stock`: code,name,quantity[,unit]. New items, or a delivery onto a known one.

Every unit received goes through a stock_movements row (reason "receipt"), so the
quantity on hand always equals the sum of its movements and `caretill check` holds.
A delivery adds up, so the same file imported twice would count it twice: the
import refuses to (see ADDS_UP) unless told it is a second delivery.
"""

from __future__ import annotations

from typing import Any

from pos_app.adapters import stock_items_repo
from pos_app.adapters.stock_items_repo import Delivery, NewStockItem
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.money import Currency
from pos_app.services.imports import csvfile as f
from pos_app.services.imports.plan import Plan

HEADER = f.Header(required=("code", "name", "quantity"), optional=("unit",))
ADDS_UP = True


def plan(uow: UnitOfWork, rows: list[f.Row], findings: f.Findings, currency: Currency) -> Plan:
    """Items to add, deliveries to receive, and name or unit corrections."""
    wanted: dict[str, dict] = {}
    for row in rows:
        before = len(findings)
        item: dict[str, Any] = {
            "line": row.line,
            "code": f.code(row, "code", findings),
            "name": f.text(row, "name", findings, max_length=200),
            "quantity": f.whole_number(row, "quantity", findings, minimum=0),
            "unit": f.text(row, "unit", findings, max_length=32, required=False),
        }
        if len(findings) > before:
            continue
        if item["code"] in wanted:
            findings.add(
                row.line,
                f"stock item {item['code']} is also on line {wanted[item['code']]['line']}",
            )
            continue
        wanted[item["code"]] = item
    known = stock_items_repo.by_codes(uow, wanted)
    result = Plan()
    new: list[NewStockItem] = []
    changed: list[Delivery] = []
    for code, item in wanted.items():
        old = known.get(code)
        if old is None:
            new.append(NewStockItem(code, item["name"], item["unit"] or "unit", item["quantity"]))
            continue
        unit = item["unit"] or old.unit
        if item["quantity"] == 0 and (item["name"], unit) == (old.name, old.unit):
            result.skipped += 1
            continue
        changed.append(Delivery(old.id, item["name"], unit, item["quantity"]))
    result.added, result.updated = len(new), len(changed)
    result.extra["units_received"] = sum(item["quantity"] for item in wanted.values())
    result.steps.append(lambda uow: _write(uow, new, changed))
    return result


def _write(uow: UnitOfWork, new: list[NewStockItem], changed: list[Delivery]) -> None:
    now = uow.clock()
    stock_items_repo.add(uow, new, now)
    stock_items_repo.receive(uow, changed, now)
